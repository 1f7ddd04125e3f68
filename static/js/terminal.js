// The terminal page: xterm.js over the console's terminal WebSocket (docker exec -it / docker attach).
// Binary frames both ways carry the terminal's bytes; text frames carry JSON (see CONTRACT.md).
import { Terminal } from "../vendor/xterm-6.0.0/xterm.mjs";
import { FitAddon } from "../vendor/xterm-addon-fit-0.11.0/addon-fit.mjs";

const CHUNK = 64 * 1024; // a paste goes out in frames of this size
const page = document.querySelector("[data-terminal]");
const { kind, host, name, cmd, user, workdir, csrf } = page.dataset;
const $ = (selector) => page.querySelector(selector);
const frame = $("[data-term-frame]");
const screen = $("[data-screen]");
const statusText = $("[data-status-text]");
const sizeText = $("[data-size]");
const cliText = $("[data-cli]");
const banner = $("[data-banner]");
const encoder = new TextEncoder();

const term = new Terminal({
  cursorBlink: true,
  fontFamily: 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
  fontSize: 13.5,
  lineHeight: 1.15,
  scrollback: 5000,
  allowProposedApi: false,
  theme: {
    background: "#0f1729",
    foreground: "#d6e2f5",
    cursor: "#7fb0ff",
    selectionBackground: "#35507f",
    black: "#1b2437", red: "#ef6b5e", green: "#5ccf8a", yellow: "#e8c06a",
    blue: "#6aa5ff", magenta: "#c58af9", cyan: "#5fd0d8", white: "#d6e2f5",
    brightBlack: "#5d6b86", brightRed: "#ff8a7e", brightGreen: "#7fe3a6", brightYellow: "#f4d58e",
    brightBlue: "#8fbcff", brightMagenta: "#d7a8ff", brightCyan: "#88e5eb", brightWhite: "#ffffff",
  },
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(screen);
window.consoleTerminal = term; // for the browser tests and the curious

let socket = null;
let ended = false; // a last frame (exit, detached, end, error) came

// --- the terminal fills the space it is given ---------------------------------------------
function fillHeight() {
  if (frame.classList.contains("full")) {
    screen.style.height = "";
  } else {
    const top = screen.getBoundingClientRect().top + window.scrollY;
    const below = $(".term-keys").offsetHeight + 34;
    screen.style.height = `${Math.max(260, window.innerHeight - top - below)}px`;
  }
  refit();
}
let fitQueued = false;
function refit() {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => {
    fitQueued = false;
    try {
      fit.fit();
    } catch {
      // not laid out yet
    }
  });
}
new ResizeObserver(refit).observe(screen);
window.addEventListener("resize", fillHeight);

function sendResize() {
  sizeText.textContent = `${term.cols}×${term.rows}`;
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "resize", cols: term.cols, rows: term.rows }));
  }
}
term.onResize(sendResize);

// --- keys and paste out, as UTF-8 bytes in binary frames ----------------------------------
function sendBytes(bytes) {
  if (socket?.readyState !== WebSocket.OPEN || ended) return;
  for (let at = 0; at < bytes.length; at += CHUNK) socket.send(bytes.subarray(at, at + CHUNK));
}
term.onData((data) => sendBytes(encoder.encode(data)));
term.onBinary((data) => sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));

