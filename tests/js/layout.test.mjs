import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  bands, flowArcs, LABEL_DX, LABEL_DY, labelFrames, mapLayout, pathOffsets, travelPath,
} from "../../static/js/layout.js";
import { baseActors } from "../../static/js/timeline.js";
import { CATALOG, CHECKOUT } from "./traces.mjs";

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe("the service map layout", () => {
  for (const [saga, mode] of CATALOG.scenarios.flatMap((s) => CATALOG.modes.map((m) => [s, m]))) {
    for (const narrow of [false, true]) {
      it(`${saga.name} in ${mode} ${narrow ? "on a phone" : "on a wide screen"}: every actor has a box and none overlap`, () => {
        const actors = baseActors(saga, mode);
        const layout = mapLayout(mode, actors, saga, { narrow });
        const boxes = Object.entries(layout.nodes);
        assert.deepEqual(boxes.map(([a]) => a).sort(), [...actors].sort());
        for (let i = 0; i < boxes.length; i += 1) {
          for (let j = i + 1; j < boxes.length; j += 1) {
            assert.ok(!overlaps(boxes[i][1], boxes[j][1]), `${boxes[i][0]} overlaps ${boxes[j][0]}`);
          }
        }
        for (const [, b] of boxes) {
          assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= layout.width && b.y + b.h <= layout.height);
        }
      });
    }
  }

  it("orchestration draws a call edge from the orchestrator to each service", () => {
    const layout = mapLayout("orchestration", baseActors(CHECKOUT, "orchestration"), CHECKOUT);
    assert.equal(layout.edges.filter((e) => e.kind === "call").length, 4);
  });

  it("an actor that only shows up in events gets its own band", () => {
    const b = bands("orchestration", [...baseActors(CHECKOUT, "orchestration"), "Stranger"], CHECKOUT);
    assert.deepEqual(b.at(-1), { kind: "extra", actors: ["Stranger"] });
  });

  it("a message rides from the publisher down to the bus and along it to the subscriber", () => {
    const layout = mapLayout("choreography", baseActors(CHECKOUT, "choreography"), CHECKOUT);
    const path = travelPath(layout, "bus", "InventoryService", "PaymentService");
    assert.equal(path.length, 3);
    assert.equal(path[0].x, layout.nodes.PaymentService.cx);
    assert.equal(path[2].x, layout.nodes.InventoryService.cx);
    assert.deepEqual(pathOffsets(path).at(-1), 1);
  });
});

describe("the choreography flow derived by the engine", () => {
  const layout = mapLayout("choreography", baseActors(CHECKOUT, "choreography"), CHECKOUT);
  const arcs = flowArcs(CHECKOUT, layout.nodes);
  const arc = (s, t) => arcs.find((a) => a.source === s && a.target === t);

  it("becomes one arc per publisher and subscriber, labelled with the events", () => {
    assert.deepEqual(arc("client", "OrderService").labels, ["PlaceOrder"]);
    assert.deepEqual(arc("OrderService", "PaymentService").labels, ["OrderCreated"]);
    assert.deepEqual(arc("InventoryService", "PaymentService").labels.sort(),
      ["InventoryFailed", "StockReleased"]);
    assert.deepEqual(arc("ShippingService", "OrderService").labels, ["ShipmentBooked"]);
  });

  it("has no arc for events nobody consumes", () => {
    assert.ok(!arcs.some((a) => a.labels.includes("OrderCompleted")));
    assert.equal(arcs.length, 8);
  });

  it("in every scenario, each event someone consumes is on an arc from its publisher", () => {
    for (const saga of CATALOG.scenarios) {
      const drawn = mapLayout("choreography", baseActors(saga, "choreography"), saga).nodes;
      const sagaArcs = flowArcs(saga, drawn);
      const publisher = new Map(saga.flow.nodes.map((n) => [n.id, n.publisher]));
      for (const edge of saga.flow.edges) {
        const from = publisher.get(edge.source);
        if (from === edge.service) continue; // a service reacting to its own event stays put
        const carried = sagaArcs.find((a) => a.source === from && a.target === edge.service);
        assert.ok(carried?.labels.includes(edge.source), `${saga.name}: ${edge.source}`);
      }
    }
  });
});

describe("a travelling dot's label", () => {
  const layout = mapLayout("orchestration", baseActors(CHECKOUT, "orchestration"), CHECKOUT);
  const covers = (p, b, width) => p.x + LABEL_DX < b.x + b.w && b.x < p.x + LABEL_DX + width
    && p.y + LABEL_DY - 14 < b.y + b.h && b.y < p.y + LABEL_DY + 2;
  const at = (points, f) => {
    const offsets = pathOffsets(points);
    let i = 1;
    while (i < points.length - 1 && offsets[i] < f) i += 1;
    const k = (f - offsets[i - 1]) / (offsets[i] - offsets[i - 1]);
    return { x: points[i - 1].x + (points[i].x - points[i - 1].x) * k,
      y: points[i - 1].y + (points[i].y - points[i - 1].y) * k };
  };
  const opacity = (frames, f) => {
    const j = frames.findIndex((x) => x.offset >= f);
    const a = frames[Math.max(0, j - 1)];
    const b = frames[j];
    return b.offset === a.offset ? b.opacity : a.opacity + (b.opacity - a.opacity) * ((f - a.offset) / (b.offset - a.offset));
  };

  for (const [from, to] of [["orchestrator", "PaymentService"], ["PaymentService", "orchestrator"],
    ["orchestrator", "ShippingService"]]) {
    it(`"undo payment" from ${from} to ${to} never covers either node's title`, () => {
      const points = travelPath(layout, from, to);
      const boxes = [layout.nodes[from], layout.nodes[to]];
      const width = "undo payment".length * 7.2;
      const frames = labelFrames(points, boxes, width);
      assert.ok(frames, "the label shows somewhere on the way");
      for (let k = 0; k <= 100; k += 1) {
        const p = at(points, k / 100);
        if (boxes.some((b) => covers(p, b, width))) assert.equal(opacity(frames, k / 100), 0, `at ${k}%`);
      }
      assert.ok([0.3, 0.4, 0.5, 0.6].some((f) => opacity(frames, f) === 1), "readable mid-way");
    });
  }

  it("a label that is never clear of the nodes stays on", () => {
    const box = { x: 0, y: 0, w: 500, h: 500 };
    assert.equal(labelFrames([{ x: 100, y: 100 }, { x: 300, y: 300 }], [box], 60), null);
  });
});
