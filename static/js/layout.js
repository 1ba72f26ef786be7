// Where each actor sits on the service map, and the routes messages take between them.
// Pure geometry: the wide layout stacks bands of nodes top to bottom; the narrow one (phones)
// is the same bands side by side, left to right.

import { sideSubscriberNames } from "./timeline.js";

const WIDE = { span: 1000, node: 74, bar: 34, gap: 58, margin: 20, arcs: 130, maxNode: 180 };
const NARROW = { span: 0, node: 0, bar: 30, gap: 22, margin: 12, arcs: 70, pitch: 88 };
const NARROW_THICKNESS = { coordinator: 118, services: 160, side: 120, extra: 120 };
const TRUNK = 26;

/** The bands (rows when wide, columns when narrow) for a mode and the actors present. */
export function bands(mode, actors, scenario) {
  const present = new Set(actors);
  const services = (scenario?.steps ?? []).map((s) => s.service).filter((a) => present.has(a));
  const side = mode === "hybrid" ? sideSubscriberNames(scenario).filter((a) => present.has(a)) : [];
  const placed = new Set([...services, ...side, "orchestrator", "bus", "client"]);
  const extras = actors.filter((a) => !placed.has(a));
  const out = [];
  if (mode === "choreography") {
    out.push({ kind: "services", actors: [...(present.has("client") ? ["client"] : []), ...services] });
    if (present.has("bus")) out.push({ kind: "bar", actors: ["bus"] });
  } else {
    const top = ["client", "orchestrator"].filter((a) => present.has(a));
    if (top.length) out.push({ kind: "coordinator", actors: top });
    out.push({ kind: "services", actors: services });
    if (present.has("bus")) out.push({ kind: "bar", actors: ["bus"] });
    if (side.length) out.push({ kind: "side", actors: side });
  }
  if (extras.length) out.push({ kind: "extra", actors: extras });
  return out.filter((b) => b.actors.length);
}

/**
 * Compute node boxes and edges. Returns {width, height, narrow, nodes: {actor: box}, edges}.
 * A box is {x, y, w, h, cx, cy, bar}; coordinates are SVG user units.
 */
export function mapLayout(mode, actors, scenario, { narrow = false } = {}) {
  const list = bands(mode, actors, scenario);
  const arcs = mode === "choreography" ? (narrow ? NARROW.arcs : WIDE.arcs) : 0;
  const nodes = narrow ? placeNarrow(list, arcs) : placeWide(list, arcs);
  const edges = routes(mode, list, nodes, scenario);
  const far = Object.values(nodes).reduce(
    (acc, b) => ({ x: Math.max(acc.x, b.x + b.w), y: Math.max(acc.y, b.y + b.h) }), { x: 0, y: 0 });
  const margin = narrow ? NARROW.margin : WIDE.margin;
  return {
    width: narrow ? far.x + margin : WIDE.span,
    height: far.y + margin,
    narrow,
    nodes,
    edges,
  };
}

function box(x, y, w, h, bar = false) {
  return { x, y, w, h, cx: x + w / 2, cy: y + h / 2, bar };
}

function placeWide(list, arcs) {
  const nodes = {};
  let y = WIDE.margin + arcs;
  for (const band of list) {
    const bar = band.kind === "bar";
    const h = bar ? WIDE.bar : WIDE.node;
    if (bar) {
      nodes.bus = box(WIDE.margin * 3, y, WIDE.span - WIDE.margin * 6, h, true);
    } else {
      const n = band.actors.length;
      const pitch = (WIDE.span - 2 * WIDE.margin) / n;
      const w = Math.min(WIDE.maxNode, pitch - 16);
      band.actors.forEach((actor, i) => {
        const cx = WIDE.margin + pitch * (i + 0.5);
        nodes[actor] = box(cx - w / 2, y, w, h);
      });
    }
    y += h + WIDE.gap;
  }
  return nodes;
}

