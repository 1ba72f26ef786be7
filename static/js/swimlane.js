// The swimlane: a sequence diagram over virtual time. One lane per actor, an arrow per call or
// message, retries and compensations marked, the cursor drawn; events after it are faded.
// Incremental: new events append marks, a cursor move re-marks only what it passed, and all is
// redrawn only when the lanes change. The chart is a row of SVG tiles about TILE px wide and
// only the last one grows: resizing one SVG of a thousand marks lays out all of them.

import { actorName, svgEl } from "./icons.js";
import { hopFor } from "./diagram.js";

const LANE = 24;
const TOP = 26;
const LEFT = 16;
const MIN_GAP = 18;
const MAX_GAP = 150;
const PX_PER_MS = 0.9;
const TILE = 1024;
const MARK = 8; // how far a mark reaches either side of its x

/**
 * x for each event: proportional to virtual time, but never closer than MIN_GAP and with long
 * waits compressed to MAX_GAP and flagged as a break. `tiles`: where each tile starts, between
 * two marks. With `from` (the answer for a prefix), only the events after it are placed.
 */
export function timePositions(events, from = null) {
  const xs = from ? [...from.xs] : [];
  const breaks = from ? [...from.breaks] : [];
  const tiles = from ? [...from.tiles] : [0];
  let x = from ? from.x : LEFT;
  let prevT = from ? from.lastT : null;
  for (let i = xs.length; i < events.length; i += 1) {
    const t = events[i].t_ms ?? 0;
    if (prevT !== null) {
      const ideal = (t - prevT) * PX_PER_MS;
      const gap = Math.min(MAX_GAP, Math.max(MIN_GAP, ideal));
      if (x + gap + MARK - tiles[tiles.length - 1] > TILE) tiles.push(x + Math.min(gap / 2, 12));
      if (ideal > MAX_GAP) breaks.push({ x: x + MAX_GAP / 2, ms: t - prevT });
      x += gap;
    }
    xs.push(x);
    prevT = t;
  }
  return { xs, breaks, tiles, width: x + LEFT * 4, x, lastT: prevT };
}

