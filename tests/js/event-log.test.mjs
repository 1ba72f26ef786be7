import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { rowAt, rowPlan, rowWindow, WINDOW } from "../../static/js/event-log.js";

describe("the event log never rebuilds its rows", () => {
  it("playing forward builds and attaches only the new events' rows", () => {
    assert.deepEqual(rowPlan(10, 10, 14), { detach: [10, 10], attach: [10, 14], build: [10, 14] });
  });

  it("stepping back detaches the rows past the cursor and keeps them", () => {
    assert.deepEqual(rowPlan(14, 14, 9), { detach: [9, 14], attach: [14, 14], build: [14, 14] });
  });

  it("stepping forward again re-attaches the kept rows before building any", () => {
    assert.deepEqual(rowPlan(9, 14, 16), { detach: [9, 9], attach: [9, 16], build: [14, 16] });
  });
});

describe("a long log renders a window of its rows", () => {
  it("a short log shows every row", () => {
    assert.deepEqual(rowWindow({ count: 150, focus: 149 }), { lo: 0, hi: 150 });
  });

  it("following the newest event shows the last rows", () => {
    assert.deepEqual(rowWindow({ count: 1231, focus: 1230 }), { lo: 1231 - WINDOW, hi: 1231 });
  });

  it("scrolling back shows the rows around the one in view", () => {
    const shown = rowWindow({ count: 1231, at: 500 });
    assert.ok(shown.lo < 500 && shown.hi > 500 && shown.hi - shown.lo === WINDOW);
    assert.deepEqual(rowWindow({ count: 1231, at: 3 }), { lo: 0, hi: WINDOW });
  });

  it("a small scroll inside the window keeps it, so nothing is hidden or shown", () => {
    const was = { lo: 400, hi: 400 + WINDOW };
    assert.equal(rowWindow({ count: 1231, at: 480, was }), was);
    assert.notEqual(rowWindow({ count: 1231, at: 420, was }), was);
  });

  it("the row at a scroll offset counts measured heights and estimates the rest", () => {
    const heights = [40, 60, undefined, 40];
    assert.equal(rowAt(heights, 50, 0, 4), 0);
    assert.equal(rowAt(heights, 50, 99, 4), 1);
    assert.equal(rowAt(heights, 50, 100, 4), 2);
    assert.equal(rowAt(heights, 50, 151, 4), 3);
    assert.equal(rowAt(heights, 50, 10000, 4), 3);
  });
});
