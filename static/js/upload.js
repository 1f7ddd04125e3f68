// Uploads with a progress bar: docker load of a tar, docker cp of files into a container.
// The file goes to the API with XMLHttpRequest (for its upload progress events); the
// server streams it on to the engine. The result line shows the docker CLI equivalent.
const UNITS = ["B", "KB", "MB", "GB", "TB"];

export function human(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit && value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function duration(seconds) {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const s = Math.floor(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\"'\"'")}'`;
}

function request(form) {
  const files = [...form.querySelector("input[type=file]").files];
  const url = new URL(form.dataset.url, location.href);
  let body;
  let command;
  if (form.dataset.kind === "load") {
    url.searchParams.set("filename", files[0].name);
    body = files[0];
    command = `docker load -i ${shellQuote(files[0].name)}`;
  } else {
    const dir = form.elements.path.value.trim();
    url.searchParams.set("path", dir);
    if (form.elements.mode && form.elements.mode.value) url.searchParams.set("mode", form.elements.mode.value);
    body = new FormData();
    for (const file of files) body.append("file", file, file.name);
    const target = shellQuote(`${form.dataset.ref}:${dir}`);
    command = files.map((f) => `docker cp ${shellQuote(f.name)} ${target}`).join(" && ");
  }
  const size = files.reduce((sum, f) => sum + f.size, 0);
  return { url, body, command, size, files };
}

function describe(form, data, req) {
  if (form.dataset.kind === "load") return `Loaded ${data.loaded.join(", ")}.`;
  const names = req.files.map((f) => f.name).join(", ");
  return `Copied ${names} (${human(req.size)}) into ${form.dataset.ref}:${form.elements.path.value.trim()}.`;
}

// A sentence from the server, its `backticked` commands and paths shown as code.
export function sentence(text) {
  return text.split(/`([^`]+)`/).map((part, i) => {
    if (i % 2 === 0) return document.createTextNode(part);
    const code = document.createElement("code");
    code.textContent = part;
    return code;
  });
}

export function show(box, text, command, isError) {
  box.hidden = false;
  box.className = isError ? "result msg error" : "result msg";
  box.replaceChildren(...sentence(text));
  if (command) {
    const code = document.createElement("code");
    code.className = "cli";
    code.title = "The same with the Docker CLI";
    code.textContent = `$ ${command}`;
    box.append(" ", code);
  }
}

function upload(form) {
  const section = form.closest("section") || form.parentElement;
  const wrap = section.querySelector("[data-progress]");
  const bar = section.querySelector("[data-progress-bar]");
  const text = section.querySelector("[data-progress-text]");
  const result = section.querySelector("[data-result]");
  const button = form.querySelector("button");
  const req = request(form);
  const started = performance.now();
  const xhr = new XMLHttpRequest();
  xhr.open(form.dataset.method || "POST", req.url);
  xhr.setRequestHeader("X-CSRFToken", csrfToken());
  if (form.dataset.kind === "load") xhr.setRequestHeader("Content-Type", "application/x-tar");
  wrap.hidden = false;
  result.hidden = true;
  button.disabled = true;
  bar.value = 0;
  text.textContent = `0 B of ${human(req.size)}`;
  xhr.upload.addEventListener("progress", (event) => {
    const total = event.lengthComputable ? event.total : req.size;
    const elapsed = (performance.now() - started) / 1000;
    bar.max = total || 1;
    bar.value = event.loaded;
    const speed = elapsed > 0 ? `${human(event.loaded / elapsed)}/s` : "";
    text.textContent = `${human(event.loaded)} of ${human(total)} · ${duration(elapsed)} · ${speed}`;
  });
  let uploaded = 0;
  xhr.upload.addEventListener("load", () => {
    uploaded = (performance.now() - started) / 1000;
    const speed = uploaded > 0 ? ` (${human(req.size / uploaded)}/s)` : "";
    const then = form.dataset.kind === "load" ? "; the engine is loading it…" : "; copying…";
    text.textContent = `${human(req.size)} uploaded in ${duration(uploaded)}${speed}${then}`;
  });
  xhr.addEventListener("load", () => {
    button.disabled = false;
    const elapsed = duration((performance.now() - started) / 1000);
    let data = {};
    try {
      data = xhr.responseText ? JSON.parse(xhr.responseText) : {};
    } catch {
      data = { error: `The server answered ${xhr.status} without a reason.` };
    }
    if (xhr.status >= 200 && xhr.status < 300) {
      bar.value = bar.max;
      if (uploaded) {
        const speed = ` (${human(req.size / uploaded)}/s)`;
        text.textContent = `${human(req.size)} uploaded in ${duration(uploaded)}${speed}`;
      }
      show(result, `${describe(form, data, req)} Took ${elapsed}.`, data.command || req.command, false);
    } else {
      if (uploaded) text.textContent = `${human(req.size)} uploaded in ${duration(uploaded)}; not ${form.dataset.kind === "load" ? "loaded" : "copied"}:`;
      show(result, data.error || `The server answered ${xhr.status}.`, "", true);
    }
  });
  xhr.addEventListener("error", () => {
    button.disabled = false;
    show(result, "The upload failed: the connection to the console broke. Try again.", "", true);
  });
  xhr.send(req.body);
}

for (const form of document.querySelectorAll("form[data-upload]")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    upload(form);
  });
}

// docker commit without leaving the page: what was typed stays for a correction after an error.
for (const form of document.querySelectorAll("form[data-commit]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = form.parentElement.querySelector("[data-commit-result]");
    const button = form.querySelector("button");
    const fields = form.elements;
    const body = {
      repository: fields.repository.value.trim(),
      tag: fields.tag.value.trim(),
      message: fields.message.value,
      author: fields.author.value,
      pause: fields.pause.checked,
    };
    button.disabled = true;
    show(box, `Committing ${form.dataset.ref}…`, "", false);
    try {
      const response = await fetch(form.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        const id = data.id.replace("sha256:", "").slice(0, 12);
        show(box, `Committed container ${form.dataset.ref} as image ${data.tag} (${id}).`, data.command, false);
      } else {
        show(box, data.error || `The server answered ${response.status}.`, "", true);
      }
    } catch {
      show(box, "The commit could not reach the console: the connection broke. Try again.", "", true);
    } finally {
      button.disabled = false;
    }
  });
}

// docker save: the download is the browser's own (with its progress); say what was asked for.
export function saveFilename(refs) {
  const parts = refs.map((ref) => {
    const name = ref.replace(/^sha256:/, "");
    if (/^[0-9a-f]{12,64}$/.test(name)) return name.slice(0, 12);
    return name.split("/").pop().replace(/:/g, "_").replace(/[^A-Za-z0-9._-]+/g, "_");
  });
  return `${parts.join("-").slice(0, 120) || "images"}.tar`;
}

for (const form of document.querySelectorAll("form[data-save]")) {
  form.addEventListener("submit", () => {
    const refs = [...form.elements.ref.selectedOptions].map((option) => option.value);
    const file = saveFilename(refs);
    const box = form.parentElement.querySelector("[data-save-result]");
    const command = `docker save -o ${shellQuote(file)} ${refs.map(shellQuote).join(" ")}`;
    show(
      box,
      `Saving ${refs.join(", ")} to ${file}. The engine gathers the images first (a few seconds a GB); ` +
        "the download then appears in the browser's downloads, with its progress.",
      command,
      false,
    );
  });
}
