// The run's inputs (mode, scenario, armed failures, seed, speed, compare) have one owner, this
// store: each changes through its setter, which tells the subscribers the field that changed.
// Readers see plain values; `failures` is a frozen list, in the short spelling.

import { canonicalSpec } from "./failures.js";

export const INPUT_FIELDS = Object.freeze(["mode", "scenario", "failures", "seed", "speed", "compare"]);

export function createRunInputs({ mode, scenario, failures = [], seed = null, speed = 1, compare = false }) {
  const values = { mode, scenario, failures: Object.freeze(failures.map(canonicalSpec)), seed, speed,
    compare: Boolean(compare) };
  const listeners = new Set();
  const set = (field, value) => {
    if (Object.is(values[field], value)) return false;
    values[field] = value;
    for (const listener of listeners) listener({ field, value });
    return true;
  };
  const setFailures = (list) => set("failures", Object.freeze(list));
  const inputs = {
    snapshot: () => ({ ...values }),
    /** `listener({field, value})` after each change; answers a function that unsubscribes. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setMode: (name) => set("mode", name),
    setScenario: (name) => set("scenario", name),
    setSeed: (n) => set("seed", n),
    setSpeed: (value) => set("speed", value),
    setCompare: (on) => set("compare", Boolean(on)),
    /** The seed the server chose, kept while none was asked for (a reload replays the same run). */
    learnSeed: (n) => values.seed === null && Number.isInteger(n) && set("seed", n),
    addFailure: (spec) => setFailures([...values.failures, canonicalSpec(spec)]),
    /** Disarm the first failure spelled `spec`; false when none is armed. */
    removeFailure(spec) {
      const i = values.failures.indexOf(spec);
      return i >= 0 && setFailures(values.failures.filter((_, j) => j !== i));
    },
    /** Keep the failures `keep` accepts (those that still name a step of a new scenario). */
    keepFailures(keep) {
      const kept = values.failures.filter(keep);
      return kept.length !== values.failures.length && setFailures(kept);
    },
  };
  for (const field of INPUT_FIELDS) {
    Object.defineProperty(inputs, field, { get: () => values[field], enumerable: true });
  }
  return Object.freeze(inputs);
}