// --- copy and paste -----------------------------------------------------------------------
let toastTimer = null;
let selectionTimer = null;
function toast(text) {
  sizeText.textContent = text;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { sizeText.textContent = `${term.cols}×${term.rows}`; }, 1600);
}
async function copy(text, quiet = false) {
  if (!quiet) clearTimeout(selectionTimer); // copied on purpose: the selection's own copy is moot
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = Object.assign(document.createElement("textarea"), { value: text });
    area.style.cssText = "position:fixed;opacity:0;top:0";
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    term.focus();
  }
  if (!quiet) toast(`Copied ${text.length} characters`);
}
async function pasteFromClipboard() {
  try {
    term.paste(await navigator.clipboard.readText());
  } catch {
    toast("The browser keeps the clipboard closed here: press Ctrl-Shift-V");
  }
  term.focus();
}
term.onSelectionChange(() => {
  // select to copy, as X terminals do; once the selection rests, not on every step of a drag
  clearTimeout(selectionTimer);
  selectionTimer = setTimeout(() => {
    if (term.hasSelection()) copy(term.getSelection(), true);
  }, 200);
});
term.attachCustomKeyEventHandler((event) => {
  if (event.type !== "keydown") return true;
  const ctrlShift = event.ctrlKey && event.shiftKey && !event.altKey;
  if ((ctrlShift && event.code === "KeyC") || (event.ctrlKey && event.code === "Insert")) {
    copy(term.getSelection());
    event.preventDefault();
    return false;
  }
  // Ctrl-Shift-V and Shift-Insert: let the browser paste into xterm's textarea (a paste event).
  if ((ctrlShift && event.code === "KeyV") || (event.shiftKey && event.code === "Insert")) return false;
  if (ctrlShift && event.code === "KeyF") {
    toggleFull();
    event.preventDefault();
    return false;
  }
  return true;
});
for (const tool of page.querySelectorAll(".term-tools button")) {
  tool.addEventListener("mousedown", (event) => event.preventDefault()); // the terminal keeps the focus
}
$("[data-copy]").addEventListener("click", () => { copy(term.getSelection()); term.focus(); });
$("[data-paste]").addEventListener("click", pasteFromClipboard);

// --- full screen --------------------------------------------------------------------------
const fullButton = $("[data-full]");
function setFull(on) {
  frame.classList.toggle("full", on);
  document.body.classList.toggle("term-full", on);
  fullButton.textContent = on ? "Exit full screen" : "Full screen";
  fillHeight();
  term.focus();
}
function toggleFull() {
  const on = !frame.classList.contains("full");
  setFull(on);
  if (on && frame.requestFullscreen) frame.requestFullscreen().catch(() => {});
  if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
}
document.addEventListener("fullscreenchange", () => {
  if (!document.fullscreenElement && frame.classList.contains("full")) setFull(false);
});
fullButton.addEventListener("click", toggleFull);

// --- what the page says -------------------------------------------------------------------
function setStatus(state, text) {
  page.dataset.status = state;
  statusText.lastChild.textContent = ` ${text}`;
}
function button(label, onClick, style = "secondary") {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: label });
  b.className = `small ${style}`;
  b.addEventListener("click", onClick);
  return b;
}
function link(label, href, style = "secondary") {
  const a = Object.assign(document.createElement("a"), { href, textContent: label });
  a.className = `button small ${style}`;
  return a;
}
function actionForm(action, label) {
  // POST to the container's start/unpause; it comes back here, and the page connects again.
  const form = document.createElement("form");
  form.method = "post";
  form.action = `/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(name)}/${action}/`;
  for (const [field, value] of [["csrfmiddlewaretoken", csrf], ["next", location.pathname + location.search]]) {
    form.append(Object.assign(document.createElement("input"), { type: "hidden", name: field, value }));
  }
  const b = Object.assign(document.createElement("button"), { textContent: label });
  b.className = "small";
  b.title = `docker ${action} ${name}`;
  form.append(b);
  return form;
}
function showBanner(tone, sentence, ...actions) {
  banner.hidden = false;
  banner.className = `term-banner ${tone}`;
  $("[data-banner-text]").textContent = sentence;
  $("[data-banner-actions]").replaceChildren(...actions);
  fillHeight();
}
function finish() {
  // the process is gone: no cursor, no typing into nothing
  term.options.disableStdin = true;
  term.options.cursorBlink = false;
  term.write("\x1b[?25l");
}
function note(text) {
  // a dim line in the terminal itself, so the scrollback says what happened too
  term.write(`\r\n\x1b[2m[${text}]\x1b[0m\r\n`);
}
const containerPage = `/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(name)}/`;
const again = () => location.reload();

