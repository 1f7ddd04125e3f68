// Forms with data-confirm ask first, in the page's dialog, showing the docker command.
const dialog = document.getElementById("confirm-dialog");

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.dataset.confirm || form.dataset.confirmed === "yes" || !dialog) return;
  event.preventDefault();
  dialog.querySelector(".confirm-text").textContent = form.dataset.confirm;
  const command = form.dataset.command || "";
  dialog.querySelector(".confirm-cli").textContent = command ? `$ ${command}` : "";
  dialog.querySelector(".confirm-cli").hidden = !command;
  dialog.querySelector(".confirm-cli-label").hidden = !command;
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
