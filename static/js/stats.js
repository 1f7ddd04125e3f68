// One container's stats, live: /ws/hosts/{host}/containers/{ref}/stats (CONTRACT.md).
// The numbers are the ones `docker stats` prints; the charts keep the last WINDOW samples,
// with network and block I/O drawn as rates computed from successive samples.
import uPlot from "../vendor/uplot-1.6.32/uplot.mjs";
import {
  binarySize,
  closeSentence,
  decimalSize,
  isRemoved,
  percent,
  rate,
  refreshHead,
  showRemoved,
  socketUrl,
  watchContainer,
} from "./live.js";

const WINDOW = 300;

const root = document.querySelector("[data-stats]");
const { host, ref, name, id } = root.dataset;
const status = root.querySelector("[data-stats-status]");
const ending = root.querySelector("[data-stats-end]");
const value = (key) => root.querySelector(`[data-v=${key}]`);

const COLORS = { blue: "#1d63ed", green: "#16a34a", orange: "#ea7c0c", grey: "#9aa3af", violet: "#7c3aed" };
const series = {
  t: [],
  cpu: [],
  mem: [],
  memLimit: [],
  rx: [],
  tx: [],
  read: [],
  write: [],
  pids: [],
};
let previous = null;
let samples = 0;
let ended = false;
let socket = null;

// --- charts ---------------------------------------------------------------------------------

function axisValues(format) {
  return (u, splits) => splits.map((v) => (v == null ? "" : format(v)));
}

function line(label, stroke, format, extra = {}) {
  return { label, stroke, width: 1.5, value: (u, v) => (v == null ? "—" : format(v)), ...extra };
}

function chart(key, lines, format, options = {}) {
  const target = root.querySelector(`[data-chart=${key}]`);
  const plot = new uPlot(
    {
      width: target.clientWidth || 400,
      height: 170,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: { x: { time: true, range: (u, min, max) => (max == null ? [min, max] : [Math.min(min, max - 60), max]) }, y: { range: options.range || ((u, min, max) => [0, Math.max(max * 1.15, options.floor || 1)]) } },
      axes: [
        { stroke: "#6b7280", grid: { stroke: "#eef0f3" }, ticks: { stroke: "#e2e5ea" } },
        { stroke: "#6b7280", grid: { stroke: "#eef0f3" }, ticks: { stroke: "#e2e5ea" }, size: 78, values: axisValues(format) },
      ],
      series: [{}, ...lines],
    },
    [[], ...lines.map(() => [])],
    target,
  );
  new ResizeObserver(() => plot.setSize({ width: target.clientWidth, height: 170 })).observe(target);
  return plot;
}

const charts = {
  cpu: chart("cpu", [line("CPU", COLORS.blue, percent, { fill: "rgba(29,99,237,.10)" })], (v) => `${+v.toFixed(1)}%`),
  mem: chart(
    "mem",
    [
      line("used", COLORS.violet, binarySize, { fill: "rgba(124,58,237,.10)" }),
      line("limit", COLORS.grey, binarySize, { dash: [6, 4], width: 1 }),
    ],
    binarySize,
    { range: memoryRange },
  ),
  net: chart("net", [line("rx", COLORS.green, rate), line("tx", COLORS.blue, rate)], rate),
  blk: chart("blk", [line("read", COLORS.green, rate), line("write", COLORS.orange, rate)], rate),
  pids: chart("pids", [line("PIDs", COLORS.blue, (v) => String(Math.round(v)))], (v) => String(Math.round(v)), { floor: 4 }),
};

// Used memory on a scale of its own unless the limit is close enough to be worth drawing:
// a container without a limit reports the host's memory, which would flatten the line.
function memoryRange(u) {
  const used = Math.max(1, ...series.mem.filter((v) => v != null));
  const limit = series.memLimit.at(-1) || 0;
  const top = limit && limit < used * 4 ? limit * 1.08 : used * 1.25;
  return [0, top];
}

function redraw() {
  const t = series.t;
  charts.cpu.setData([t, series.cpu]);
  const limitShown = (series.memLimit.at(-1) || 0) < Math.max(1, ...series.mem) * 4;
  charts.mem.setData([t, series.mem, limitShown ? series.memLimit : series.memLimit.map(() => null)]);
  root.querySelector("[data-chart-note=mem]").textContent = limitShown
    ? ""
    : `· limit ${binarySize(series.memLimit.at(-1) || 0)} is off the scale`;
  charts.net.setData([t, series.rx, series.tx]);
  charts.blk.setData([t, series.read, series.write]);
  charts.pids.setData([t, series.pids]);
}

// --- samples --------------------------------------------------------------------------------

function seconds(read) {
  // RFC 3339 with nanoseconds; the engine sends year 1 for a sample it could not take.
  const ms = Date.parse(String(read || "").replace(/(\.\d{3})\d+/, "$1"));
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : Date.now() / 1000;
}

function perSecond(now, before, dt) {
  if (!before || dt <= 0 || now < before) return null; // the first sample, or a counter reset
  return (now - before) / dt;
}

function push(key, item) {
  series[key].push(item);
  if (series[key].length > WINDOW) series[key].shift();
}

