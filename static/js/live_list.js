// A list page that follows the host's events (/ws/hosts/{host}/events): when a relevant event
// arrives, the table is fetched again from the server (the same view, asked for its fragment
// with X-Live-Fragment) and swapped in. Events are gathered for a moment first, and a swap
// waits while the user is typing in or has opened something inside the table.
import { liveSocket, showStatus, socketUrl } from "./live.js";

const QUIET_MS = 250; // wait this long after an event for more
const MAX_WAIT_MS = 1500; // but never longer than this in a burst

const region = document.querySelector("[data-live-region]");
const indicator = document.querySelector("[data-live]");
const { host } = region.dataset;

// data-events="image container:create,destroy": which kinds, and optionally which of their actions.
const wanted = new Map(
  region.dataset.events.split(/\s+/).map((part) => {
    const [kind, actions] = part.split(":");
    return [kind, actions ? new Set(actions.split(",")) : null];
  }),
);
const CONTAINER_ACTIONS = new Set([
  "create", "start", "restart", "stop", "die", "kill", "pause", "unpause", "destroy", "rename", "update",
]);

function relevant(event) {
  if (!wanted.has(event.kind)) return false;
  const action = String(event.action || "").split(":")[0]; // "health_status: healthy"
  const only = wanted.get(event.kind);
  if (only) return only.has(action);
  if (event.kind === "container") return CONTAINER_ACTIONS.has(action) || action === "health_status";
  return true;
}

let quietTimer = null;
let firstAt = 0;
let fetching = false;
let again = false;
let deferred = null;

function schedule() {
  const now = Date.now();
  if (!quietTimer) firstAt = now;
  clearTimeout(quietTimer);
  const wait = Math.max(0, Math.min(QUIET_MS, firstAt + MAX_WAIT_MS - now));
  quietTimer = setTimeout(() => {
    quietTimer = null;
    refresh();
  }, wait);
}

function busy() {
  // The user is filling a form, has a menu open, or a confirmation is up: do not pull the rug.
  const active = document.activeElement;
  return (
    (active && region.contains(active) && active.matches("input, select, textarea")) ||
    region.querySelector("details[open]") !== null ||
    document.querySelector("dialog[open]") !== null
  );
}

const ROWS = "tr[data-name], tr[data-ref]";

function keyOf(tr) {
  return tr.dataset.name || tr.dataset.ref || "";
}

function signature(tr) {
  return tr.dataset.key ?? tr.textContent.replace(/\s+/g, " ");
}

async function refresh() {
  if (fetching) {
    again = true;
    return;
  }
  fetching = true;
  try {
    const response = await fetch(location.href, {
      headers: { "X-Live-Fragment": "1" },
      cache: "no-store",
      credentials: "same-origin",
    });
    if (response.redirected && new URL(response.url).pathname.startsWith("/accounts/login")) {
      showStatus(indicator, "closed", "You are no longer logged in: reload the page to log in.");
      return;
    }
    const html = await response.text();
    if (!response.ok) {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const sentence = doc.querySelector(".sentence")?.textContent || `HTTP ${response.status}`;
      indicator.title = `The list could not be refreshed: ${sentence}`;
      return;
    }
    swapWhenIdle(html);
  } catch (error) {
    indicator.title = `The list could not be refreshed: ${error}`;
  } finally {
    fetching = false;
    if (again) {
      again = false;
      schedule();
    }
  }
}

function swapWhenIdle(html) {
  deferred = html;
  if (busy()) return; // retried when focus leaves, a menu closes, or the dialog closes
  deferred = null;
  const before = new Map([...region.querySelectorAll(ROWS)].map((tr) => [keyOf(tr), signature(tr)]));
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  region.replaceChildren(...doc.body.childNodes);
  for (const tr of region.querySelectorAll(ROWS)) {
    if (before.get(keyOf(tr)) !== signature(tr)) tr.classList.add("live-changed");
  }
}

function retryDeferred() {
  if (deferred !== null) setTimeout(() => deferred !== null && swapWhenIdle(deferred), 50);
}
region.addEventListener("focusout", retryDeferred);
region.addEventListener("toggle", retryDeferred, true);
document.getElementById("confirm-dialog")?.addEventListener("close", retryDeferred);

let wasDown = false;
liveSocket(socketUrl(`/ws/hosts/${encodeURIComponent(host)}/events`), {
  onFrame(data) {
    if (data.type === "event" && relevant(data)) schedule();
  },
  onStatus(state, detail, seconds) {
    showStatus(indicator, state, detail, seconds);
    if (state === "down" || state === "closed") wasDown = true;
    if (state === "live" && wasDown) {
      wasDown = false;
      schedule(); // events may have been missed while the socket was down
    }
  },
});
