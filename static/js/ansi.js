// ANSI SGR colours as styled DOM nodes; every other escape sequence and control character dropped.
// Nothing here uses innerHTML: text goes in as text nodes, colours as class names or CSS values.

// CSI (ESC [ … final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC strings, other two-byte escapes,
// and the C0/C1 control characters except tab and carriage return (handled apart).
const SEQUENCE =
  /\x1b\[([0-?]*)[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?|\r|[\x00-\x08\x0a-\x0c\x0e-\x1f\x7f-\x9f]/g;

const CUBE = [0, 95, 135, 175, 215, 255];

function color256(n) {
  if (n < 16) return n;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  return `rgb(${CUBE[Math.floor(i / 36)]},${CUBE[Math.floor(i / 6) % 6]},${CUBE[i % 6]})`;
}

function byte(value) {
  const n = Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.max(0, Math.min(255, n)) : 0;
}

export class AnsiState {
  constructor() {
    this.reset();
  }

  reset() {
    this.fg = null; // null, 0-15 (a palette class) or an "rgb(…)" string
    this.bg = null;
    this.bold = this.dim = this.italic = this.underline = this.inverse = this.strike = false;
  }

  // Apply one SGR parameter list ("1;31", "38;5;208", "38:2::10:20:30", "").
  apply(params) {
    const codes = params === "" ? ["0"] : params.split(/[;:]/);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] === "" ? 0 : Number.parseInt(codes[i], 10);
      if (code === 0) this.reset();
      else if (code === 1) this.bold = true;
      else if (code === 2) this.dim = true;
      else if (code === 3) this.italic = true;
      else if (code === 4) this.underline = true;
      else if (code === 7) this.inverse = true;
      else if (code === 9) this.strike = true;
      else if (code === 22) this.bold = this.dim = false;
      else if (code === 23) this.italic = false;
      else if (code === 24) this.underline = false;
      else if (code === 27) this.inverse = false;
      else if (code === 29) this.strike = false;
      else if (code >= 30 && code <= 37) this.fg = code - 30;
      else if (code >= 90 && code <= 97) this.fg = code - 90 + 8;
      else if (code === 39) this.fg = null;
      else if (code >= 40 && code <= 47) this.bg = code - 40;
      else if (code >= 100 && code <= 107) this.bg = code - 100 + 8;
      else if (code === 49) this.bg = null;
      else if (code === 38 || code === 48) {
        let value = null;
        if (codes[i + 1] === "5") {
          value = color256(byte(codes[i + 2]));
          i += 2;
        } else if (codes[i + 1] === "2") {
          // 38;2;R;G;B, or with colons 38:2::R:G:B (an empty colour-space id)
          const skip = codes.length - i > 5 && codes[i + 2] === "" ? 1 : 0;
          value = `rgb(${byte(codes[i + 2 + skip])},${byte(codes[i + 3 + skip])},${byte(codes[i + 4 + skip])})`;
          i += 4 + skip;
        }
        if (code === 38) this.fg = value;
        else this.bg = value;
      }
    }
  }

  plain() {
    return (
      this.fg === null && this.bg === null && !this.bold && !this.dim && !this.italic &&
      !this.underline && !this.inverse && !this.strike
    );
  }

  // A span styled as the state says (only called when the state is not plain).
  span() {
    const span = document.createElement("span");
    const classes = [];
    const fg = this.inverse ? this.bg : this.fg;
    const bg = this.inverse ? this.fg : this.bg;
    if (typeof fg === "number") classes.push(`a-fg${fg}`);
    else if (fg) span.style.color = fg;
    else if (this.inverse) classes.push("a-inv-fg");
    if (typeof bg === "number") classes.push(`a-bg${bg}`);
    else if (bg) span.style.backgroundColor = bg;
    else if (this.inverse) classes.push("a-inv-bg");
    if (this.bold) classes.push("a-b");
    if (this.dim) classes.push("a-d");
    if (this.italic) classes.push("a-i");
    if (this.underline) classes.push("a-u");
    if (this.strike) classes.push("a-s");
    if (classes.length) span.className = classes.join(" ");
    return span;
  }
}

// Render one line of text into `parent`, carrying the colour state across lines as a terminal does.
// A carriage return (a progress bar redrawing its line) keeps only what was written after it.
export function renderAnsi(text, state, parent) {
  if (!text.includes("\x1b") && !/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(text) && state.plain()) {
    parent.append(text);
    return;
  }
  let nodes = [];
  let pendingReturn = false;
  let last = 0;
  const emit = (chunk) => {
    if (!chunk) return;
    if (pendingReturn) {
      nodes = [];
      pendingReturn = false;
    }
    if (state.plain()) {
      nodes.push(document.createTextNode(chunk));
    } else {
      const span = state.span();
      span.textContent = chunk;
      nodes.push(span);
    }
  };
  for (const match of text.matchAll(SEQUENCE)) {
    emit(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === "\r") pendingReturn = true;
    else if (match[0].startsWith("\x1b[") && match[0].endsWith("m") && match[1] !== undefined) {
      if (/^[0-9;:]*$/.test(match[1])) state.apply(match[1]);
    }
  }
  emit(text.slice(last));
  parent.append(...nodes);
}
