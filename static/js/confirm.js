// Forms with data-confirm ask first, in the page's dialog, showing the docker command.
//
// data-confirm and data-command may name the form's fields in braces ("docker kill -s {signal} web"):
// the dialog shows what the form will send, as chosen. An element with data-command-preview
// inside such a form shows the same command live, as the fields change.
// Optional: data-confirm-ok (the confirm button's label), data-confirm-alt-href and
// data-confirm-alt-label (another way out, e.g. the container that uses an image).
const dialog = document.getElementById("confirm-dialog");

function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\"'\"'")}'`;
}

export function fill(template, form, quote = shellQuote) {
  return (template || "").replace(/\{([\w-]+)\}/g, (whole, name) => {
    const field = form.elements.namedItem(name);
    if (!field || !("value" in field)) return whole;
    return quote(String(field.value).trim());
  });
}

function refreshPreviews(form) {
  for (const preview of form.querySelectorAll("[data-command-preview]")) {
    preview.textContent = `$ ${fill(form.dataset.command, form)}`;
  }
}

for (const form of document.querySelectorAll("form[data-command]")) refreshPreviews(form);
for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => {
    const form = event.target.form;
    if (form && form.dataset.command) refreshPreviews(form);
  });
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.dataset.confirm || form.dataset.confirmed === "yes" || !dialog) return;
  event.preventDefault();
  dialog.querySelector(".confirm-text").textContent = fill(form.dataset.confirm, form, (v) => v);
  const command = fill(form.dataset.command, form);
  dialog.querySelector(".confirm-cli").textContent = command ? `$ ${command}` : "";
  dialog.querySelector(".confirm-cli").hidden = !command;
  dialog.querySelector(".confirm-cli-label").hidden = !command;
  dialog.querySelector(".confirm-ok").textContent = fill(form.dataset.confirmOk, form, (v) => v) || "Confirm";
  const alt = dialog.querySelector(".confirm-alt");
  if (alt) {
    alt.hidden = !form.dataset.confirmAltHref;
    alt.href = form.dataset.confirmAltHref || "#";
    alt.textContent = form.dataset.confirmAltLabel || "";
  }
  dialog.returnValue = "";
  dialog.addEventListener(
    "close",
    () => {
      if (dialog.returnValue !== "ok") return;
      form.dataset.confirmed = "yes";
      form.requestSubmit();
    },
    { once: true },
  );
  dialog.showModal();
});
