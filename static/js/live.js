// What the live pages share: WebSocket URLs, close codes as sentences, a reconnecting socket,
// and numbers formatted as `docker stats` prints them.

export function socketUrl(path, params = {}) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined && value !== false) query.set(key, value);
  }
  const qs = query.toString();
  return `${scheme}://${location.host}${path}${qs ? `?${qs}` : ""}`;
}

export function closeSentence(code) {
  if (code === 4401) return "You are no longer logged in. Log in again, then reconnect.";
  if (code === 4403) return "Your account may not watch this host.";
  if (code === 4404) return "This host no longer exists in the console.";
  return `The connection to the console closed (code ${code}); the console may be restarting.`;
}

// A socket that comes back after it drops, waiting longer each time (1 s, 2 s, 4 s … 30 s).
// `onFrame(data)` gets each JSON frame; `onStatus(state, detail)` hears "connecting", "live",
// and "down" (with the sentence of why and the seconds until the next try).
export function liveSocket(url, { onFrame, onStatus }) {
  let socket = null;
  let delay = 1000;
  let timer = null;
  let stopped = false;
  let reason = "";

  function open() {
    onStatus("connecting");
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      delay = 1000;
      reason = "";
      onStatus("live");
    });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "error") reason = data.error;
      onFrame(data);
    });
    socket.addEventListener("close", (event) => {
      if (stopped) return;
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) {
        onStatus("closed", closeSentence(event.code));
        return;
      }
      const seconds = Math.round(delay / 1000);
      onStatus("down", reason || "The live connection dropped.", seconds);
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  open();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}

// The little "● live" badge in a page header.
export function showStatus(element, state, detail, seconds) {
  if (!element) return;
  element.dataset.state = state;
  if (state === "live") {
    element.textContent = "live";
    element.title = "Updates as the engine reports changes";
  } else if (state === "connecting") {
    element.textContent = "connecting…";
    element.title = "";
  } else if (state === "down") {
    element.textContent = `disconnected — reconnecting in ${seconds} s`;
    element.title = detail || "";
  } else {
    element.textContent = detail || "disconnected";
    element.title = detail || "";
  }
}

// CustomSize from github.com/docker/go-units, as `docker stats` uses it: "%.4g" with binary
// units for memory ("1.944GiB"), "%.3g" with decimal units for network and block I/O ("12.3kB").
function customSize(size, base, units, precision) {
  let i = 0;
  let value = Number(size) || 0;
  while (value >= base && i < units.length - 1) {
    value /= base;
    i += 1;
  }
  return `${Number.parseFloat(value.toPrecision(precision))}${units[i]}`;
}

export function binarySize(size) {
  return customSize(size, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], 4);
}

export function decimalSize(size) {
  return customSize(size, 1000, ["B", "kB", "MB", "GB", "TB", "PB"], 3);
}

export function percent(value) {
  return `${(Number(value) || 0).toFixed(2)}%`;
}

export function rate(bytesPerSecond) {
  return `${decimalSize(bytesPerSecond)}/s`;
}

// A container page's header (state badge, actions) fetched again after the state changed, so
// the buttons offered match the container: Unpause once paused, Start once it exited.
// Resolves to the state the header now shows ("running", "exited (0)", …), or "" if unchanged.
let removed = false;
let headRequest = null;
let headAgain = false;

export function refreshHead() {
  if (removed) return Promise.resolve("removed");
  if (headRequest) {
    headAgain = true; // one more after this one: the state moved on while we asked
    return headRequest;
  }
  headRequest = fetchHead().finally(() => {
    headRequest = null;
    if (headAgain) {
      headAgain = false;
      refreshHead();
    }
  });
  return headRequest;
}

async function fetchHead() {
  const head = document.querySelector(".pagehead");
  // An action sent from this header is under way (its button says "Stopping…"): its answer
  // brings the next page; a fresh header now would drop that state and the form with it.
  if (head?.querySelector("form[aria-busy]")) return "";
  try {
    const response = await fetch(location.href, { headers: { "X-Live-Fragment": "head" }, cache: "no-store" });
    if (!response.ok || response.redirected || removed) return "";
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.querySelector(".pagehead");
    if (removed || !head || !fresh || head.contains(document.activeElement)) return "";
    head.replaceWith(fresh);
    return fresh.querySelector("[data-state-badge]")?.textContent.trim() || "";
  } catch {
    return ""; // the header stays as it was; the stream's own message says what happened
  }
}

// The header once the container is gone: "removed", no actions, the way back to the list.
export function showRemoved(host) {
  removed = true;
  const head = document.querySelector(".pagehead");
  if (!head) return;
  const badge = head.querySelector("[data-state-badge]");
  if (badge) {
    badge.textContent = "removed";
    badge.className = "badge bad";
  }
  const back = document.createElement("a");
  back.className = "button small secondary";
  back.href = `/hosts/${encodeURIComponent(host)}/containers/`;
  back.textContent = "Back to containers";
  const actions = head.querySelector(".actions-bar");
  if (actions) actions.replaceWith(back);
  else head.append(back);
}

export function isRemoved() {
  return removed;
}

const HEAD_ACTIONS = new Set(["create", "start", "restart", "die", "stop", "kill", "pause", "unpause", "oom", "update"]);

// One container's events, from the host's event stream: the header follows its state, `onStart`
// hears it start (again), `onRemoved` hears it removed. `id` is the container's full id.
export function watchContainer(host, id, { onStart, onRemoved } = {}) {
  return liveSocket(socketUrl(`/ws/hosts/${encodeURIComponent(host)}/events`), {
    onStatus() {},
    onFrame(frame) {
      if (frame.type !== "event" || frame.kind !== "container" || frame.id !== id || removed) return;
      const action = String(frame.action || "").split(":")[0];
      if (action === "destroy") {
        showRemoved(host);
        onRemoved?.();
      } else if (action === "start") {
        refreshHead();
        onStart?.();
      } else if (HEAD_ACTIONS.has(action)) {
        refreshHead();
      }
    },
  });
}
