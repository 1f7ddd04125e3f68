// A container's logs, live: /ws/hosts/{host}/containers/{ref}/logs (CONTRACT.md).
// Frames are queued and drawn once per animation frame; at most MAX_LINES stay in the page
// (older ones drop off with a note); scrolling up stops the view following until the user
// jumps back to the bottom. Search marks matches in the lines shown.
import { AnsiState, renderAnsi } from "./ansi.js";
import { closeSentence, isRemoved, refreshHead, showRemoved, socketUrl, watchContainer } from "./live.js";

const MAX_LINES = 5000;
const MAX_MARKS = 20000;
const FRAME_BUDGET = 2500;

const root = document.querySelector("[data-logs]");
const { host, ref, name, id } = root.dataset;
const form = root.querySelector("[data-log-options]");
const view = root.querySelector("[data-log-view]");
const list = root.querySelector("[data-log-lines]");
const placeholder = root.querySelector("[data-log-placeholder]");
const status = root.querySelector("[data-log-status]");
const counter = root.querySelector("[data-log-count]");
const droppedNote = root.querySelector("[data-log-dropped]");
const jump = root.querySelector("[data-log-jump]");
const ending = root.querySelector("[data-log-end]");
const cli = root.querySelector("[data-log-cli]");
const downloads = root.querySelectorAll("[data-log-download]");
const followBox = form.querySelector("input[type=checkbox][name=follow]");
const search = root.querySelector("[data-log-search]");
const searchCount = root.querySelector("[data-log-search-count]");

const base = `/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(ref)}`;
const states = { stdout: new AnsiState(), stderr: new AnsiState() };
const highlights = "highlights" in CSS ? { all: new Highlight(), current: new Highlight() } : null;
if (highlights) {
  CSS.highlights.set("log-search", highlights.all);
  CSS.highlights.set("log-current", highlights.current);
}

let socket = null;
let pending = [];
let scheduled = false;
let shown = 0;
let dropped = 0;
let unseen = 0;
let following = true;
let ended = false;
let query = "";
let hits = 0;
let hitLines = 0;
let current = null;

// --- options, the CLI line and the download link -------------------------------------------

function options() {
  return {
    tail: form.elements.tail.value,
    since: form.elements.since.value.trim(),
    timestamps: form.elements.timestamps.checked,
    follow: followBox.checked,
  };
}

function describe(opts) {
  const parts = ["docker logs"];
  if (opts.follow) parts.push("-f");
  if (opts.tail !== "all") parts.push(`--tail ${opts.tail}`);
  if (opts.since) parts.push(`--since ${opts.since}`);
  if (opts.timestamps) parts.push("-t");
  parts.push(name);
  return parts.join(" ");
}

function syncControls(opts) {
  cli.textContent = `$ ${describe(opts)}`;
  const query = new URLSearchParams({ tail: "all" });
  if (opts.since) query.set("since", opts.since);
  if (opts.timestamps) query.set("timestamps", "1");
  for (const link of downloads) {
    link.href = `/api/v1${base}/logs?${query}`;
    link.title = `docker logs${opts.since ? ` --since ${opts.since}` : ""}${opts.timestamps ? " -t" : ""} ${name} > ${name}.log`;
  }
  const page = new URLSearchParams({ tail: opts.tail, follow: opts.follow ? "1" : "0" });
  if (opts.since) page.set("since", opts.since);
  if (opts.timestamps) page.set("timestamps", "1");
  history.replaceState(null, "", `${location.pathname}?${page}`);
}

// --- the stream ---------------------------------------------------------------------------

