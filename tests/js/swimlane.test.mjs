import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { hopFor } from "../../static/js/diagram.js";
import {
  cursorMarks, eventMark, laneOrder, nearestIndex, tileIndex, timePositions,
} from "../../static/js/swimlane.js";
import { repeated, trace } from "./traces.mjs";

const CHOREOGRAPHY_INVENTORY_FAILS = trace("choreography-inventory-fails");
const ORCHESTRATION_PAYMENT_FAILS = trace("orchestration-payment-fails");

const LONG = repeated(CHOREOGRAPHY_INVENTORY_FAILS, 40);

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

describe("drawing a long timeline a few events at a time", () => {
  it("placing new events after the ones already placed gives what placing them all at once gives", () => {
    let pos = timePositions([]);
    for (let n = 3; n < LONG.length; n += 17) pos = timePositions(LONG.slice(0, n), pos);
    pos = timePositions(LONG, pos);
    assert.deepEqual(pos, timePositions(LONG));
  });

  it("the chart is cut into tiles about a screen wide, each ending between two marks", () => {
    const { xs, breaks, tiles, width } = timePositions(LONG);
    assert.ok(tiles.length > 5 && width > tiles.at(-1));
    for (let k = 1; k < tiles.length; k += 1) {
      assert.ok(tiles[k] - tiles[k - 1] <= 1024, `tile ${k - 1} is ${tiles[k] - tiles[k - 1]} px wide`);
      const before = xs.filter((x) => x < tiles[k]).at(-1);
      const after = xs.find((x) => x >= tiles[k]);
      assert.ok(tiles[k] - before >= 8 && after - tiles[k] >= 8, `tile ${k} starts on a mark`);
      for (const b of breaks) assert.ok(Math.abs(b.x - tiles[k]) >= 30, "a break label is cut");
    }
  });

  it("every mark is drawn by the tile that spans its x", () => {
    const { xs, tiles } = timePositions(LONG);
    for (const x of xs) {
      const k = tileIndex(tiles, x);
      assert.ok(tiles[k] <= x && (k === tiles.length - 1 || x < tiles[k + 1]));
    }
  });

  it("moving the cursor re-marks only the events it passed", () => {
    assert.deepEqual(cursorMarks(10, 14, 100), { lo: 10, hi: 14, future: false });
    assert.deepEqual(cursorMarks(14, 3, 100), { lo: 3, hi: 14, future: true });
    assert.deepEqual(cursorMarks(7, 7, 100), { lo: 7, hi: 7, future: false });
    assert.deepEqual(cursorMarks(90, 200, 100), { lo: 90, hi: 100, future: false });
  });

  it("a click lands on the nearest event", () => {
    const xs = [16, 34, 52, 202, 220];
    assert.equal(nearestIndex(xs, 0), 0);
    assert.equal(nearestIndex(xs, 40), 1);
    assert.equal(nearestIndex(xs, 150), 3);
    assert.equal(nearestIndex(xs, 9999), 4);
    assert.equal(nearestIndex([], 10), -1);
  });
});

describe("what travels for each event", () => {
  const first = (events, kind) => events.find((e) => e.kind === kind);
  const start = first(ORCHESTRATION_PAYMENT_FAILS, "step.started");
  const ok = first(ORCHESTRATION_PAYMENT_FAILS, "step.succeeded");
  const failed = first(ORCHESTRATION_PAYMENT_FAILS, "step.failed");
  const undo = first(ORCHESTRATION_PAYMENT_FAILS, "compensation.started");

  it("the orchestrator's call goes to the service and the reply comes back", () => {
    assert.deepEqual(hopFor(start), { from: "orchestrator", to: "OrderService", label: "order", variant: "call" });
    assert.equal(hopFor(ok).to, "orchestrator");
    assert.equal(hopFor(failed).variant, "bad");
    assert.equal(hopFor(undo).variant, "undo");
  });

  it("in choreography a service's own work moves nothing; messages ride the bus", () => {
    const published = first(CHOREOGRAPHY_INVENTORY_FAILS, "message.published");
    const delivered = first(CHOREOGRAPHY_INVENTORY_FAILS, "message.delivered");
    const started = first(CHOREOGRAPHY_INVENTORY_FAILS, "step.started");
    assert.equal(hopFor(started), null);
    assert.deepEqual(hopFor(published), { from: "client", to: "bus", label: "PlaceOrder", variant: "message" });
    assert.deepEqual(hopFor(delivered),
      { from: "bus", to: "OrderService", via: "client", label: "PlaceOrder", variant: "message" });
  });

  it("a lost message is drawn as lost, a retry as a retry mark", () => {
    const dropped = first(CHOREOGRAPHY_INVENTORY_FAILS, "message.dropped");
    assert.equal(hopFor(dropped).variant, "lost");
    const retry = first(CHOREOGRAPHY_INVENTORY_FAILS, "compensation.retry_scheduled");
    assert.deepEqual(eventMark(retry), { type: "mark", actor: "PaymentService", category: "retry" });
  });

  it("compensations are marked as undo, failures as bad", () => {
    assert.equal(eventMark(undo).category, "undo");
    assert.equal(eventMark(failed).category, "bad");
    assert.equal(eventMark(ORCHESTRATION_PAYMENT_FAILS.at(-1)).category, "undo");
  });
});
