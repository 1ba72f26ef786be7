// Compare mode drawn: one pane per compared mode on the shared virtual clock, the runs' events
// merged in one log, one metrics column per mode. Loaded with compare.js the first time compare
// mode is used; view.js hands it the log, caption and metrics both views share.

import { addEvent, emptyMetrics } from "./metrics.js";
import { modeLabel } from "./modes.js";
import { createPane } from "./pane.js";
import { createPrefixCache } from "./prefix-cache.js";
import { statusWord } from "./timeline.js";

export function createCompareView(doc, { modes, parts, onActivateNode, onSeek }) {
  const $ = (id) => doc.getElementById(id);
  let shown = null; // the comparison drawn last
  const panes = Object.fromEntries(modes.map((mode) => [mode, createPane({
    mapRoot: $(`map-${mode}`), laneRoot: $(`lanes-${mode}`), title: `${modeLabel(mode)} service map`,
    onActivateNode, onSeek: (n) => onSeek(n, shown?.runs[mode][n - 1]),
  })]));
  const sums = Object.fromEntries(modes.map((m) => [m, createPrefixCache(addEvent)]));

  return {
    panes: Object.values(panes),
    /** Draw `compare` (compare.js); answers what the control bar shows. */
    render(compare, { scenario, inputs, narrow, duration, reduced }) {
      shown = compare;
      const moving = compare.moving();
      const key = `${inputs.scenario}|${inputs.seed}|${inputs.failures.join()}`;
      const states = modes.map((mode) => panes[mode].render({
        events: compare.runs[mode], cursor: compare.cursorFor(mode), scenario, mode,
        key: `${mode}|${key}`, narrow: narrow(`map-${mode}`), duration: duration(moving), reduced,
      }));
      const merged = compare.visibleMerged();
      parts.log.render(merged, `compare|${key}`, { withMode: true });
      const last = merged[merged.length - 1];
      parts.narration.render(last, { fast: moving && inputs.speed === "max",
        prefix: last ? `${modeLabel(last.mode)}: ` : "" });
      parts.metrics.render(modes.map((m) => ({ name: modeLabel(m),
        metrics: sums[m].at(compare.runs[m], compare.cursorFor(m), `${m}|${key}`, emptyMetrics) })));
      return { status: bothStatus(states, moving), moving, cursor: compare.clock, total: compare.total,
        tMs: compare.tMs() };
    },
  };
}

/** One word for the runs: theirs when they agree, each outcome once all ended, else the clock's. */
export function bothStatus(states, moving) {
  const words = states.map((s) => statusWord(s, moving));
  if (words.every((w) => w === words[0])) return words[0];
  if (states.every((s) => s.outcome)) return words.join(" / ");
  if (words.includes("crashed")) return "crashed";
  return moving ? "running" : "paused";
}
