import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";

import { createTicker, tickMs } from "../../static/js/ticker.js";

describe("the page's replay clock", () => {
  it("ticks once per event at the chosen speed, about once a frame at max", () => {
    assert.equal(tickMs(1), 1000);
    assert.equal(tickMs(4), 250);
    assert.equal(tickMs(0.25), 4000);
    assert.equal(tickMs("max"), 16);
  });

  it("ticks while started, and a new speed takes effect at once", (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const tick = mock.fn();
    const ticker = createTicker(tick);
    ticker.start(2);
    assert.equal(ticker.running, true);
    t.mock.timers.tick(1000);
    assert.equal(tick.mock.callCount(), 2);
    ticker.retime(4);
    t.mock.timers.tick(1000);
    assert.equal(tick.mock.callCount(), 6);
    ticker.stop();
    t.mock.timers.tick(1000);
    assert.equal(tick.mock.callCount(), 6);
    assert.equal(ticker.running, false);
  });

  it("a new speed does not start a stopped clock", (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const tick = mock.fn();
    const ticker = createTicker(tick);
    ticker.retime(8);
    t.mock.timers.tick(1000);
    assert.equal(tick.mock.callCount(), 0);
    assert.equal(ticker.running, false);
  });
});
