// One run drawn: the service map and, optionally, its swimlane. The picture is
// render(fold(events[0..cursor])); the layout uses every actor of the whole buffer so it stays
// still while the cursor moves.

import { createDiagram } from "./diagram.js";
import { createSwimlane } from "./swimlane.js";
import { actorsIn, fold, withActors } from "./timeline.js";

export function createPane({ mapRoot, laneRoot = null, title, onActivateNode, onSeek }) {
  const diagram = createDiagram(mapRoot, { onActivateNode, title });
  const swimlane = laneRoot ? createSwimlane(laneRoot, { onSeek }) : null;
  let lastCursor = 0;
  let lastKey = "";

  return {
    diagram,
    /**
     * Draw the run. Returns the folded state at the cursor. Events between the previous cursor
     * and this one are animated when the cursor moved forward a little on the same run.
     */
    render({ events, cursor, scenario, mode, key, narrow, duration, reduced, follow = true }) {
      const visible = events.slice(0, cursor);
      const folded = fold(visible, scenario, mode);
      const state = withActors(folded, actorsIn(events));
      const sameRun = key === lastKey;
      const forward = sameRun && cursor > lastCursor && cursor - lastCursor <= 3;
      const travel = forward ? events.slice(lastCursor, cursor) : [];
      diagram.render(state, { scenario, narrow, travel, duration, reduced });
      swimlane?.render(events, cursor, state.actors, { runId: key, follow });
      lastCursor = cursor;
      lastKey = key;
      return folded;
    },
  };
}
