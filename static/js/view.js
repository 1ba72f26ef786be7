// The run drawn: render(fold(events[0..cursor])) of the live run or, in compare mode, of each
// compared mode on the shared clock (compare-view.js, loaded with compare.js when first used).
// Draws the service maps, the swimlane, the event log, the caption and the metrics from the state
// it is handed, and answers what the control bar shows. Clicks on a moment go up as onSeek.

import { createEventLog } from "./event-log.js";
import { addEvent, emptyMetrics } from "./metrics.js";
import { createMetricsPanel } from "./metrics-panel.js";
import { modeLabel } from "./modes.js";
import { createNarration } from "./narration.js";
import { createPane } from "./pane.js";
import { frameCursor } from "./playback.js";
import { createPrefixCache } from "./prefix-cache.js";
import { statusWord } from "./timeline.js";

// At speed max events can arrive faster than frames: each frame draws at most this many more.
const FRAME_BUDGET = 16;

/** The modes compared are the ones the page has panes for. */
export function comparedModes(doc) {
  return [...doc.querySelectorAll("#compare-view [data-mode]")].map((el) => el.dataset.mode);
}

/**
 * `session` is the live run (session.js), `scenario()` the loaded one from the catalog;
 * `onSeek(n, event)` travels to the n-th event shown; `schedule()` asks for another frame.
 */
export function createView(doc, { inputs, session, scenario, onActivateNode, onSeek, schedule }) {
  const $ = (id) => doc.getElementById(id);
  const reduced = matchMedia("(prefers-reduced-motion: reduce)");
  reduced.addEventListener("change", schedule);
  const livePane = createPane({ mapRoot: $("map-live"), laneRoot: $("lanes-live"), title: "Service map",
    onActivateNode, onSeek: (n) => onSeek(n, session.playback.events[n - 1]) });
  const parts = {
    log: createEventLog($("event-log"), { onSeek, onScroll: schedule }),
    narration: createNarration($("narration")),
    metrics: createMetricsPanel($("metrics")),
  };
  const sums = createPrefixCache(addEvent);
  let compareView = null;

  const widths = new Map();
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) widths.set(entry.target.id, entry.contentRect.width);
    schedule();
  });
  for (const id of ["map-live", ...comparedModes(doc).map((m) => `map-${m}`)]) observer.observe($(id));
  const narrow = (id) => (widths.get(id) ?? 1000) < 600;

  function hopDuration(moving) {
    if (reduced.matches || inputs.speed === "max" || session.fastForwarding) return 0;
    return moving ? Math.min(700, 900 / inputs.speed) : 600;
  }

  const drawn = { key: "", cursor: 0, behind: false };

  function renderLive() {
    const pb = session.playback;
    const key = session.run.id ?? "";
    const cursor = frameCursor({ drawn: drawn.cursor, cursor: pb.cursor, sameRun: key === drawn.key,
      playing: session.moving() || drawn.behind, budget: FRAME_BUDGET });
    drawn.key = key;
    drawn.cursor = cursor;
    drawn.behind = cursor < pb.cursor;
    if (drawn.behind) schedule();
    const moving = session.moving() || drawn.behind;
    const state = livePane.render({
      events: pb.events, cursor, scenario: scenario(), mode: inputs.mode,
      key, narrow: narrow("map-live"), duration: hopDuration(moving),
      reduced: reduced.matches, through: drawn.behind ? cursor : pb.length,
    });
    parts.log.render(pb.events.slice(0, cursor), key);
    parts.narration.render(pb.events[cursor - 1] ?? null,
      { fast: moving && (inputs.speed === "max" || inputs.speed > 2) });
    parts.metrics.render([{ name: modeLabel(inputs.mode),
      metrics: sums.at(pb.events, cursor, key, emptyMetrics) }]);
    return { status: statusWord(state, moving), moving, cursor, total: pb.length, tMs: state.tMs };
  }

  return {
    /** Load compare mode's drawing (its panes are built then). */
    async loadCompare() {
      const { createCompareView } = await import("./compare-view.js");
      compareView ??= createCompareView(doc, { modes: comparedModes(doc), parts, onActivateNode, onSeek });
    },
    /** Draw the live run, or `compare` (compare.js) in compare mode; answers the control bar's view. */
    render(compare) {
      doc.body.classList.toggle("comparing", inputs.compare);
      $("live-view").hidden = inputs.compare;
      $("compare-view").hidden = !inputs.compare;
      $("timeline").hidden = inputs.compare;
      if (!inputs.compare) return renderLive();
      return compareView.render(compare, { scenario: scenario(), inputs, narrow, duration: hopDuration,
        reduced: reduced.matches });
    },
    /** The layout reads (scrolling to the cursor), once every part of the page has been written. */
    settle() {
      for (const pane of inputs.compare ? compareView.panes : [livePane]) pane.settle();
      parts.log.settle();
    },
  };
}