function placeNarrow(list, arcs) {
  const nodes = {};
  // With a bus to draw, the coordinator sits on a row of its own above the columns, so the
  // services, the bus and the side subscribers fit side by side on a phone.
  const coordinatorOnTop = list.some((b) => b.kind === "bar") && list.some((b) => b.kind === "coordinator");
  let top = NARROW.margin;
  if (coordinatorOnTop) {
    const band = list.find((b) => b.kind === "coordinator");
    band.actors.forEach((actor, i) => {
      nodes[actor] = box(NARROW.margin + arcs + i * (NARROW_THICKNESS.coordinator + 12), top,
        NARROW_THICKNESS.coordinator, 72);
    });
    top += 72 + 36;
  }
  const trunk = coordinatorOnTop ? TRUNK : 0;
  const columns = list.filter((b) => !(coordinatorOnTop && b.kind === "coordinator"));
  const longest = Math.max(1, ...columns.filter((b) => b.kind !== "bar").map((b) => b.actors.length));
  const spread = longest * NARROW.pitch;
  let x = NARROW.margin + arcs + trunk;
  for (const band of columns) {
    const bar = band.kind === "bar";
    const w = bar ? NARROW.bar : NARROW_THICKNESS[band.kind];
    if (bar) {
      nodes.bus = box(x, top, w, spread, true);
    } else {
      const n = band.actors.length;
      const pitch = spread / n;
      const h = Math.min(74, pitch - 12);
      band.actors.forEach((actor, i) => {
        const cy = top + pitch * (i + 0.5);
        nodes[actor] = box(x, cy - h / 2, w, h);
      });
    }
    x += w + NARROW.gap;
  }
  return nodes;
}

function routes(mode, list, nodes, scenario) {
  const edges = [];
  const services = list.find((b) => b.kind === "services")?.actors ?? [];
  if (nodes.orchestrator) {
    for (const s of services) {
      if (s !== "client") edges.push({ kind: "call", source: "orchestrator", target: s });
    }
  }
  if (nodes.bus) {
    for (const band of list) {
      if (band.kind === "bar" || band.kind === "coordinator") continue;
      for (const a of band.actors) edges.push({ kind: "spoke", source: a, target: "bus" });
    }
  }
  if (mode === "choreography") edges.push(...flowArcs(scenario, nodes));
  return edges;
}

/**
 * The derived choreography flow as service-to-service arcs, one per ordered pair, labels joined.
 * The engine's flow (`flow_payload`) has events as nodes ({id, publisher}) and an edge event →
 * next event with the consuming `service`: so event E becomes an arc publisher(E) → consumer
 * labelled E.
 */
export function flowArcs(scenario, nodes) {
  const flow = scenario?.flow ?? {};
  const publisher = new Map((flow.nodes ?? []).map((n) => [n.id, n.publisher]));
  const pairs = new Map();
  const add = (source, target, label) => {
    if (!nodes[source] || !nodes[target] || source === target) return;
    const key = `${source}→${target}`;
    if (!pairs.has(key)) pairs.set(key, { kind: "flow", source, target, labels: [] });
    if (label && !pairs.get(key).labels.includes(label)) pairs.get(key).labels.push(label);
  };
  for (const e of flow.edges ?? []) add(publisher.get(e.source), e.service, e.source);
  return [...pairs.values()];
}

/** A point where an actor meets the bus, level with the actor. */
function onBar(bus, node) {
  const horizontal = bus.w >= bus.h;
  return horizontal ? { x: node.cx, y: bus.cy } : { x: bus.cx, y: node.cy };
}

/**
 * The route a travelling dot takes, as a list of points: a direct call between two nodes, or
 * publisher → bus, bus → subscriber (riding along the bus from the publisher's position).
 */
export function travelPath(layout, from, to, via = null) {
  const a = layout.nodes[from];
  const b = layout.nodes[to];
  const bus = layout.nodes.bus;
  if (to === "bus" && a && bus) return [center(a), onBar(bus, a)];
  if (from === "bus" && b && bus) {
    const start = via && layout.nodes[via] ? onBar(bus, layout.nodes[via]) : onBar(bus, b);
    return [start, onBar(bus, b), center(b)];
  }
  if (a && b && layout.narrow && from === "orchestrator" && a.y + a.h < b.y) return trunkPath(a, b);
  if (a && b && layout.narrow && to === "orchestrator" && b.y + b.h < a.y) return trunkPath(b, a).reverse();
  if (a && b) return [center(a), center(b)];
  return null;
}