/** The tile that draws a mark at x: the last one starting at or before it. */
export function tileIndex(tiles, x) {
  let lo = 0;
  let hi = tiles.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (tiles[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The marks [lo, hi) a cursor move from `from` to `to` makes future (back) or past (forward). */
export function cursorMarks(from, to, count) {
  const lo = Math.min(from, to);
  const hi = Math.min(Math.max(from, to), count);
  return { lo, hi: Math.max(lo, hi), future: to < from };
}

/** The index of the x in ascending `xs` nearest to `x` (the first of a tie); -1 when empty. */
export function nearestIndex(xs, x) {
  if (!xs.length) return -1;
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(xs[lo - 1] - x) <= Math.abs(xs[lo] - x) ? lo - 1 : lo;
}

/** How an event is drawn: an arrow between lanes or a mark on one lane, with its category. */
export function eventMark(event) {
  const k = event.kind;
  const category =
    k.endsWith("retry_scheduled") ? "retry"
      : k.startsWith("compensation.") ? (k.endsWith("failed") ? "bad" : "undo")
        : k.endsWith("failed") || k === "step.timed_out" || k === "message.dropped" ? "bad"
          : k.endsWith("succeeded") || k === "saga.completed" ? "ok"
            : k.endsWith("crashed") ? "crash"
              : k.endsWith("recovered") ? "recover"
                : k.startsWith("message.") ? "message"
                  : k === "saga.compensated" ? "undo" : "neutral";
  const hop = hopFor(event);
  if (hop) return { type: "arrow", from: hop.from, to: hop.to, category, label: hop.label };
  const actor = k === "message.duplicate_ignored" ? event.detail?.target ?? event.actor : event.actor;
  return { type: "mark", actor, category };
}

/** Lanes: the given actors first, then anyone else the events mention, in first-seen order. */
export function laneOrder(actors, events) {
  const lanes = [...actors];
  const add = (a) => {
    if (a && !lanes.includes(a)) lanes.push(a);
  };
  for (const e of events) {
    add(e.actor);
    add(e.detail?.target);
    add(e.detail?.service);
  }
  return lanes;
}

/** True when an event mentions an actor that has no lane yet. */
function needsLane(lanes, e) {
  return [e.actor, e.detail?.target, e.detail?.service].some((a) => a && !lanes.has(a));
}

export function createSwimlane(root, { onSeek = () => {} } = {}) {
  const labels = svgEl("svg", { class: "lane-labels", "aria-hidden": "true" });
  const scroller = document.createElement("div");
  scroller.className = "lane-scroll";
  const strip = document.createElement("div");
  strip.className = "lane-chart";
  strip.setAttribute("role", "img");
  const cursorLine = document.createElement("div");
  cursorLine.className = "lane-cursor";
  scroller.append(strip);
  root.append(labels, scroller);

  let key = "";
  let first = null;
  let lanes = [];
  let laneSet = new Set();
  let pos = timePositions([]);
  let tiles = [];
  let drawn = [];
  let marked = 0; // drawn[i] is marked future exactly when i >= marked
  let height = 0;
  let cursorX = null;
  let label = "";
  let scrollTo = null;

  function laneY(actor) {
    const i = lanes.indexOf(actor);
    return TOP + (i < 0 ? lanes.length : i) * LANE + LANE / 2;
  }

  function rebuild(events, actors, cursor) {
    lanes = laneOrder(actors, events);
    laneSet = new Set(lanes);
    height = TOP + lanes.length * LANE + 8;
    labels.setAttribute("viewBox", `0 0 120 ${height}`);
    labels.setAttribute("height", String(height));
    labels.replaceChildren(...lanes.map((a) => svgEl("text", {
      x: 114, y: laneY(a) + 4, "text-anchor": "end", class: "lane-name",
    }, actorName(a))));
    strip.style.height = `${height}px`;
    cursorLine.style.height = `${height - TOP + 6}px`;
    strip.replaceChildren(cursorLine);
    tiles = [];
    pos = timePositions([]);
    drawn = [];
    marked = cursor;
    cursorX = null;
    extend(events);
  }

  function tile(index) {
    while (tiles.length <= index) {
      const x0 = pos.tiles[tiles.length];
      const svg = svgEl("svg", { class: "lane-tile", height });
      const lines = lanes.map((a) => svgEl("line", { x1: x0, y1: laneY(a), y2: laneY(a), class: "lane" }));
      const events = svgEl("g");
      svg.append(...lines, events);
      strip.insertBefore(svg, cursorLine);
      tiles.push({ svg, lines, events, x0, width: -1 });
    }
    return tiles[index];
  }

  function size(t, width) {
    if (t.width === width) return;
    t.width = width;
    t.svg.setAttribute("width", String(width));
    t.svg.setAttribute("viewBox", `${t.x0} 0 ${width} ${height}`);
    for (const line of t.lines) line.setAttribute("x2", String(t.x0 + width));
  }

  function extend(events) {
    const knownBreaks = pos.breaks.length;
    const before = drawn.length;
    pos = timePositions(events, pos);
    for (const b of pos.breaks.slice(knownBreaks)) {
      tile(tileIndex(pos.tiles, b.x)).events.append(svgEl("text", {
        x: b.x, y: 14, class: "lane-break", "text-anchor": "middle",
      }, `⋯ ${b.ms} ms`));
    }
    for (let i = before; i < events.length; i += 1) {
      const g = drawEvent(events[i], pos.xs[i], i);
      drawn.push(g);
      tile(tileIndex(pos.tiles, pos.xs[i])).events.append(g);
    }
    tile(pos.tiles.length - 1);
    tiles.forEach((t, k) => size(t, (pos.tiles[k + 1] ?? pos.width) - t.x0));
  }

  function drawEvent(event, x, i) {
    const mark = eventMark(event);
    const g = svgEl("g", {
      class: `lane-event ${mark.category}${i >= marked ? " future" : ""}`, "data-index": i,
    });
    if (mark.type === "arrow") {
      const y1 = laneY(mark.from);
      const y2 = laneY(mark.to);
      const dir = y2 > y1 ? -1 : 1;
      g.append(svgEl("line", { x1: x - 4, y1, x2: x + 4, y2, class: "lane-arrow" }),
        svgEl("path", { d: `M${x + 4},${y2} l-4,${dir * 7} l7,${dir * 1}z`, class: "lane-head" }));
    } else {
      const y = laneY(mark.actor);
      if (mark.category === "retry") {
        g.append(svgEl("text", { x, y: y + 5, "text-anchor": "middle", class: "lane-glyph" }, "↻"));
      } else if (mark.category === "crash") {
        g.append(svgEl("rect", { x: x - 6, y: y - 6, width: 12, height: 12, class: "lane-dot" }));
      } else {
        g.append(svgEl("circle", { cx: x, cy: y, r: 5, class: "lane-dot" }));
      }
    }
    g.append(svgEl("title", {}, `${event.t_ms} ms · ${event.kind} · ${event.narration ?? ""}`));
    return g;
  }

  /** Re-mark only the drawn events the cursor passed since the last render. */
  function markPast(cursor) {
    const { lo, hi, future } = cursorMarks(marked, cursor, drawn.length);
    for (let i = lo; i < hi; i += 1) drawn[i].classList.toggle("future", future);
    marked = cursor;
  }

  function placeCursor(cursor) {
    const x = cursor > 0 ? pos.xs[cursor - 1] : LEFT / 2;
    if (x === cursorX) return false;
    cursorLine.style.transform = `translateX(${x}px)`;
    cursorX = x;
    return true;
  }

  strip.addEventListener("click", (ev) => {
    const mark = ev.target.closest?.("g.lane-event");
    if (mark) onSeek(Number(mark.dataset.index) + 1);
    else if (pos.xs.length) onSeek(nearestIndex(pos.xs, ev.clientX - strip.getBoundingClientRect().left) + 1);
  });

  return {
    /** Draw `events`, the first `cursorIndex` as past: writes only, no layout reads. */
    render(events, cursorIndex, actors, { runId = "", follow = true } = {}) {
      const newKey = `${runId}|${actors.join(",")}`;
      const fresh = events.slice(drawn.length);
      if (newKey !== key || events.length < drawn.length || events[0] !== first
          || fresh.some((e) => needsLane(laneSet, e))) {
        key = newKey;
        first = events[0];
        rebuild(events, actors, cursorIndex);
      } else {
        markPast(cursorIndex);
        if (fresh.length) extend(events);
      }
      if (placeCursor(cursorIndex) && follow) scrollTo = cursorX;
      const last = events[cursorIndex - 1];
      const text = `Timeline of ${events.length} events over ${
        events.length ? events[events.length - 1].t_ms : 0} ms of virtual time; cursor at ${
        last ? `${last.t_ms} ms, ${last.kind}` : "the start"}.`;
      if (text !== label) {
        strip.setAttribute("aria-label", text);
        label = text;
      }
    },
    /** After every part of the page is written: scroll the cursor into view. */
    settle() {
      if (scrollTo === null) return;
      const x = scrollTo;
      scrollTo = null;
      const left = scroller.scrollLeft;
      const width = scroller.clientWidth;
      if (x < left || x > left + width - 20) scroller.scrollLeft = Math.max(0, x - width * 0.7);
    },
  };
}
