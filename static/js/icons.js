// State icons drawn as SVG paths on a 16×16 grid, so they never depend on a font having a glyph.
// Each state has a colour (CSS), an icon (here) and a word (STATE_WORDS): never colour alone.

const SVG_NS = "http://www.w3.org/2000/svg";
const NAMES = { orchestrator: "Orchestrator", bus: "Event bus", client: "Client" };

/** How an actor is named on the page (services by their own name). */
export const actorName = (actor) => NAMES[actor] ?? actor;

export const STATE_WORDS = Object.freeze({
  idle: "idle",
  working: "working",
  committed: "committed",
  failed: "failed",
  retrying: "retrying",
  compensating: "compensating",
  compensated: "compensated",
  crashed: "crashed",
  replaying: "replaying",
});

// [path data, filled?]
const ICONS = {
  idle: ["M8 2.5a5.5 5.5 0 1 0 0.01 0z", false],
  working: ["M5 3 L13 8 L5 13 Z", true],
  committed: ["M2.5 8.5 L6.5 12.5 L13.5 4", false],
  failed: ["M3.5 3.5 L12.5 12.5 M12.5 3.5 L3.5 12.5", false],
  retrying: ["M13 8 A5 5 0 1 1 11.2 4.2 M11.5 1 L11.5 4.5 L8 4.5", false],
  compensating: ["M13.5 8 H3 M6.5 4.5 L3 8 L6.5 11.5", false],
  compensated: ["M3 6 H10 A3.2 3.2 0 0 1 10 12.4 H5.5 M6 2.5 L2.5 6 L6 9.5", false],
  crashed: ["M9.5 1 L3 9 H7.5 L6.5 15 L13 6.5 H8.5 Z", true],
  replaying: ["M8 3.5 L2.5 8 L8 12.5 Z M14 3.5 L8.5 8 L14 12.5 Z", true],
};

/** An <svg> (for HTML) or <g> (inside an SVG) holding the icon for a state. */
export function stateIcon(state, { inline = false, size = 16 } = {}) {
  const [d, filled] = ICONS[state] ?? ICONS.idle;
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("class", filled ? "icon-fill" : "icon-stroke");
  const holder = document.createElementNS(SVG_NS, inline ? "svg" : "g");
  holder.setAttribute("class", `state-icon icon-${state}`);
  holder.setAttribute("aria-hidden", "true");
  if (inline) {
    holder.setAttribute("viewBox", "0 0 16 16");
    holder.setAttribute("width", String(size));
    holder.setAttribute("height", String(size));
    holder.setAttribute("focusable", "false");
  }
  holder.append(path);
  return holder;
}

/** Replace the path inside an existing icon holder (cheaper than rebuilding the node). */
export function setIcon(holder, state) {
  const [d, filled] = ICONS[state] ?? ICONS.idle;
  const path = holder.firstChild;
  path.setAttribute("d", d);
  path.setAttribute("class", filled ? "icon-fill" : "icon-stroke");
  holder.setAttribute("class", `state-icon icon-${state}`);
}

export function svgEl(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  if (text !== null) el.textContent = text;
  return el;
}
