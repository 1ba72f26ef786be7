import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { computeMetrics } from "../../static/js/metrics.js";
import { trace } from "./traces.mjs";

const count = (events, kind) => events.filter((e) => e.kind === kind).length;

describe("metrics for the run so far", () => {
  it("nothing happened yet: all zero", () => {
    const m = computeMetrics([]);
    assert.equal(m.messages, 0);
    assert.equal(m.latencyMs, 0);
    assert.equal(m.bytesPersisted, 0);
  });

  it("orchestration counts each command and each reply as a message and a hop", () => {
    const events = trace("orchestration-payment-fails");
    const m = computeMetrics(events);
    // order do + reply, payment do + reply, order undo + reply
    assert.equal(m.messages, 6);
    assert.equal(m.hops, 6);
    assert.equal(m.compensations, 1);
    assert.equal(m.latencyMs, events.at(-1).t_ms - events[0].t_ms);
  });

  it("choreography counts published events once and each bus crossing as a hop", () => {
    const events = trace("choreography-inventory-fails");
    const m = computeMetrics(events);
    // PlaceOrder, OrderCreated, PaymentSucceeded, InventoryFailed, RefundIssued, OrderCancelled
    assert.equal(m.messages, 6);
    // 6 publishes; 7 deliveries (a redelivery after the drop, a duplicate, a redelivery after the
    // failed undo); 1 lost delivery
    assert.equal(m.hops, 6 + 7 + 1);
    assert.equal(count(events, "message.delivered"), 7);
    assert.equal(m.redeliveries, 1);
    assert.equal(m.retries, 1);
    assert.equal(m.compensations, 2);
  });

  it("retries of steps and of undos are counted, a lost reply is a redelivery", () => {
    assert.equal(computeMetrics(trace("orchestration-retry-and-crash")).retries, 1);
    const lost = computeMetrics(trace("orchestration-timeout-lost-and-repeated-replies"));
    assert.equal(lost.retries, 2); // inventory timed out twice
    assert.equal(lost.redeliveries, 1); // the order's reply was lost once
    assert.equal(computeMetrics(trace("hybrid-shipping-fails")).retries, 1); // the order's undo
  });

  it("bytes persisted is the UTF-8 size of the events", () => {
    const e = { seq: 1, kind: "saga.started", narration: "café" };
    assert.equal(computeMetrics([e]).bytesPersisted, new TextEncoder().encode(JSON.stringify(e)).length);
  });
});