function onFrame(message) {
  if (message.type !== "ready") finish();
  switch (message.type) {
    case "ready": {
      setStatus("connected", kind === "exec" ? `Connected · ${message.command.join(" ")}` : "Attached");
      if (kind === "exec") cliText.textContent = cliText.textContent.replace(/\/bin\/sh$/, message.command.join(" "));
      if (!message.tty) term.options.convertEol = true; // no TTY: bare \n from the process
      if (kind === "attach") {
        const hints = ["attached to the main process"];
        if (message.stdin) hints.push("detach with Ctrl-P Ctrl-Q");
        if (message.stdin && message.tty) hints.push("press Enter for a prompt");
        term.write(`\x1b[2m[${hints.join(" · ")}]\x1b[0m\r\n`);
      }
      sendResize();
      term.focus();
      break;
    }
    case "exit": {
      ended = true;
      const code = message.exit_code;
      setStatus("exited", `Exited · code ${code}`);
      note(`process exited with code ${code}`);
      if (kind === "exec") {
        showBanner(code === 0 ? "ok" : "warn",
          `The command ended with exit code ${code}. The connection is closed.`,
          button("Open a new shell", again, ""), link("Container page", containerPage));
      } else {
        showBanner("warn",
          `The container's main process ended with exit code ${code}, so container ${name} stopped. The connection is closed.`,
          actionForm("start", "Start it again"), link("Container page", containerPage));
      }
      break;
    }
    case "detached":
      ended = true;
      setStatus("detached", "Detached");
      note("detached");
      showBanner("ok", `Detached. Container ${name} is still running.`,
        button("Attach again", again, ""), link("Container page", containerPage));
      break;
    case "end":
      ended = true;
      setStatus("closed", "Ended");
      showBanner("warn", message.message || `The session ended (${message.reason}).`,
        link("Containers", `/hosts/${encodeURIComponent(host)}/containers/`));
      break;
    case "error": {
      ended = true;
      setStatus("error", "Not connected");
      const actions = [];
      if (message.code === "command_not_found" && message.suggest) {
        const query = new URLSearchParams({ cmd: message.suggest, user, workdir });
        actions.push(link(`Use ${message.suggest}`, `?${query}`, ""));
      }
      if (message.action === "unpause") actions.push(actionForm("unpause", "Unpause"));
      if (message.action === "start") actions.push(actionForm("start", "Start"));
      const fixable = ["command_not_found", "bad_request", "not_found"].includes(message.code);
      if (!message.action && !fixable) actions.push(button("Try again", again)); // the engine, not the input
      if (message.code === "bad_request") page.querySelector("[data-exec-form] input")?.focus();
      actions.push(link("Container page", containerPage));
      showBanner("bad", message.error, ...actions);
      break;
    }
    default:
      break;
  }
}

const CLOSE_SENTENCES = {
  4401: "You are not logged in any more. Log in again, then reopen the terminal.",
  4403: "You may not open terminals on this host.",
  4404: "There is no such host.",
};

function connect() {
  const query = new URLSearchParams();
  if (kind === "exec") {
    for (const [key, value] of Object.entries({ cmd, user, workdir })) if (value) query.set(key, value);
  }
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const path = `/ws/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(name)}/${kind}`;
  socket = new WebSocket(`${scheme}://${location.host}${path}${query.size ? `?${query}` : ""}`);
  socket.binaryType = "arraybuffer";
  socket.onmessage = (event) => {
    if (typeof event.data === "string") onFrame(JSON.parse(event.data));
    else term.write(new Uint8Array(event.data));
  };
  socket.onclose = (event) => {
    if (ended) {
      statusText.lastChild.textContent += " · connection closed";
      return;
    }
    ended = true;
    finish();
    setStatus("closed", "Disconnected");
    const sentence = CLOSE_SENTENCES[event.code]
      || `The connection to the console closed (code ${event.code}). The server may have restarted.`;
    showBanner("bad", sentence, button("Reconnect", again, ""));
  };
}

fillHeight();
requestAnimationFrame(() => {
  fit.fit();
  sizeText.textContent = `${term.cols}×${term.rows}`;
  connect();
});
