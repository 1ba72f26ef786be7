import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createRunInputs, INPUT_FIELDS } from "../../static/js/run-inputs.js";

const start = () => createRunInputs({ mode: "orchestration", scenario: "checkout",
  failures: ["payment:fail:1"], seed: null, speed: 1, compare: false, cursor: 9 });

function recorded(inputs) {
  const changes = [];
  inputs.subscribe(({ field, value }) => changes.push([field, value]));
  return changes;
}

describe("the run inputs", () => {
  it("start from the link's state, failures in their short spelling", () => {
    const inputs = start();
    assert.deepEqual(inputs.snapshot(), { mode: "orchestration", scenario: "checkout",
      failures: ["payment"], seed: null, speed: 1, compare: false });
    assert.deepEqual(Object.keys(inputs.snapshot()), INPUT_FIELDS);
  });

  it("change only through their setters, and cannot be changed from outside", () => {
    const inputs = start();
    assert.throws(() => { inputs.mode = "hybrid"; }, TypeError);
    assert.throws(() => inputs.failures.push("shipping"), TypeError);
    inputs.snapshot().failures = [];
    assert.deepEqual(inputs.failures, ["payment"]);
    inputs.setMode("hybrid");
    assert.equal(inputs.mode, "hybrid");
  });

  it("tell each subscriber which field changed, once per real change", () => {
    const inputs = start();
    const changes = recorded(inputs);
    inputs.setSpeed("max");
    inputs.setSpeed("max");
    inputs.setCompare(1);
    inputs.setScenario("travel");
    assert.deepEqual(changes, [["speed", "max"], ["compare", true], ["scenario", "travel"]]);
  });

  it("arm and disarm failures, one at a time, in the order they were armed", () => {
    const inputs = start();
    const changes = recorded(inputs);
    inputs.addFailure("shipping:fail:1");
    inputs.addFailure("payment");
    assert.deepEqual(inputs.failures, ["payment", "shipping", "payment"]);
    assert.equal(inputs.removeFailure("payment"), true);
    assert.deepEqual(inputs.failures, ["shipping", "payment"]);
    assert.equal(inputs.removeFailure("inventory"), false);
    assert.equal(changes.length, 3);
    assert.ok(changes.every(([field]) => field === "failures"));
  });

  it("keep the failures that still apply after the scenario changed", () => {
    const inputs = start();
    inputs.addFailure("flight:transient:2");
    assert.equal(inputs.keepFailures((f) => f.startsWith("flight")), true);
    assert.deepEqual(inputs.failures, ["flight:transient:2"]);
    assert.equal(inputs.keepFailures(() => true), false, "nothing dropped, nothing changed");
  });

  it("keep the seed the server chose only while none was asked for", () => {
    const inputs = start();
    assert.equal(inputs.learnSeed(undefined), false);
    assert.equal(inputs.learnSeed(42), true);
    assert.equal(inputs.learnSeed(7), false);
    assert.equal(inputs.seed, 42);
    inputs.setSeed(7);
    assert.equal(inputs.seed, 7);
  });

  it("a subscriber that unsubscribed hears nothing more", () => {
    const inputs = start();
    const heard = [];
    const stop = inputs.subscribe((c) => heard.push(c.field));
    inputs.setSeed(1);
    stop();
    inputs.setSeed(2);
    assert.deepEqual(heard, ["seed"]);
  });
});
