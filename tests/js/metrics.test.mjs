import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { computeMetrics } from "../../static/js/metrics.js";
import { CHOREOGRAPHY_INVENTORY_FAILS, ORCHESTRATION_PAYMENT_FAILS,
  ORCHESTRATION_RETRY_AND_CRASH } from "./fixtures.mjs";

describe("metrics for the run so far", () => {
  it("nothing happened yet: all zero", () => {
    const m = computeMetrics([]);
    assert.equal(m.messages, 0);
    assert.equal(m.latencyMs, 0);
    assert.equal(m.bytesPersisted, 0);
  });

  it("orchestration counts each command and each reply as a message and a hop", () => {
    const m = computeMetrics(ORCHESTRATION_PAYMENT_FAILS);
    // order do + reply, payment do + reply, order undo + reply
    assert.equal(m.messages, 6);
    assert.equal(m.hops, 6);
    assert.equal(m.compensations, 1);
    assert.equal(m.latencyMs, 70);
  });

  it("choreography counts published events once and each bus crossing as a hop", () => {
    const m = computeMetrics(CHOREOGRAPHY_INVENTORY_FAILS);
    assert.equal(m.messages, 5);
    assert.equal(m.hops, 5 + 6); // 5 publishes, 5 deliveries, 1 lost delivery
    assert.equal(m.redeliveries, 1);
    assert.equal(m.retries, 1);
    assert.equal(m.compensations, 2);
  });

  it("retries are counted", () => {
    assert.equal(computeMetrics(ORCHESTRATION_RETRY_AND_CRASH).retries, 1);
  });

  it("bytes persisted is the UTF-8 size of the events", () => {
    const e = { seq: 1, kind: "saga.started", narration: "café" };
    assert.equal(computeMetrics([e]).bytesPersisted, new TextEncoder().encode(JSON.stringify(e)).length);
  });
});
