import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { hopFor } from "../../static/js/diagram.js";
import { eventMark, laneOrder, timePositions } from "../../static/js/swimlane.js";
import { CHOREOGRAPHY_INVENTORY_FAILS, ORCHESTRATION_PAYMENT_FAILS } from "./fixtures.mjs";

describe("where the swimlane puts each event", () => {
  it("later events are further right, never closer than the minimum gap", () => {
    const { xs } = timePositions(CHOREOGRAPHY_INVENTORY_FAILS);
    for (let i = 1; i < xs.length; i += 1) assert.ok(xs[i] - xs[i - 1] >= 18);
  });

  it("a long wait is compressed and marked as a break", () => {
    const events = [{ t_ms: 0 }, { t_ms: 10 }, { t_ms: 2010 }, { t_ms: 2020 }];
    const { xs, breaks } = timePositions(events);
    assert.equal(breaks.length, 1);
    assert.equal(breaks[0].ms, 2000);
    assert.ok(xs[2] - xs[1] <= 150);
  });

  it("adding events never moves the ones already drawn", () => {
    const all = timePositions(CHOREOGRAPHY_INVENTORY_FAILS).xs;
    const some = timePositions(CHOREOGRAPHY_INVENTORY_FAILS.slice(0, 9)).xs;
    assert.deepEqual(all.slice(0, 9), some);
  });

  it("lanes keep the given order and add whoever else the events mention", () => {
    assert.deepEqual(laneOrder(["orchestrator"], ORCHESTRATION_PAYMENT_FAILS),
      ["orchestrator", "OrderService", "PaymentService"]);
  });
});

describe("what travels for each event", () => {
  const [, start, ok, , failed, undo] = ORCHESTRATION_PAYMENT_FAILS;

  it("the orchestrator's call goes to the service and the reply comes back", () => {
    assert.deepEqual(hopFor(start), { from: "orchestrator", to: "OrderService", label: "order", variant: "call" });
    assert.equal(hopFor(ok).to, "orchestrator");
    assert.equal(hopFor(failed).variant, "bad");
    assert.equal(hopFor(undo).variant, "undo");
  });

  it("in choreography a service's own work moves nothing; messages ride the bus", () => {
    const [, published, delivered, started] = CHOREOGRAPHY_INVENTORY_FAILS;
    assert.equal(hopFor(started), null);
    assert.deepEqual(hopFor(published), { from: "client", to: "bus", label: "PlaceOrder", variant: "message" });
    assert.deepEqual(hopFor(delivered),
      { from: "bus", to: "OrderService", via: "client", label: "PlaceOrder", variant: "message" });
  });

  it("a lost message is drawn as lost, a retry as a retry mark", () => {
    const dropped = CHOREOGRAPHY_INVENTORY_FAILS.find((e) => e.kind === "message.dropped");
    assert.equal(hopFor(dropped).variant, "lost");
    const retry = CHOREOGRAPHY_INVENTORY_FAILS.find((e) => e.kind === "compensation.retry_scheduled");
    assert.deepEqual(eventMark(retry), { type: "mark", actor: "PaymentService", category: "retry" });
  });

  it("compensations are marked as undo, failures as bad", () => {
    assert.equal(eventMark(undo).category, "undo");
    assert.equal(eventMark(failed).category, "bad");
    assert.equal(eventMark(ORCHESTRATION_PAYMENT_FAILS.at(-1)).category, "undo");
  });
});
