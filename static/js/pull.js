// docker pull with live per-layer progress bars, over /ws/hosts/{host}/images/pull?ref=R.
import { human } from "./upload.js";

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
  result.hidden = false;
  result.className = isError ? "result msg error" : "result msg";
  result.replaceChildren(document.createTextNode(text));
  if (command) {
    const code = document.createElement("code");
    code.className = "cli";
    code.textContent = `$ ${command}`;
    result.append(" ", code);
  }
  form.querySelector("button").disabled = false;
}

function frame(data, ref, started) {
  if (data.type === "progress") {
    if (!data.layer) {
      status.textContent = data.status;
      return;
    }
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
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    finish(`Pulled ${ref} (${data.id.replace("sha256:", "").slice(0, 12)}) in ${seconds} s.`, data.command, false);
  } else if (data.type === "error") {
    finish(data.error, "", true);
  }
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const ref = form.elements.ref.value.trim();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${location.host}/ws/hosts/${encodeURIComponent(form.dataset.host)}/images/pull?ref=${encodeURIComponent(ref)}`;
  table.tBodies[0].replaceChildren();
  table.hidden = true;
  result.hidden = true;
  status.textContent = `Pulling ${ref}…`;
  form.querySelector("button").disabled = true;
  const started = performance.now();
  let ended = false;
  const socket = new WebSocket(url);
  socket.addEventListener("message", (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "end" || data.type === "error") ended = true;
    frame(data, ref, started);
  });
  socket.addEventListener("close", (event) => {
    if (!ended) finish(`The pull stopped: the connection closed (code ${event.code}).`, "", true);
  });
});
