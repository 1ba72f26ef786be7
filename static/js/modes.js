// The saga modes by name: the words the page shows for them and what each has on its map.

export const MODE_LABELS = Object.freeze({
  orchestration: "Orchestration",
  choreography: "Choreography",
  hybrid: "Hybrid",
});
export const MODES = Object.freeze(Object.keys(MODE_LABELS));
export const COMPARE_LABEL = "Compare both";

/** The word for a mode; one this page does not know yet is shown as the server spells it. */
export function modeLabel(mode) {
  return MODE_LABELS[mode] ?? mode;
}

/** An orchestrator drives orchestration and hybrid runs. */
export const hasOrchestrator = (mode) => mode === "orchestration" || mode === "hybrid";
/** Choreography and hybrid runs carry events on a bus. */
export const hasBus = (mode) => mode === "choreography" || mode === "hybrid";
