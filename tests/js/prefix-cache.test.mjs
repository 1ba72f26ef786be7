import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { addEvent, computeMetrics, emptyMetrics } from "../../static/js/metrics.js";
import { createPrefixCache } from "../../static/js/prefix-cache.js";
import { actorsIn, addActors, apply, fold, initialState } from "../../static/js/timeline.js";
import { CHECKOUT, repeated, trace } from "./traces.mjs";

const CHOREOGRAPHY_INVENTORY_FAILS = trace("choreography-inventory-fails");
const LONG = repeated(CHOREOGRAPHY_INVENTORY_FAILS, 12);
const start = () => initialState(CHECKOUT, "choreography");

describe("remembered folds (what a frame redraws from)", () => {
  it("the picture at any cursor is the fold of the events before it, however the cursor got there", () => {
    const cache = createPrefixCache(apply, { every: 16 });
    const cursors = [0, 5, 6, 40, 41, 39, 200, 17, 16, 15, LONG.length, 3, LONG.length - 1, 0, 90];
    for (const n of cursors) {
      assert.deepEqual(cache.at(LONG, n, "run-1", start), fold(LONG.slice(0, n), CHECKOUT, "choreography"),
        `cursor ${n}`);
    }
  });

  it("playing forward folds only the events that are new", () => {
    let steps = 0;
    const counting = (state, event) => {
      steps += 1;
      return apply(state, event);
    };
    const cache = createPrefixCache(counting, { every: 16 });
    for (let n = 0; n <= LONG.length; n += 7) cache.at(LONG, n, "run-1", start);
    assert.ok(steps <= LONG.length, `${steps} steps for ${LONG.length} events`);
  });

  it("travelling back folds at most one checkpoint's worth of events", () => {
    let steps = 0;
    const cache = createPrefixCache((state, event) => {
      steps += 1;
      return apply(state, event);
    }, { every: 16 });
    cache.at(LONG, LONG.length, "run-1", start);
    steps = 0;
    cache.at(LONG, 101, "run-1", start);
    assert.ok(steps < 16, `${steps} steps back`);
  });

  it("another run under a new key starts from its own beginning", () => {
    const cache = createPrefixCache(addEvent);
    cache.at(LONG, LONG.length, "run-1", emptyMetrics);
    const other = repeated(CHOREOGRAPHY_INVENTORY_FAILS, 2);
    assert.deepEqual(cache.at(other, 30, "run-2", emptyMetrics), computeMetrics(other.slice(0, 30)));
  });

  it("a different list under the same key is noticed, not trusted", () => {
    const cache = createPrefixCache(addActors, { every: 4 });
    cache.at(LONG, 40, "same", () => []);
    const renamed = LONG.map((e) => ({ ...e, actor: `${e.actor}-b` }));
    assert.deepEqual(cache.at(renamed, 40, "same", () => []), actorsIn(renamed.slice(0, 40)));
  });

  it("a cursor past the end shows the whole list", () => {
    const cache = createPrefixCache(addEvent);
    assert.deepEqual(cache.at(LONG, LONG.length + 50, "k", emptyMetrics), computeMetrics(LONG));
  });
});

describe("running totals", () => {
  it("metrics added one event at a time equal the metrics of the whole prefix", () => {
    let m = emptyMetrics();
    LONG.forEach((e, i) => {
      m = addEvent(m, e);
      if (i % 50 === 0) assert.deepEqual(m, computeMetrics(LONG.slice(0, i + 1)));
    });
    assert.equal(m.latencyMs, LONG.at(-1).t_ms - LONG[0].t_ms);
  });

  it("adding an actor nobody mentioned before keeps the list otherwise as it was", () => {
    const before = ["client", "OrderService"];
    const event = { kind: "message.delivered", actor: "bus", detail: { target: "OrderService" } };
    assert.deepEqual(addActors(before, event), ["client", "OrderService", "bus"]);
    const known = { kind: "step.started", actor: "OrderService", detail: {} };
    assert.equal(addActors(before, known), before);
  });
});
