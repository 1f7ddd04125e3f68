// Search the inspect document: highlight matches and jump to the first.
const root = document.querySelector("[data-inspect]");
const pre = root.querySelector("[data-inspect-doc]");
const input = root.querySelector("[data-inspect-search]");
const count = root.querySelector("[data-inspect-count]");
const original = pre.textContent;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

input.addEventListener("input", () => {
  const query = input.value.trim();
  pre.textContent = original;
  count.textContent = "";
  if (!query) return;
  const pattern = new RegExp(escapeRegExp(query), "gi");
  const fragment = document.createDocumentFragment();
  let last = 0;
  let matches = 0;
  for (const match of original.matchAll(pattern)) {
    fragment.append(original.slice(last, match.index));
    const mark = document.createElement("mark");
    mark.textContent = match[0];
    fragment.append(mark);
    last = match.index + match[0].length;
    matches += 1;
  }
  fragment.append(original.slice(last));
  pre.replaceChildren(fragment);
  count.textContent = matches ? `${matches} match${matches === 1 ? "" : "es"}` : "no match";
  pre.querySelector("mark")?.scrollIntoView({ block: "center" });
});