function setStatus(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

function stopSocket() {
  if (socket) {
    socket.onclose = null;
    socket.close();
    socket = null;
  }
}

// A Since the server would refuse is caught before connecting: its sentence once, beside the
// field, and no Reconnect (reconnecting would only fail the same way).
async function sinceError(since) {
  if (!since) return "";
  try {
    const response = await fetch(`${location.pathname}?${new URLSearchParams({ since })}`, {
      headers: { "X-Live-Fragment": "check" },
      cache: "no-store",
    });
    if (response.status !== 400) return "";
    return (await response.json()).error || "";
  } catch {
    return ""; // the stream will say what is wrong
  }
}

let attempt = 0;

async function connect() {
  if (isRemoved()) return;
  const opts = options();
  const mine = ++attempt;
  const since = form.elements.since;
  const problem = await sinceError(opts.since);
  if (mine !== attempt) return; // another Apply came meanwhile
  since.toggleAttribute("aria-invalid", Boolean(problem));
  since.classList.toggle("invalid", Boolean(problem));
  if (problem) {
    stopSocket();
    clearLines();
    ended = true;
    setStatus("invalid", "not connected");
    ending.hidden = false;
    ending.dataset.state = "invalid";
    ending.querySelector("[data-log-end-text]").textContent = problem;
    reconnectButton.hidden = true;
    placeholder.textContent = "Nothing to show until Since is corrected.";
    placeholder.hidden = false;
    since.focus();
    return;
  }
  stopSocket();
  syncControls(opts);
  clearLines();
  ended = false;
  ending.hidden = true;
  reconnectButton.hidden = false;
  placeholder.textContent = "Connecting…";
  placeholder.hidden = false;
  setStatus("connecting", "connecting…");
  const url = socketUrl(`/ws${base}/logs`, {
    tail: opts.tail,
    since: opts.since,
    timestamps: opts.timestamps ? "1" : "",
    follow: opts.follow ? "1" : "",
    ack: "1",
  });
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    setStatus(opts.follow ? "live" : "loading", opts.follow ? "following" : "loading…");
    placeholder.textContent = opts.follow ? "Waiting for output…" : "Loading…";
  };
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "logs") {
      enqueue(data.lines);
      ws.send('{"type":"ack"}');
    } else if (data.type === "end") {
      if (data.reason === "removed") showRemoved(host);
      finish(endSentence(data), data.reason === "done" ? "done" : "ended");
      if (data.reason === "exited" && opts.follow) {
        // It stopped while we watched; if it already runs again (a restart), follow it again.
        refreshHead().then((state) => {
          if (state === "running" && socket === ws) connect();
        });
      }
    } else if (data.type === "error") {
      finish(data.error, "failed");
    }
  };
  ws.onclose = (event) => {
    if (!ended) finish(closeSentence(event.code), "failed");
  };
}

function endSentence(data) {
  if (data.reason === "exited") {
    const code = data.exit_code ?? "unknown";
    return `Container ${name} exited with code ${code}.`;
  }
  if (data.reason === "removed") return `Container ${name} was removed, so its log ends here.`;
  if (data.reason === "done") {
    return options().follow
      ? "The log stream ended while the container still runs."
      : `That is the log so far; ${name} is still running. Turn on Follow to watch new lines.`;
  }
  return `The log stream ended (${data.reason}).`;
}

function finish(sentence, state) {
  ended = true;
  if (isRemoved()) {
    sentence = `Container ${name} was removed, so its log ends here.`;
    state = "ended";
  }
  reconnectButton.hidden = isRemoved();
  setStatus(state, state === "failed" ? "stopped" : "ended");
  ending.hidden = false;
  ending.dataset.state = state;
  ending.querySelector("[data-log-end-text]").textContent = sentence;
  schedule();
}

// --- drawing -------------------------------------------------------------------------------

function enqueue(lines) {
  for (const line of lines) pending.push(line);
  if (pending.length > MAX_LINES) {
    // More than a page's worth waiting (a fast producer, or a hidden tab): skip the oldest.
    dropped += pending.length - MAX_LINES;
    pending = pending.slice(pending.length - MAX_LINES);
  }
  schedule();
}

function schedule() {
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(draw);
  }
}

function shortTime(ts) {
  // 2024-05-01T12:00:00.123456789Z → 2024-05-01 12:00:00.123
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{1,3})?/.exec(ts);
  return match ? `${match[1]} ${match[2]}${match[3] || ""}` : ts;
}

