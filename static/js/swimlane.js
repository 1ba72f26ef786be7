// The swimlane: a sequence diagram over virtual time. One lane per actor, an arrow per call or
// message, retries and compensations marked, the cursor drawn; events after it are faded.

import { svgEl } from "./icons.js";
import { hopFor } from "./diagram.js";

const LANE = 24;
const TOP = 26;
const LEFT = 16;
const MIN_GAP = 18;
const MAX_GAP = 150;
const PX_PER_MS = 0.9;
const LABELS = { orchestrator: "Orchestrator", bus: "Event bus", client: "Client" };

/**
 * x for each event: proportional to virtual time, but never closer than MIN_GAP and with long
 * waits (retry back-off, timeouts) compressed to MAX_GAP and flagged as a break.
 */
export function timePositions(events) {
  const xs = [];
  const breaks = [];
  let x = LEFT;
  let prevT = null;
  for (let i = 0; i < events.length; i += 1) {
    const t = events[i].t_ms ?? 0;
    if (prevT !== null) {
      const ideal = (t - prevT) * PX_PER_MS;
      if (ideal > MAX_GAP) breaks.push({ x: x + MAX_GAP / 2, ms: t - prevT });
      x += Math.min(MAX_GAP, Math.max(MIN_GAP, ideal));
    }
    xs.push(x);
    prevT = t;
  }
  return { xs, breaks, width: x + LEFT * 4 };
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

export function createSwimlane(root, { onSeek = () => {} } = {}) {
  const labels = svgEl("svg", { class: "lane-labels", "aria-hidden": "true" });
  const scroller = document.createElement("div");
  scroller.className = "lane-scroll";
  const chart = svgEl("svg", { class: "lane-chart", role: "img" });
  scroller.append(chart);
  root.append(labels, scroller);

  let drawn = [];
  let key = "";
  let lanes = [];
  let xs = [];
  let cursorLine = null;
  let cursor = -1;

  function laneY(actor) {
    const i = lanes.indexOf(actor);
    return TOP + (i < 0 ? lanes.length : i) * LANE + LANE / 2;
  }

  function rebuild(events, actors) {
    lanes = laneOrder(actors, events);
    const pos = timePositions(events);
    xs = pos.xs;
    const height = TOP + lanes.length * LANE + 8;
    labels.setAttribute("viewBox", `0 0 120 ${height}`);
    labels.setAttribute("height", String(height));
    labels.replaceChildren(...lanes.map((a) => svgEl("text", {
      x: 114, y: laneY(a) + 4, "text-anchor": "end", class: "lane-name",
    }, LABELS[a] ?? a)));
    chart.setAttribute("viewBox", `0 0 ${pos.width} ${height}`);
    chart.setAttribute("width", String(pos.width));
    chart.setAttribute("height", String(height));
    chart.replaceChildren();
    for (const a of lanes) {
      chart.append(svgEl("line", { x1: 0, x2: pos.width, y1: laneY(a), y2: laneY(a), class: "lane" }));
    }
    for (const b of pos.breaks) {
      chart.append(svgEl("text", { x: b.x, y: 14, class: "lane-break", "text-anchor": "middle" },
        `⋯ ${b.ms} ms`));
    }
    drawn = events.map((e, i) => drawEvent(e, xs[i], i));
    cursorLine = svgEl("line", { y1: TOP - 6, y2: height, class: "lane-cursor" });
    chart.append(cursorLine);
    cursor = -1;
  }

  function extend(events) {
    const before = drawn.length;
    const pos = timePositions(events);
    xs = pos.xs;
    chart.setAttribute("viewBox", `0 0 ${pos.width} ${chart.getAttribute("height")}`);
    chart.setAttribute("width", String(pos.width));
    for (const line of chart.querySelectorAll("line.lane")) line.setAttribute("x2", String(pos.width));
    const knownBreaks = timePositions(events.slice(0, before)).breaks.length;
    for (const b of pos.breaks.slice(knownBreaks)) {
      chart.insertBefore(svgEl("text", { x: b.x, y: 14, class: "lane-break", "text-anchor": "middle" },
        `⋯ ${b.ms} ms`), cursorLine);
    }
    for (let i = before; i < events.length; i += 1) drawn.push(drawEvent(events[i], xs[i], i));
    chart.append(cursorLine);
    cursor = -1;
  }

  function drawEvent(event, x, i) {
    const mark = eventMark(event);
    const g = svgEl("g", { class: `lane-event ${mark.category}`, "data-index": i });
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
    g.addEventListener("click", (ev) => {
      ev.stopPropagation();
      onSeek(i + 1);
    });
    chart.append(g);
    return g;
  }

  chart.addEventListener("click", (ev) => {
    if (!xs.length) return;
    const rect = chart.getBoundingClientRect();
    const scale = Number(chart.getAttribute("width")) / rect.width || 1;
    const x = (ev.clientX - rect.left) * scale;
    let best = 0;
    xs.forEach((v, i) => {
      if (Math.abs(v - x) < Math.abs(xs[best] - x)) best = i;
    });
    onSeek(best + 1);
  });

  return {
    render(events, cursorIndex, actors, { runId = "", follow = true } = {}) {
      const newKey = `${runId}|${actors.join(",")}`;
      const sameLanes = laneOrder(actors, events).length === lanes.length;
      if (newKey !== key || !sameLanes || events.length < drawn.length) {
        rebuild(events, actors);
        key = newKey;
      } else if (events.length > drawn.length) {
        extend(events);
      }
      if (cursorIndex !== cursor) {
        drawn.forEach((g, i) => g.classList.toggle("future", i >= cursorIndex));
        const x = cursorIndex > 0 ? xs[cursorIndex - 1] : LEFT / 2;
        cursorLine.setAttribute("x1", String(x));
        cursorLine.setAttribute("x2", String(x));
        cursor = cursorIndex;
        if (follow) {
          const target = x - scroller.clientWidth * 0.7;
          if (x < scroller.scrollLeft || x > scroller.scrollLeft + scroller.clientWidth - 20) {
            scroller.scrollLeft = Math.max(0, target);
          }
        }
      }
      const last = events[cursorIndex - 1];
      chart.setAttribute("aria-label", `Timeline of ${events.length} events over ${
        events.length ? events[events.length - 1].t_ms : 0} ms of virtual time; cursor at ${
        last ? `${last.t_ms} ms, ${last.kind}` : "the start"}.`);
    },
  };
}
