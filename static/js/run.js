// The run form shows the `docker run` command it stands for, as the user types.
const form = document.querySelector("[data-run-form]");
const preview = form.querySelector("[data-cli-preview]");

function quote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\"'\"'")}'`;
}

function lines(name) {
  return form.elements[name].value.split(/[\n,]/).map((l) => l.trim()).filter(Boolean);
}

const detach = form.elements.detach;
const detachField = detach.closest(".field");

function render() {
  const interactive = form.elements.interactive.checked;
  detachField.hidden = !interactive; // without -it there is no terminal to open: always -d
  const words = ["docker", "run"];
  if (!interactive || detach.checked) words.push("-d");
  if (interactive) words.push("-it");
  const name = form.elements.name.value.trim();
  if (name) words.push("--name", name);
  for (const item of lines("env")) words.push("-e", item);
  for (const item of lines("ports")) words.push("-p", item);
  for (const item of lines("labels")) words.push("--label", item);
  const restart = form.elements.restart_policy.value;
  if (restart !== "no") words.push("--restart", restart);
  words.push(form.elements.image.value.trim() || "IMAGE");
  const command = form.elements.command.value.trim();
  preview.textContent = `$ ${words.map(quote).join(" ")}${command ? ` ${command}` : ""}`;
}

form.addEventListener("input", render);
render();