function lineNode(line) {
  const div = document.createElement("div");
  div.className = line.stream === "stderr" ? "ln err" : "ln";
  if (line.ts) {
    const ts = document.createElement("span");
    ts.className = "ts";
    ts.textContent = shortTime(line.ts);
    ts.title = line.ts;
    div.append(ts);
  }
  const text = document.createElement("span");
  text.className = "tx";
  renderAnsi(line.text, states[line.stream] || states.stdout, text);
  div.append(text);
  return div;
}

function draw() {
  scheduled = false;
  if (pending.length) {
    // A budget per frame keeps the tab responsive; the rest waits for the next frame.
    const batch = pending.length > FRAME_BUDGET ? pending.splice(0, FRAME_BUDGET) : pending;
    pending = batch === pending ? [] : pending;
    const fragment = document.createDocumentFragment();
    const nodes = batch.map(lineNode);
    fragment.append(...nodes);
    list.append(fragment);
    // Marked once in place: moving a node (out of the fragment) would collapse its ranges.
    if (query) for (const node of nodes) mark(node);
    shown += batch.length;
    if (!following) unseen += batch.length;
    trim();
  }
  placeholder.hidden = shown > 0;
  if (!shown && ended) {
    placeholder.textContent =
      ending.dataset.state === "failed"
        ? ending.querySelector("[data-log-end-text]").textContent
        : "No log lines in this range.";
  }
  counter.textContent = `${shown.toLocaleString()} line${shown === 1 ? "" : "s"}`;
  droppedNote.hidden = dropped === 0;
  droppedNote.querySelector("span").textContent =
    `${dropped.toLocaleString()} older line${dropped === 1 ? "" : "s"} dropped`;
  if (query) showSearchCount();
  if (pending.length) schedule();
  if (following) {
    view.scrollTop = view.scrollHeight;
  } else {
    jump.querySelector("span").textContent = unseen ? `${unseen.toLocaleString()} new — ` : "";
  }
}

function trim() {
  const extra = list.childElementCount - MAX_LINES;
  if (extra <= 0) return;
  if (query) {
    for (let node = list.firstElementChild, i = 0; i < extra; i++, node = node.nextElementSibling) {
      unmark(node);
    }
  }
  const range = document.createRange();
  range.setStartBefore(list.firstChild);
  range.setEndAfter(list.children[extra - 1]);
  range.deleteContents();
  shown -= extra;
  dropped += extra;
}

function clearLines() {
  pending = [];
  list.replaceChildren();
  shown = dropped = unseen = hits = hitLines = 0;
  current = null;
  states.stdout.reset();
  states.stderr.reset();
  highlights?.all.clear();
  highlights?.current.clear();
  setFollowing(true);
  draw();
}

// --- scrolling: up pauses, the button resumes ------------------------------------------------

function setFollowing(value) {
  following = value;
  jump.hidden = value;
  if (value) {
    unseen = 0;
    view.scrollTop = view.scrollHeight;
  }
}

function atBottom() {
  return view.scrollHeight - view.scrollTop - view.clientHeight < 8;
}

view.addEventListener("scroll", () => {
  if (atBottom() !== following) setFollowing(atBottom());
});
jump.addEventListener("click", () => setFollowing(true));

// --- search --------------------------------------------------------------------------------

function textRanges(node, needle) {
  // Every match of `needle` in the line's text, as Ranges over its (possibly styled) text nodes.
  const text = node.lastChild.textContent.toLowerCase();
  const ranges = [];
  let at = text.indexOf(needle);
  if (at < 0) return ranges;
  const walker = document.createTreeWalker(node.lastChild, NodeFilter.SHOW_TEXT);
  const pieces = [];
  let offset = 0;
  while (walker.nextNode()) {
    pieces.push([walker.currentNode, offset]);
    offset += walker.currentNode.length;
  }
  const locate = (position) => {
    let index = pieces.length - 1;
    while (index > 0 && pieces[index][1] > position) index -= 1;
    return [pieces[index][0], position - pieces[index][1]];
  };
  while (at >= 0) {
    const range = document.createRange();
    range.setStart(...locate(at));
    range.setEnd(...locate(at + needle.length - 1));
    range.setEnd(range.endContainer, range.endOffset + 1);
    ranges.push(range);
    at = text.indexOf(needle, at + needle.length);
  }
  return ranges;
}

