import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  canonicalSpec, describeSpec, failureKinds, formatSpec, parseSpec,
} from "../../static/js/failures.js";
import { CATALOG, CHECKOUT } from "./traces.mjs";

const STEPS = CHECKOUT.steps.map((s) => s.name);
const KINDS = failureKinds(CATALOG);

describe("the failure kinds the catalog lists", () => {
  it("come in the catalog's order, each with its label", () => {
    assert.deepEqual(KINDS.names, CATALOG.failure_kind_info.map((k) => k.kind));
    assert.ok(KINDS.names.length >= 7);
    for (const info of CATALOG.failure_kind_info) assert.equal(KINDS.label(info.kind), info.label);
  });

  it("say which kinds take a count: a retry or a redelivery can happen N times, a business failure once", () => {
    assert.equal(KINDS.counted("transient"), true);
    assert.equal(KINDS.counted("drop"), true);
    assert.equal(KINDS.counted("fail"), false);
    assert.equal(KINDS.counted("duplicate"), false);
    assert.equal(KINDS.counted("no-such-kind"), false);
  });

  it("a kind the catalog does not know is shown by its name", () => {
    assert.equal(KINDS.label("meteor"), "meteor");
    assert.deepEqual(failureKinds({}).names, []);
  });
});

describe("the failure spec grammar", () => {
  it("a bare step means a business failure, once", () => {
    assert.deepEqual(parseSpec("payment", STEPS).spec, { step: "payment", kind: "fail", count: 1 });
  });

  it("kind and count are read", () => {
    assert.deepEqual(parseSpec("payment:transient:2", STEPS, KINDS.names).spec,
      { step: "payment", kind: "transient", count: 2 });
  });

  it("an unknown step is rejected with the valid steps and kinds named", () => {
    const r = parseSpec("billing:fail", STEPS, KINDS.names);
    assert.equal(r.ok, false);
    assert.match(r.reason, /unknown step "billing"/);
    assert.match(r.reason, /order, payment, inventory, shipping/);
    assert.match(r.reason, /fail, transient, timeout, compensate, crash, drop, duplicate/);
  });

  it("a kind the catalog does not list is rejected with the catalog's kinds named", () => {
    const r = parseSpec("payment:explode", STEPS, KINDS.names);
    assert.equal(r.ok, false);
    assert.match(r.reason, /unknown failure kind "explode".*valid kinds: fail, transient/);
    assert.equal(parseSpec("payment:explode", STEPS, ["explode"]).ok, true);
  });

  it("nonsense does not parse", () => {
    assert.equal(parseSpec("pay ment", STEPS).ok, false);
    assert.equal(parseSpec("payment:fail:0", STEPS).ok, false);
    assert.equal(parseSpec("payment:Fail", STEPS).ok, false);
    assert.equal(parseSpec(42, STEPS).ok, false);
  });

  it("every kind of the catalog parses", () => {
    for (const kind of KINDS.names) assert.ok(parseSpec(`order:${kind}`, STEPS, KINDS.names).ok, kind);
  });

  it("the short spelling drops defaults, so equal specs compare equal", () => {
    assert.equal(formatSpec({ step: "payment", kind: "fail", count: 1 }), "payment");
    assert.equal(canonicalSpec("payment:fail:1"), "payment");
    assert.equal(canonicalSpec("payment:drop:1"), "payment:drop");
    assert.equal(canonicalSpec("payment:drop:3"), "payment:drop:3");
  });

  it("a spec reads as a sentence, in the catalog's words", () => {
    assert.equal(describeSpec("inventory", KINDS), `inventory ${KINDS.label("fail")}`);
    assert.equal(describeSpec("payment:transient:2", KINDS), "payment fails, then succeeds on retry (2×)");
  });
});
