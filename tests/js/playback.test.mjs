import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { mergeByTime, prefixAt, sharedTicks } from "../../static/js/compare.js";
import { fastForwardStep, frameCursor, Playback } from "../../static/js/playback.js";
import { trace } from "./traces.mjs";

const RUN = trace("orchestration-payment-fails");

function loaded(n = RUN.length) {
  const p = new Playback();
  p.clear(RUN[0].run_id);
  for (const e of RUN.slice(0, n)) p.append(e);
  return p;
}

describe("the event buffer", () => {
  it("keeps every event and follows the newest", () => {
    const p = loaded();
    assert.equal(p.length, RUN.length);
    assert.equal(p.cursor, RUN.length);
    assert.equal(p.rewound, false);
  });

  it("ignores duplicates from a reattach and events of another run", () => {
    const p = loaded(3);
    assert.equal(p.append(RUN[1]), 0);
    assert.equal(p.append({ ...RUN[3], run_id: "someone-else" }), 0);
    assert.equal(p.length, 3);
  });

  it("holds an out-of-order event until the gap is filled", () => {
    const p = loaded(2);
    assert.equal(p.append(RUN[3]), 0);
    assert.equal(p.length, 2);
    assert.equal(p.append(RUN[2]), 2);
    assert.equal(p.lastSeq, 4);
  });
});

describe("time travel", () => {
  it("step back shows one event less and stops following", () => {
    const p = loaded();
    assert.ok(p.stepBack());
    assert.equal(p.cursor, RUN.length - 1);
    assert.equal(p.rewound, true);
    p.append({ ...RUN[0], seq: RUN.length + 1 });
    assert.equal(p.cursor, RUN.length - 1, "new events do not move a rewound cursor");
  });

  it("step back at the start does nothing", () => {
    const p = loaded(0);
    assert.equal(p.stepBack(), false);
    assert.equal(p.cursor, 0);
  });

  it("stepping forward replays from the buffer before asking for more", () => {
    const p = loaded();
    p.seek(2);
    assert.equal(p.stepForward(), true);
    assert.equal(p.events[p.cursor - 1].seq, 3);
    p.seek(RUN.length);
    assert.equal(p.stepForward(), false, "at the newest event the server must step");
    assert.equal(p.following, true);
  });

  it("seeking is clamped and following resumes at the end", () => {
    const p = loaded();
    assert.equal(p.seek(-5), 0);
    assert.equal(p.seek(1000), RUN.length);
    assert.equal(p.following, true);
  });

  it("a fork fast-forwards until the old cursor and stops there", () => {
    const p = new Playback();
    p.clear(RUN[0].run_id);
    p.hold();
    const verdicts = RUN.map((e) => {
      p.append(e);
      return fastForwardStep(p, 3);
    });
    assert.deepEqual(verdicts.slice(0, 3), ["continue", "continue", "arrived"]);
    assert.equal(p.cursor, 3);
    assert.equal(fastForwardStep(p, null), "none");
  });
});

describe("two runs on one virtual clock", () => {
  const a = [{ t_ms: 0, id: "a1" }, { t_ms: 20, id: "a2" }, { t_ms: 50, id: "a3" }];
  const b = [{ t_ms: 10, id: "b1" }, { t_ms: 20, id: "b2" }];

  it("the visible prefix is everything up to the clock", () => {
    assert.equal(prefixAt(a, 20), 2);
    assert.equal(prefixAt(b, 5), 0);
    assert.equal(prefixAt(b, 100), 2);
  });

  it("ticks are the distinct times of both runs", () => {
    assert.deepEqual(sharedTicks(a, b), [0, 10, 20, 50]);
  });

  it("merging orders by time, first run first on ties", () => {
    assert.deepEqual(mergeByTime(a, b).map((e) => e.id), ["a1", "b1", "a2", "b2", "a3"]);
  });
});

describe("drawing at speed max", () => {
  const playing = { sameRun: true, playing: true, budget: 16 };

  it("a frame draws at most a budget of events past the last one drawn", () => {
    assert.equal(frameCursor({ ...playing, drawn: 100, cursor: 180 }), 116);
    assert.equal(frameCursor({ ...playing, drawn: 100, cursor: 110 }), 110);
  });

  it("a new run is drawn from its first event, a budget at a time", () => {
    assert.equal(frameCursor({ ...playing, sameRun: false, drawn: 700, cursor: 56 }), 16);
  });

  it("travelling back, or any move while paused, is drawn at once", () => {
    assert.equal(frameCursor({ ...playing, drawn: 100, cursor: 3 }), 3);
    assert.equal(frameCursor({ ...playing, playing: false, drawn: 0, cursor: 900 }), 900);
  });

  it("the view catches up with the events received in a bounded number of frames", () => {
    let drawn = 0;
    let frames = 0;
    while (drawn < 1231) {
      drawn = frameCursor({ ...playing, drawn, cursor: 1231 });
      frames += 1;
    }
    assert.equal(frames, Math.ceil(1231 / 16));
  });
});
