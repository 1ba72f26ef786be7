// The service map: an SVG of the actors, the calls and subscriptions between them, node states
// by colour, icon and word, and dots travelling along the edges as messages move.

import { actorName, setIcon, STATE_WORDS, stateIcon, svgEl } from "./icons.js";
import {
  arcPath, LABEL_DX, LABEL_DY, labelFrames, mapLayout, pathOffsets, travelPath,
} from "./layout.js";

let instances = 0;


export function createDiagram(root, { onActivateNode = () => {}, title = "Service map" } = {}) {
  const svg = svgEl("svg", { class: "map-svg", role: "group", "aria-label": title });
  const edgeLayer = svgEl("g", { class: "edges" });
  const nodeLayer = svgEl("g", { class: "nodes" });
  const dotLayer = svgEl("g", { class: "dots", "aria-hidden": "true" });
  instances += 1;
  const markerId = `arrow-flow-${instances}`;
  const defs = svgEl("defs");
  const marker = svgEl("marker", { id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 9, markerHeight: 9, markerUnits: "userSpaceOnUse", orient: "auto-start-reverse",
    class: "arrowhead" });
  marker.append(svgEl("path", { d: "M0,0 L10,5 L0,10 z" }));
  defs.append(marker);
  svg.append(defs, edgeLayer, nodeLayer, dotLayer);
  root.append(svg);

  let layout = null;
  let layoutKey = "";
  let nodeEls = {};
  let arcEls = [];
  let replayTimer = 0;

  function rebuild(state, scenario, narrow) {
    layout = mapLayout(state.mode, state.actors, scenario, { narrow });
    svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
    svg.classList.toggle("narrow", narrow);
    // Past five services the subscription labels collide: show only the one in use.
    svg.classList.toggle("crowded", (scenario?.steps?.length ?? 0) > 5);
    // A narrow map is drawn for phones; on a wider box it must not grow huge.
    svg.style.maxWidth = narrow ? `${Math.round(layout.width * 1.35)}px` : "";
    edgeLayer.replaceChildren();
    nodeLayer.replaceChildren();
    dotLayer.replaceChildren();
    nodeEls = {};
    arcEls = [];
    for (const edge of layout.edges) drawEdge(edge);
    for (const [actor, b] of Object.entries(layout.nodes)) nodeEls[actor] = drawNode(actor, b);
  }

  function drawEdge(edge) {
    if (edge.kind === "flow") {
      const { d, lx, ly } = arcPath(layout, edge.source, edge.target);
      const g = svgEl("g", { class: "edge flow" });
      g.append(svgEl("path", { d, class: "edge-line", "marker-end": `url(#${markerId})` }));
      if (!layout.narrow) {
        g.append(svgEl("text", { x: lx, y: ly - 4, class: "edge-label", "text-anchor": "middle" },
          edge.labels.join(" · ")));
      }
      g.append(svgEl("title", {}, `${edge.source} → ${edge.target}: ${edge.labels.join(", ")}`));
      arcEls.push({ el: g, labels: edge.labels });
      edgeLayer.append(g);
      return;
    }
    const points = travelPath(layout, edge.source, edge.target);
    if (!points) return;
    edgeLayer.append(svgEl("polyline", {
      points: points.map((p) => `${p.x},${p.y}`).join(" "), class: `edge ${edge.kind}`,
    }));
  }

  function drawNode(actor, b) {
    const g = svgEl("g", {
      class: `node${b.bar ? " bar" : ""}`, "data-testid": `node-${actor}`, "data-actor": actor,
      tabindex: "0", role: "button",
    });
    g.append(svgEl("rect", { x: b.x - 5, y: b.y - 5, width: b.w + 10, height: b.h + 10,
      rx: 13, class: "focus-ring" }));
    g.append(svgEl("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: b.bar ? 8 : 10,
      class: "node-box" }));
    const icon = stateIcon("idle");
    const vertical = b.bar && b.h > b.w;
    const ix = vertical ? b.cx - 8 : b.x + 10;
    const iy = vertical ? b.y + 8 : (b.bar ? b.cy - 8 : b.y + 10);
    icon.setAttribute("transform", `translate(${ix},${iy})`);
    const name = svgEl("text", { class: "node-name" }, actorName(actor));
    const word = svgEl("text", { class: "node-state" });
    const note = svgEl("text", { class: "node-note" });
    if (b.bar && vertical) {
      const tx = b.cx + 5;
      name.setAttribute("transform", `translate(${tx},${b.y + 34}) rotate(90)`);
      word.setAttribute("transform", `translate(${tx},${b.y + 120}) rotate(90)`);
      note.setAttribute("display", "none");
    } else if (b.bar) {
      place(name, b.x + 32, b.cy + 5);
      place(word, b.x + 130, b.cy + 5);
      place(note, b.x + 230, b.cy + 5);
    } else {
      fit(name, actorName(actor), b.w - 40, 8.8);
      place(name, b.x + 32, b.y + 22);
      place(word, b.x + 10, b.y + 44);
      place(note, b.x + 10, b.y + 62);
    }
    const inflight = svgEl("g", { class: "inflight" });
    const title = svgEl("title");
    g.append(icon, name, word, note, inflight, title);
    g.addEventListener("click", () => onActivateNode(actor, g));
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        ev.stopPropagation();
        onActivateNode(actor, g);
      }
    });
    nodeLayer.append(g);
    return { g, icon, word, note, inflight, title, box: b, state: null, noteText: null };
  }

  function updateNode(actor, info, state) {
    const el = nodeEls[actor];
    if (!el) return;
    const word = STATE_WORDS[info.state] ?? info.state;
    if (el.state !== info.state) {
      el.g.classList.remove(`state-${el.state}`);
      el.g.classList.add(`state-${info.state}`);
      el.g.dataset.state = info.state;
      setIcon(el.icon, info.state);
      el.word.textContent = word;
      if (!el.box.bar) fit(el.word, word, el.box.w - 18, 9.4, true);
      el.state = info.state;
    }
    if (el.noteText !== info.note) {
      el.note.textContent = clip(info.note ?? "", Math.floor((el.box.bar ? 60 : el.box.w / 6.3)));
      el.noteText = info.note;
    }
    const label = `${actorName(actor)}: ${word}${info.note ? ` — ${info.note}` : ""}`;
    if (el.label !== label) {
      el.title.textContent = label;
      el.g.setAttribute("aria-label", `${label}. Press Enter to break it.`);
      el.label = label;
    }
    if (actor === "bus") drawInflight(el, state);
  }

  function drawInflight(el, state) {
    const msgs = Object.values(state.inflight);
    const shown = msgs.slice(0, 6).map((m) => `${m.source}:${m.name}`).join();
    if (shown === el.inflightKey) return;
    el.inflightKey = shown;
    el.inflight.replaceChildren();
    const b = el.box;
    msgs.slice(0, 6).forEach((m, i) => {
      const source = layout.nodes[m.source];
      const horizontal = b.w >= b.h;
      const x = horizontal ? (source ? source.cx : b.x + 60 + i * 90) : b.cx;
      const y = horizontal ? b.cy : (source ? source.cy : b.y + 60 + i * 90);
      const pill = svgEl("g", { class: "pill", transform: `translate(${x},${y})` });
      pill.append(svgEl("circle", { r: 6, class: "pill-dot" }));
      if (horizontal) pill.append(svgEl("text", { x: 9, y: -9, class: "pill-label" }, m.name));
      el.inflight.append(pill);
    });
  }

  function highlightArcs(state) {
    const last = state.last;
    const name = last && last.kind.startsWith("message.") ? last.detail?.name : null;
    for (const arc of arcEls) arc.el.classList.toggle("active", !!name && arc.labels.includes(name));
  }

  function animateTravel(event, { duration }) {
    const hop = hopFor(event);
    if (!hop) return;
    const points = travelPath(layout, hop.from, hop.to, hop.via);
    if (!points) return;
    const dot = svgEl("g", { class: `dot ${hop.variant}` });
    const label = svgEl("text", { x: LABEL_DX, y: LABEL_DY, class: "dot-label" }, hop.label);
    dot.append(svgEl("circle", { r: 7 }), label);
    dotLayer.append(dot);
    const offsets = pathOffsets(points);
    const frames = points.map((p, i) => ({
      transform: `translate(${p.x}px, ${p.y}px)`, offset: offsets[i],
      opacity: hop.variant === "lost" && i === points.length - 1 ? 0 : 1,
    }));
    const anim = dot.animate(frames, { duration, easing: "ease-in-out", fill: "forwards" });
    // The label fades out before it would cover the title of the node it reaches (or leaves);
    // on the bus it rides along, which is where a message's name belongs.
    const boxes = [layout.nodes[hop.from], layout.nodes[hop.to]].filter((b) => b && !b.bar);
    const fade = labelFrames(points, boxes, String(hop.label ?? "").length * 7.2);
    if (fade) label.animate(fade, { duration, easing: "ease-in-out", fill: "forwards" });
    anim.onfinish = () => dot.remove();
    anim.oncancel = () => dot.remove();
  }

  function flash(actor) {
    const el = nodeEls[actor];
    if (!el) return;
    el.g.classList.remove("flash");
    void el.g.getBBox();
    el.g.classList.add("flash");
  }

  function animateReplay(state, reduced) {
    cancelAnimationFrame(replayTimer);
    const el = nodeEls.orchestrator;
    if (!el || !state.replay) return;
    const total = state.replay.events;
    if (reduced || total === 0) return;
    const started = performance.now();
    const span = Math.min(1400, 120 + total * 60);
    const tick = (now) => {
      const k = Math.min(total, Math.round(((now - started) / span) * total));
      el.note.textContent = `replaying history: ${k} / ${total} events`;
      if (k < total) replayTimer = requestAnimationFrame(tick);
      else el.note.textContent = clip(el.noteText ?? "", Math.floor(el.box.w / 6.3));
    };
    replayTimer = requestAnimationFrame(tick);
  }

  return {
    /**
     * Draw `state`. `travel` lists events just passed (played forward) to animate; `duration`
     * is how long one hop takes (0 means no animation).
     */
    render(state, { scenario, narrow = false, travel = [], duration = 600, reduced = false } = {}) {
      const key = `${state.mode}|${state.actors.join(",")}|${narrow}|${scenario?.name}`;
      if (key !== layoutKey) {
        rebuild(state, scenario, narrow);
        layoutKey = key;
      }
      for (const actor of state.actors) updateNode(actor, state.nodes[actor], state);
      highlightArcs(state);
      const animate = !reduced && duration > 0;
      if (!animate) dotLayer.replaceChildren();
      for (const event of travel) {
        if (animate) animateTravel(event, { duration });
        if (animate && event.kind === "message.duplicate_ignored") flash(event.detail?.target ?? event.actor);
        if (event.kind === "orchestrator.recovered") animateReplay(state, !animate);
      }
    },
    nodeElement(actor) {
      return nodeEls[actor]?.g ?? null;
    },
  };
}