/** On a phone the orchestrator sits above the services: calls run down a trunk on the left. */
function trunkPath(top, below) {
  const x = top.x + TRUNK / 2;
  return [{ x, y: top.y + top.h }, { x, y: below.cy }, { x: below.x, y: below.cy }];
}

function center(b) {
  return { x: b.cx, y: b.cy };
}

/** SVG path data for a flow arc bowing away from the bus (up when wide, left when narrow). */
export function arcPath(layout, source, target) {
  const a = layout.nodes[source];
  const b = layout.nodes[target];
  if (layout.narrow) {
    const forward = b.cy > a.cy;
    const lift = 18 + Math.abs(b.cy - a.cy) * 0.22 + (forward ? 0 : 14);
    const ya = a.cy + (forward ? 6 : -6);
    const yb = b.cy + (forward ? -6 : 6);
    const x = a.x - lift;
    return { d: `M${a.x},${ya} C${x},${ya} ${x},${yb} ${b.x},${yb}`, lx: x + 4, ly: (ya + yb) / 2 };
  }
  const forward = b.cx > a.cx;
  const lift = 26 + Math.abs(b.cx - a.cx) * 0.16 + (forward ? 0 : 22);
  const xa = a.cx + (forward ? 8 : -8);
  const xb = b.cx + (forward ? -8 : 8);
  const y = a.y - lift;
  return { d: `M${xa},${a.y} C${xa},${y} ${xb},${y} ${xb},${b.y}`, lx: (xa + xb) / 2, ly: y + lift * 0.25 };
}

/** Length-proportional keyframe offsets for a polyline. */
export function pathOffsets(points) {
  const lengths = [0];
  for (let i = 1; i < points.length; i += 1) {
    const dx = points[i].x - points[i - 1].x;
    const dy = points[i].y - points[i - 1].y;
    lengths.push(lengths[i - 1] + Math.hypot(dx, dy));
  }
  const total = lengths[lengths.length - 1] || 1;
  return lengths.map((l) => l / total);
}

/**
 * Opacity keyframes (offsets along the path, as the dot's) that show a dot's label only while it
 * is clear of `boxes`, so it never covers a node's title; null when never clear (it stays on).
 */
export function labelFrames(points, boxes, width, steps = 48) {
  const offsets = pathOffsets(points);
  const covers = (p) => boxes.some((b) => b && p.x + LABEL_DX < b.x + b.w && b.x < p.x + LABEL_DX + width
    && p.y + LABEL_DY - 14 < b.y + b.h && b.y < p.y + LABEL_DY + 2);
  let start = null;
  let end = null;
  for (let k = 0; k <= steps; k += 1) {
    if (!covers(pointAt(points, offsets, k / steps))) {
      start ??= k / steps;
      end = k / steps;
    }
  }
  if (start === null || end - start < 0.1) return null;
  const mid = (start + end) / 2;
  return [
    { opacity: start > 0 ? 0 : 1, offset: 0 },
    { opacity: start > 0 ? 0 : 1, offset: start },
    { opacity: 1, offset: Math.min(start + 0.05, mid) },
    { opacity: 1, offset: Math.max(end - 0.05, mid) },
    { opacity: end < 1 ? 0 : 1, offset: end },
    { opacity: end < 1 ? 0 : 1, offset: 1 },
  ];
}

export const LABEL_DX = 10;
export const LABEL_DY = -8;

function pointAt(points, offsets, f) {
  let i = 1;
  while (i < points.length - 1 && offsets[i] < f) i += 1;
  const span = offsets[i] - offsets[i - 1] || 1;
  const k = Math.min(1, Math.max(0, (f - offsets[i - 1]) / span));
  return { x: points[i - 1].x + (points[i].x - points[i - 1].x) * k,
    y: points[i - 1].y + (points[i].y - points[i - 1].y) * k };
}
