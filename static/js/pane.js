// One run drawn: the service map and, optionally, its swimlane. The picture is
// render(fold(events[0..cursor])); the layout uses every actor of the whole buffer so it stays
// still while the cursor moves. Folds are remembered (prefix caches), so a frame costs the events
// it added, not the whole run.

import { createDiagram } from "./diagram.js";
import { createPrefixCache } from "./prefix-cache.js";
import { createSwimlane } from "./swimlane.js";
import { addActors, apply, initialState, withActors } from "./timeline.js";

export function createPane({ mapRoot, laneRoot = null, title, onActivateNode, onSeek }) {
  const diagram = createDiagram(mapRoot, { onActivateNode, title });
  const swimlane = laneRoot ? createSwimlane(laneRoot, { onSeek }) : null;
  const folds = createPrefixCache(apply);
  const everyone = createPrefixCache(addActors);
  let lastCursor = 0;
  let lastKey = "";

  return {
    diagram,
    /**
     * Draw the run. Returns the folded state at the cursor. Events between the previous cursor
     * and this one are animated when the cursor moved forward a little on the same run. The
     * swimlane shows the first `through` events (the whole buffer unless told otherwise).
     */
    render({ events, cursor, scenario, mode, key, narrow, duration, reduced, follow = true,
      through = events.length }) {
      const foldMode = mode ?? events[0]?.mode ?? "orchestration";
      const folded = folds.at(events, cursor, `${key}|${foldMode}|${scenario?.name}`,
        () => initialState(scenario, foldMode));
      const state = withActors(folded, everyone.at(events, events.length, key, () => []));
      const sameRun = key === lastKey;
      const forward = sameRun && cursor > lastCursor && cursor - lastCursor <= 3;
      const travel = forward ? events.slice(lastCursor, cursor) : [];
      diagram.render(state, { scenario, narrow, travel, duration, reduced });
      const lane = through < events.length ? events.slice(0, through) : events;
      swimlane?.render(lane, cursor, state.actors, { runId: key, follow });
      lastCursor = cursor;
      lastKey = key;
      return folded;
    },
    /** Layout reads (scrolling to the cursor), once every part of the page has been written. */
    settle() {
      swimlane?.settle();
    },
  };
}
