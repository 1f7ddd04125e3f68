// Small behaviours every page shares (loaded by base.html):
// - popovers made of <details class="popover-menu|tag-form">: opening one closes the others, focus moves
//   into its form, it opens upwards when there is no room below, Escape closes it;
// - forms that POST (stop, restart, remove…) show that they are working: their buttons are
//   disabled and the clicked one says "Stopping…" until the next page arrives.

const POPOVERS = "details.tag-form";

document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.matches(POPOVERS)) return;
    if (!details.open) {
      details.classList.remove("up");
      return;
    }
    for (const other of document.querySelectorAll(`${POPOVERS}[open]`)) {
      if (other !== details) other.open = false;
    }
    const panel = details.querySelector("summary + *");
    if (panel) {
      details.classList.remove("up");
      const box = panel.getBoundingClientRect();
      const above = details.getBoundingClientRect().top;
      if (box.bottom > window.innerHeight - 8 && above > box.height + 8) details.classList.add("up");
    }
    details.querySelector("input:not([type=hidden]), select, textarea, button")?.focus();
  },
  true, // toggle does not bubble
);

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.activeElement?.closest?.(`${POPOVERS}[open]`);
  if (!open) return;
  open.open = false;
  open.querySelector("summary")?.focus();
});

document.addEventListener("click", (event) => {
  // A click elsewhere closes an open popover.
  for (const open of document.querySelectorAll(`${POPOVERS}[open]`)) {
    if (!open.contains(event.target)) open.open = false;
  }
});

// --- forms at work ------------------------------------------------------------------------------

const WORKING = {
  start: "Starting…",
  stop: "Stopping…",
  restart: "Restarting…",
  pause: "Pausing…",
  unpause: "Unpausing…",
  kill: "Killing…",
  remove: "Removing…",
  "force remove": "Removing…",
  "remove…": "Removing…",
  untag: "Untagging…",
  tag: "Tagging…",
  commit: "Committing…",
};

// On window, so it runs after every handler on the document (confirm.js asks first and cancels
// the first submit; only the real one gets here).
window.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method !== "post" || form.hasAttribute("data-no-busy")) return;
  const clicked = event.submitter || form.querySelector("button:not([type=button])");
  // Disabled controls are left out of the form's data: wait until it is built.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button")) {
      button.dataset.label ??= button.textContent;
      button.disabled = true;
    }
    if (clicked) {
      const label = WORKING[clicked.textContent.trim().toLowerCase()];
      if (label) clicked.textContent = label;
      clicked.classList.add("busy");
      clicked.setAttribute("aria-busy", "true");
    }
    form.setAttribute("aria-busy", "true");
  });
});

// Back to a page from the history: its buttons work again.
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[aria-busy]")) {
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button")) {
      button.disabled = false;
      button.classList.remove("busy");
      button.removeAttribute("aria-busy");
      if (button.dataset.label !== undefined) button.textContent = button.dataset.label;
    }
  }
});
