import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  canonicalSpec, describeSpec, FAILURE_KINDS, formatSpec, parseSpec,
} from "../../static/js/failures.js";

const STEPS = ["order", "payment", "inventory", "shipping"];

describe("the failure spec grammar", () => {
  it("a bare step means a business failure, once", () => {
    assert.deepEqual(parseSpec("payment", STEPS).spec, { step: "payment", kind: "fail", count: 1 });
  });

  it("kind and count are read", () => {
    assert.deepEqual(parseSpec("payment:transient:2", STEPS).spec,
      { step: "payment", kind: "transient", count: 2 });
  });

  it("an unknown step is rejected with the valid steps and kinds named", () => {
    const r = parseSpec("billing:fail", STEPS);
    assert.equal(r.ok, false);
    assert.match(r.reason, /unknown step "billing"/);
    assert.match(r.reason, /order, payment, inventory, shipping/);
    assert.match(r.reason, /fail, transient, timeout, compensate, crash, drop, duplicate/);
  });

  it("nonsense does not parse", () => {
    assert.equal(parseSpec("pay ment", STEPS).ok, false);
    assert.equal(parseSpec("payment:explode", STEPS).ok, false);
    assert.equal(parseSpec("payment:fail:0", STEPS).ok, false);
    assert.equal(parseSpec(42, STEPS).ok, false);
  });

  it("every kind of the grammar is known", () => {
    for (const kind of FAILURE_KINDS) assert.ok(parseSpec(`order:${kind}`, STEPS).ok, kind);
  });

  it("the short spelling drops defaults, so equal specs compare equal", () => {
    assert.equal(formatSpec({ step: "payment", kind: "fail", count: 1 }), "payment");
    assert.equal(canonicalSpec("payment:fail:1"), "payment");
    assert.equal(canonicalSpec("payment:drop:1"), "payment:drop");
    assert.equal(canonicalSpec("payment:drop:3"), "payment:drop:3");
  });

  it("a spec reads as a sentence", () => {
    assert.equal(describeSpec("inventory"), "inventory fails for good (business error)");
    assert.equal(describeSpec("payment:transient:2"), "payment fails, then succeeds on retry (2×)");
  });
});