function sample(data) {
  const t = seconds(data.read);
  const dt = previous ? t - previous.t : 0;
  const rates = {
    rx: perSecond(data.net_rx, previous?.net_rx, dt),
    tx: perSecond(data.net_tx, previous?.net_tx, dt),
    read: perSecond(data.blk_read, previous?.blk_read, dt),
    write: perSecond(data.blk_write, previous?.blk_write, dt),
  };
  if (previous && dt <= 0) return; // a replayed sample we already have
  previous = { ...data, t };
  samples += 1;

  push("t", t);
  push("cpu", data.cpu_percent);
  push("mem", data.mem_usage);
  push("memLimit", data.mem_limit);
  push("rx", rates.rx);
  push("tx", rates.tx);
  push("read", rates.read);
  push("write", rates.write);
  push("pids", data.pids);
  redraw();

  value("cpu").textContent = percent(data.cpu_percent);
  value("mem").textContent = binarySize(data.mem_usage);
  value("mem_limit").textContent = binarySize(data.mem_limit);
  value("mem_percent").textContent = percent(data.mem_percent);
  value("mem_meter").style.width = `${Math.min(100, Math.max(0, Number(data.mem_percent) || 0))}%`;
  value("net").textContent = `${decimalSize(data.net_rx)} / ${decimalSize(data.net_tx)}`;
  value("blk").textContent = `${decimalSize(data.blk_read)} / ${decimalSize(data.blk_write)}`;
  value("pids").textContent = String(data.pids);
  if (rates.rx != null) value("net_rate").textContent = `↓ ${rate(rates.rx)}  ↑ ${rate(rates.tx)}`;
  if (rates.read != null) value("blk_rate").textContent = `read ${rate(rates.read)} · write ${rate(rates.write)}`;
  root.querySelector("[data-stats-samples]").textContent = String(samples);
  root.querySelector("[data-stats-read]").textContent = ` · last at ${new Date(t * 1000).toLocaleTimeString()}`;
  if (data.state) showState(data.state);
}

// --- state and ends -------------------------------------------------------------------------

function setBadge(text, kind) {
  const badge = document.querySelector("[data-state-badge]");
  if (!badge) return;
  badge.textContent = text;
  badge.className = `badge ${kind}`;
}

function showState(state) {
  if (ended) return;
  status.dataset.state = state === "paused" ? "paused" : "live";
  status.textContent = state === "paused" ? "paused" : "live";
  status.title = state === "paused" ? "The container is paused: its processes are frozen and use no CPU." : "";
  setBadge(state, state === "paused" ? "warn" : "ok");
}

function endSentence(data) {
  const code = data.exit_code ?? "unknown";
  if (data.reason === "stopped") {
    const what = data.state === "exited" ? `exited with code ${code}` : data.state || "stopped";
    return `Container ${name} is not running (${what}), so it has no live stats. Start it and they resume here.`;
  }
  if (data.reason === "exited") return `Container ${name} exited with code ${code}; its stats end here.`;
  if (data.reason === "removed") return `Container ${name} was removed.`;
  return `The engine ended the stats stream of ${name} (${data.reason}).`;
}

// Not running: the cards show "—" rather than the last sample's numbers (the charts keep them).
function clearCards() {
  for (const key of ["cpu", "mem", "mem_limit", "mem_percent", "net", "blk", "pids"]) value(key).textContent = "—";
  for (const key of ["net_rate", "blk_rate"]) value(key).innerHTML = "&nbsp;";
  value("mem_meter").style.width = "0%";
  previous = null; // rates start again from the next sample
}

function finish(sentence, state, data = {}) {
  ended = true;
  if (isRemoved()) {
    sentence = `Container ${name} was removed.`;
    state = "ended";
  }
  if (state === "ended") clearCards();
  reconnectButton.hidden = isRemoved();
  status.dataset.state = state;
  status.textContent = state === "failed" ? "disconnected" : "ended";
  ending.hidden = false;
  ending.dataset.state = state;
  ending.querySelector("[data-stats-end-text]").textContent = sentence;
  if (isRemoved()) {
    setBadge("removed", "bad");
  } else if (data.reason === "exited" || (data.reason === "stopped" && data.state === "exited")) {
    setBadge(`exited (${data.exit_code ?? "?"})`, "muted");
  } else if (data.reason === "removed") {
    setBadge("removed", "bad");
  }
}

function connect() {
  if (socket) {
    socket.onclose = null;
    socket.close();
  }
  if (isRemoved()) return;
  ended = false;
  ending.hidden = true;
  status.dataset.state = "connecting";
  status.textContent = "connecting…";
  const ws = new WebSocket(socketUrl(`/ws/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(ref)}/stats`));
  socket = ws;
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "stats") sample(data);
    else if (data.type === "state") {
      showState(data.state);
      refreshHead();
    } else if (data.type === "end") {
      if (data.reason === "removed") showRemoved(host);
      finish(endSentence(data), "ended", data);
      if (data.reason === "exited") {
        refreshHead().then((state) => {
          if (state === "running" && socket === ws) connect(); // restarted meanwhile
        });
      }
    }
    else if (data.type === "error") finish(data.error, "failed");
  };
  ws.onclose = (event) => {
    if (!ended) finish(closeSentence(event.code), "failed");
  };
}

const reconnectButton = ending.querySelector("[data-stats-reconnect]");
reconnectButton.addEventListener("click", connect);
connect();

// Started again elsewhere: its stats resume here. Removed: the header says so, no reconnect.
watchContainer(host, id, {
  onStart() {
    if (ended) connect();
  },
  onRemoved() {
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    finish(`Container ${name} was removed.`, "ended", { reason: "removed" });
  },
});
