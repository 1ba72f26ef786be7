import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { bands, flowArcs, mapLayout, pathOffsets, travelPath } from "../../static/js/layout.js";
import { baseActors } from "../../static/js/timeline.js";
import { CHECKOUT } from "./fixtures.mjs";

const ENGINE_FLOW = JSON.parse(readFileSync(new URL("./checkout-flow.json", import.meta.url)));

function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe("the service map layout", () => {
  for (const mode of ["orchestration", "choreography", "hybrid"]) {
    for (const narrow of [false, true]) {
      it(`${mode} ${narrow ? "on a phone" : "on a wide screen"}: every actor has a box and none overlap`, () => {
        const actors = baseActors(CHECKOUT, mode);
        const layout = mapLayout(mode, actors, CHECKOUT, { narrow });
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
  const scenario = { ...CHECKOUT, flow: ENGINE_FLOW };
  const layout = mapLayout("choreography", baseActors(scenario, "choreography"), scenario);
  const arcs = flowArcs(scenario, layout.nodes);
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
});
