// Every running container of a host, like `docker stats` without arguments: /ws/hosts/{host}/stats.
// One frame a second carries the whole table; rows are kept by container id and updated in place.
import { binarySize, decimalSize, liveSocket, percent, showStatus, socketUrl } from "./live.js";

const root = document.querySelector("[data-host-stats]");
const { host } = root.dataset;
const table = root.querySelector("[data-host-stats-table]");
const body = table.tBodies[0];
const empty = root.querySelector("[data-host-stats-empty]");
const emptyText = root.querySelector("[data-host-stats-empty-text]");
const indicator = document.querySelector("[data-live]");
const summary = document.querySelector("[data-host-summary]");
const base = `/hosts/${encodeURIComponent(host)}/containers/`;

function cell(tr, key, text) {
  tr.querySelector(`[data-v=${key}]`).textContent = text;
}

function newRow(row) {
  const tr = document.createElement("tr");
  tr.dataset.id = row.id;
  tr.dataset.name = row.name;
  tr.innerHTML = // static markup only; every value below goes in as text
    "<td><code data-v=id></code></td><td><a data-v=name></a> <span data-v=state></span></td>" +
    "<td><span data-v=cpu></span><span class='meter cpu'><i></i></span></td><td data-v=mem></td>" +
    "<td><span data-v=mem_percent></span><span class='meter'><i></i></span></td><td data-v=net></td>" +
    "<td data-v=blk></td><td data-v=pids></td>" +
    "<td class='row-actions small'><a data-link=logs>Logs</a> <a data-link=stats>Stats</a></td>";
  cell(tr, "id", row.id.slice(0, 12));
  const link = tr.querySelector("[data-v=name]");
  link.textContent = row.name;
  link.href = `${base}${encodeURIComponent(row.name)}/`;
  tr.querySelector("[data-link=logs]").href = `${base}${encodeURIComponent(row.name)}/logs/`;
  tr.querySelector("[data-link=stats]").href = `${base}${encodeURIComponent(row.name)}/stats/`;
  tr.classList.add("live-changed");
  return tr;
}

function fill(tr, row) {
  const known = row.read != null;
  const dash = "—";
  const state = tr.querySelector("[data-v=state]");
  state.className = row.state === "paused" ? "badge warn" : "";
  state.textContent = row.state === "paused" ? "paused" : "";
  cell(tr, "cpu", known ? percent(row.cpu_percent) : dash);
  cell(tr, "mem", known ? `${binarySize(row.mem_usage)} / ${binarySize(row.mem_limit)}` : dash);
  cell(tr, "mem_percent", known ? percent(row.mem_percent) : dash);
  cell(tr, "net", known ? `${decimalSize(row.net_rx)} / ${decimalSize(row.net_tx)}` : dash);
  cell(tr, "blk", known ? `${decimalSize(row.blk_read)} / ${decimalSize(row.blk_write)}` : dash);
  cell(tr, "pids", known ? String(row.pids) : dash);
  const [cpuBar, memBar] = tr.querySelectorAll(".meter i");
  cpuBar.style.width = `${Math.min(100, Number(row.cpu_percent) || 0)}%`;
  memBar.style.width = `${Math.min(100, Number(row.mem_percent) || 0)}%`;
}

function render(rows) {
  const existing = new Map([...body.rows].map((tr) => [tr.dataset.id, tr]));
  const ordered = rows.map((row) => {
    const tr = existing.get(row.id) || newRow(row);
    existing.delete(row.id);
    fill(tr, row);
    return tr;
  });
  for (const gone of existing.values()) gone.remove();
  ordered.forEach((tr, index) => {
    if (body.rows[index] !== tr) body.insertBefore(tr, body.rows[index] || null);
  });
  table.hidden = rows.length === 0;
  empty.hidden = rows.length > 0;
  emptyText.textContent = `No container is running on ${host}.`;
  const cpu = rows.reduce((sum, row) => sum + (Number(row.cpu_percent) || 0), 0);
  const mem = rows.reduce((sum, row) => sum + (Number(row.mem_usage) || 0), 0);
  summary.textContent = ` · ${rows.length} running · CPU ${percent(cpu)} · memory ${binarySize(mem)}`;
}

liveSocket(socketUrl(`/ws/hosts/${encodeURIComponent(host)}/stats`), {
  onFrame(data) {
    if (data.type === "stats") render(data.containers);
  },
  onStatus(state, detail, seconds) {
    showStatus(indicator, state, detail, seconds);
    const down = state === "down" || state === "closed";
    empty.classList.toggle("down", down);
    if (down) {
      summary.textContent = "";
      emptyText.textContent = detail || "The live connection dropped.";
    } else if (state === "live" && table.hidden) {
      emptyText.textContent = "Waiting for the first samples…";
    }
  },
});