function place(el, x, y) {
  el.setAttribute("x", String(x));
  el.setAttribute("y", String(y));
}

/** Squeeze a label that would overflow its box (long service names on narrow layouts). */
function fit(el, text, room, charWidth, reset = false) {
  if (text.length * charWidth > room) {
    el.setAttribute("textLength", String(room));
    el.setAttribute("lengthAdjust", "spacingAndGlyphs");
  } else if (reset) {
    el.removeAttribute("textLength");
    el.removeAttribute("lengthAdjust");
  }
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, Math.max(1, max - 1))}…` : text;
}

/** Which way a dot travels for an event, or null when nothing moves. */
export function hopFor(event) {
  const d = event.detail ?? {};
  const viaCoordinator = event.mode !== "choreography";
  const service = d.service ?? event.actor;
  switch (event.kind) {
    case "step.started":
      return viaCoordinator && event.actor === "orchestrator"
        ? { from: "orchestrator", to: service, label: event.step ?? "call", variant: "call" } : null;
    case "compensation.started":
      return viaCoordinator && event.actor === "orchestrator"
        ? { from: "orchestrator", to: service, label: `undo ${event.step ?? ""}`, variant: "undo" }
        : null;
    case "step.succeeded":
    case "compensation.succeeded":
      return viaCoordinator ? { from: service, to: "orchestrator", label: "done", variant: "ok" } : null;
    case "step.failed":
    case "compensation.failed":
      return viaCoordinator ? { from: service, to: "orchestrator", label: "failed", variant: "bad" } : null;
    case "message.published":
      return { from: d.source ?? event.actor, to: "bus", label: d.name, variant: "message" };
    case "message.delivered":
      return { from: "bus", to: d.target, via: d.source, label: d.name, variant: "message" };
    case "message.dropped":
      return { from: "bus", to: d.target, via: d.source, label: `${d.name} lost`, variant: "lost" };
    default:
      return null;
  }
}
