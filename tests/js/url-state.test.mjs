import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { normalizeState, parseQuery, parseSpeed, toQuery } from "../../static/js/url-state.js";
import { CATALOG } from "./traces.mjs";

describe("reading a link", () => {
  it("a full link restores mode, failures, seed, speed and cursor", () => {
    const raw = parseQuery("?mode=choreography&fail=payment:transient:2&fail=inventory&seed=42&speed=2&cursor=7");
    const { state, errors } = normalizeState(raw, CATALOG);
    assert.deepEqual(errors, []);
    assert.equal(state.mode, "choreography");
    assert.deepEqual(state.failures, ["payment:transient:2", "inventory"]);
    assert.equal(state.seed, 42);
    assert.equal(state.speed, 2);
    assert.equal(state.cursor, 7);
  });

  it("an empty link gives the defaults", () => {
    const { state, errors } = normalizeState(parseQuery(""), CATALOG);
    assert.deepEqual(errors, []);
    assert.equal(state.mode, "orchestration");
    assert.equal(state.scenario, "checkout");
    assert.deepEqual(state.failures, []);
    assert.equal(state.speed, 1);
    assert.equal(state.autoplay, false);
  });

  it("an unknown mode falls back to the default and names the valid modes", () => {
    const { state, errors } = normalizeState({ mode: "telepathy" }, CATALOG);
    assert.equal(state.mode, "orchestration");
    assert.match(errors[0], /Unknown mode "telepathy"; valid modes: orchestration, choreography, hybrid/);
  });

  it("a failure that does not parse is dropped with a reason, the good ones stay", () => {
    const { state, errors } = normalizeState({ failures: ["payment", "nope:zap"] }, CATALOG);
    assert.deepEqual(state.failures, ["payment"]);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /unknown step "nope"/);
  });

  it("failure kinds are the ones the catalog lists", () => {
    const { state, errors } = normalizeState({ failures: ["payment:timeout:2", "payment:meteor"] }, CATALOG);
    assert.deepEqual(state.failures, ["payment:timeout:2"]);
    assert.match(errors[0], /unknown failure kind "meteor".*valid kinds: fail, transient, timeout/);
    const withoutKinds = { ...CATALOG, failure_kind_info: undefined };
    assert.deepEqual(normalizeState({ failures: ["payment:meteor"] }, withoutKinds).state.failures,
      ["payment:meteor"], "without the catalog's kinds the server judges them");
  });

  it("speed accepts 0.25 to 8 and max, nothing else", () => {
    assert.equal(parseSpeed("max"), "max");
    assert.equal(parseSpeed("0.25"), 0.25);
    assert.equal(parseSpeed("8"), 8);
    assert.equal(parseSpeed("9"), null);
    assert.equal(parseSpeed("fast"), null);
    const { state, errors } = normalizeState({ speed: "99" }, CATALOG);
    assert.equal(state.speed, 1);
    assert.match(errors[0], /0.25 to 8 or max/);
  });

  it("autoplay and compare are flags", () => {
    assert.equal(normalizeState({ autoplay: "1" }, CATALOG).state.autoplay, true);
    assert.equal(normalizeState({ autoplay: true }, CATALOG).state.autoplay, true);
    assert.equal(normalizeState({ compare: "1" }, CATALOG).state.compare, true);
    assert.equal(normalizeState({ mode: "compare" }, CATALOG).state.compare, true);
  });

  it("a bad seed or cursor is reported", () => {
    assert.match(normalizeState({ seed: "abc" }, CATALOG).errors[0], /Seed/);
    assert.match(normalizeState({ cursor: "-1" }, CATALOG).errors[0], /Cursor/);
  });
});

describe("writing a link", () => {
  it("round-trips through the query string", () => {
    const state = {
      mode: "hybrid", scenario: "checkout", failures: ["payment:drop", "inventory"],
      seed: 9, speed: "max", cursor: 12, compare: false,
    };
    const q = toQuery(state, { scenario: "checkout", speed: 1 });
    assert.equal(q, "?mode=hybrid&fail=payment:drop&fail=inventory&seed=9&speed=max&cursor=12");
    const back = normalizeState(parseQuery(q), CATALOG).state;
    for (const key of ["mode", "failures", "seed", "speed", "cursor"]) {
      assert.deepEqual(back[key], state[key], key);
    }
  });

  it("leaves defaults out", () => {
    assert.equal(toQuery({ mode: "orchestration", scenario: "checkout", failures: [], seed: null,
      speed: 1, cursor: 0 }, { scenario: "checkout", speed: 1 }), "?mode=orchestration");
  });

  it("writes compare as a page mode", () => {
    const q = toQuery({ mode: "orchestration", compare: true, failures: ["inventory"] });
    assert.equal(q, "?mode=compare&fail=inventory");
    assert.equal(normalizeState(parseQuery(q), CATALOG).state.compare, true);
  });
});
