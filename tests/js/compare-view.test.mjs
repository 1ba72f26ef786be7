import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { bothStatus } from "../../static/js/compare-view.js";
import { fold } from "../../static/js/timeline.js";
import { after, CHECKOUT, trace } from "./traces.mjs";

const end = (name) => fold(trace(name), CHECKOUT);
const at = (name, n) => fold(trace(name).slice(0, n), CHECKOUT);

describe("the status of two runs compared", () => {
  it("is their word when they agree", () => {
    const both = [end("orchestration-payment-fails"), end("choreography-inventory-fails")];
    assert.equal(bothStatus(both, false), "compensated");
  });

  it("names each outcome once both have ended differently", () => {
    assert.equal(bothStatus([end("hybrid-completes"), end("orchestration-payment-fails")], false),
      "completed / compensated");
  });

  it("follows the clock while one of them is still going", () => {
    const going = [end("hybrid-completes"), at("orchestration-payment-fails", 3)];
    assert.equal(bothStatus(going, true), "running");
    assert.equal(bothStatus(going, false), "paused");
  });

  it("says crashed while either coordinator is down", () => {
    const name = "orchestration-retry-and-crash";
    const crashed = at(name, after(trace(name), "orchestrator.crashed"));
    assert.equal(bothStatus([at("choreography-inventory-fails", 5), crashed], true), "crashed");
  });
});