function mark(node) {
  const ranges = textRanges(node, query);
  if (!ranges.length) return;
  node.classList.add("hit");
  node.hits = ranges;
  hits += ranges.length;
  hitLines += 1;
  if (highlights && highlights.all.size < MAX_MARKS) for (const range of ranges) highlights.all.add(range);
}

function unmark(node) {
  if (!node.hits) return;
  hits -= node.hits.length;
  hitLines -= 1;
  if (highlights) for (const range of node.hits) highlights.all.delete(range);
  node.hits = null;
  node.classList.remove("hit", "current");
  if (node === current) current = null;
}

function showSearchCount() {
  searchCount.textContent = !query
    ? ""
    : hits
      ? `${hits.toLocaleString()} match${hits === 1 ? "" : "es"} in ${hitLines.toLocaleString()} line${hitLines === 1 ? "" : "s"}`
      : "no match";
}

function applySearch() {
  query = search.value.toLowerCase();
  highlights?.all.clear();
  highlights?.current.clear();
  hits = hitLines = 0;
  current = null;
  for (const node of list.children) {
    node.hits = null;
    node.classList.remove("hit", "current");
    if (query) mark(node);
  }
  root.classList.toggle("searching", Boolean(query));
  showSearchCount();
  if (query) step(1, true);
}

function step(direction, fromEnd = false) {
  const lines = [...list.querySelectorAll(".ln.hit")];
  if (!lines.length) return;
  let index = lines.indexOf(current);
  if (index < 0 || fromEnd) index = direction > 0 ? lines.length - 1 : 0;
  else index = (index + direction + lines.length) % lines.length;
  current?.classList.remove("current");
  current = lines[index];
  current.classList.add("current");
  highlights?.current.clear();
  for (const range of current.hits || []) highlights?.current.add(range);
  view.scrollTop = current.offsetTop - (view.clientHeight - current.offsetHeight) / 2;
  setFollowing(atBottom());
}

let searchTimer = null;
search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(applySearch, 150);
});
search.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    step(event.shiftKey ? 1 : -1);
  } else if (event.key === "Escape") {
    search.value = "";
    applySearch();
  }
});
root.querySelector("[data-log-prev]").addEventListener("click", () => step(-1));
root.querySelector("[data-log-next]").addEventListener("click", () => step(1));

// --- view toggles and controls ----------------------------------------------------------------

for (const box of root.querySelectorAll("[data-log-toggle]")) {
  const apply = () => root.classList.toggle(box.dataset.logToggle, box.checked !== (box.dataset.invert === "1"));
  box.addEventListener("change", apply);
  apply();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  connect();
});
for (const field of [form.elements.tail, form.elements.timestamps, followBox]) {
  field.addEventListener("change", connect);
}
form.elements.since.addEventListener("change", connect);
const reconnectButton = ending.querySelector("[data-log-reconnect]");
reconnectButton.addEventListener("click", connect);

connect();

// Started again elsewhere (docker start, a restart policy): follow it again, as docker logs -f
// would if run anew. Removed: say so, and offer no reconnect.
watchContainer(host, id, {
  onStart() {
    if (!ended || ending.dataset.state === "invalid") return;
    if (options().follow) connect();
    else ending.querySelector("[data-log-end-text]").textContent = `Container ${name} was started again. Reconnect to see its new lines.`;
  },
  onRemoved() {
    if (ending.dataset.state === "invalid") return;
    stopSocket();
    finish(`Container ${name} was removed, so its log ends here.`, "ended");
  },
});
