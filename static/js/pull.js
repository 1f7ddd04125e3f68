// docker pull with live per-layer progress bars, over /ws/hosts/{host}/images/pull?ref=R.
import { duration, human, show } from "./upload.js";

const form = document.querySelector("form[data-pull]");
const status = document.querySelector("[data-pull-status]");
const table = document.querySelector("[data-pull-layers]");
const result = document.querySelector("[data-pull-result]");

function row(layer) {
  let tr = table.querySelector(`tr[data-layer="${CSS.escape(layer)}"]`);
  if (!tr) {
    tr = document.createElement("tr");
    tr.dataset.layer = layer;
    tr.innerHTML = "<td><code></code></td><td class='st'></td><td><progress max='1' value='0'></progress> <span class='small amt'></span></td>";
    tr.querySelector("code").textContent = layer;
    table.tBodies[0].append(tr);
  }
  return tr;
}

function finish(text, command, isError) {
  status.textContent = "";
  show(result, text, command, isError);
  form.querySelector("button").disabled = false;
}

const layers = new Map();

// One line for the whole pull: bytes downloaded of the layers' sizes, time, speed.
function overall(ref, started) {
  let current = 0;
  let total = 0;
  for (const layer of layers.values()) {
    current += layer.current;
    total += layer.total;
  }
  const elapsed = (performance.now() - started) / 1000;
  const parts = [`Pulling ${ref}`, `${layers.size} layer${layers.size === 1 ? "" : "s"}`];
  if (total) parts.push(`${human(current)} of ${human(total)}`);
  parts.push(duration(elapsed));
  if (current && elapsed > 1) parts.push(`${human(current / elapsed)}/s`);
  status.textContent = parts.join(" · ");
}

function frame(data, ref, started) {
  if (data.type === "progress") {
    if (!data.layer) {
      status.textContent = data.status;
      return;
    }
    const known = layers.get(data.layer) || { current: 0, total: 0 };
    if (data.status === "Downloading" && data.total) {
      known.current = data.current;
      known.total = data.total;
    } else if (/Download complete|Pull complete|Extracting/.test(data.status)) {
      known.current = known.total;
    }
    layers.set(data.layer, known);
    overall(ref, started);
    table.hidden = false;
    const tr = row(data.layer);
    tr.querySelector(".st").textContent = data.status;
    const bar = tr.querySelector("progress");
    if (data.total) {
      bar.max = data.total;
      bar.value = data.current;
      tr.querySelector(".amt").textContent = `${human(data.current)} / ${human(data.total)}`;
    } else if (/complete|exists/i.test(data.status)) {
      bar.max = 1;
      bar.value = 1;
    }
  } else if (data.type === "end") {
    const seconds = duration((performance.now() - started) / 1000);
    let size = 0;
    for (const layer of layers.values()) size += layer.total;
    const amount = size ? `, ${human(size)} downloaded` : "";
    finish(
      `Pulled ${ref} (${data.id.replace("sha256:", "").slice(0, 12)}) in ${seconds}${amount}.`,
      data.command,
      false,
    );
  } else if (data.type === "error") {
    finish(data.error, "", true);
  }
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const ref = form.elements.ref.value.trim();
  const username = form.elements.username.value;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let url = `${scheme}://${location.host}/ws/hosts/${encodeURIComponent(form.dataset.host)}/images/pull?ref=${encodeURIComponent(ref)}`;
  if (username) url += "&auth=1";
  layers.clear();
  table.tBodies[0].replaceChildren();
  table.hidden = true;
  result.hidden = true;
  status.textContent = `Pulling ${ref}…`;
  form.querySelector("button").disabled = true;
  const started = performance.now();
  let ended = false;
  const socket = new WebSocket(url);
  socket.addEventListener("open", () => {
    // Credentials go in a frame, never in the URL (where server logs would keep them).
    if (username) socket.send(JSON.stringify({ type: "auth", username, password: form.elements.password.value }));
  });
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "end" || data.type === "error") ended = true;
    frame(data, ref, started);
  });
  socket.addEventListener("close", (event) => {
    if (!ended) finish(`The pull stopped: the connection closed (code ${event.code}).`, "", true);
  });
});
