// The inputs of a run: mode, scenario, armed failures, seed, speed and whether two modes are
// compared. This module holds them; each changes only through its setter, which tells every
// subscriber the field that changed. Readers get plain values: `failures` is a frozen list.

import { canonicalSpec } from "./failures.js";

export const INPUT_FIELDS = Object.freeze(["mode", "scenario", "failures", "seed", "speed", "compare"]);

export function createRunInputs({ mode, scenario, failures = [], seed = null, speed = 1, compare = false }) {
  const values = { mode, scenario, failures: Object.freeze(failures.map(canonicalSpec)), seed, speed,
    compare: Boolean(compare) };
  const listeners = new Set();

  function set(field, value) {
    if (Object.is(values[field], value)) return false;
    values[field] = value;
    for (const listener of listeners) listener({ field, value });
    return true;
  }
  const setFailures = (list) => set("failures", Object.freeze(list));

  const inputs = {
    /** The values now, as a plain object (for a link or a request). */
    snapshot: () => ({ ...values }),
    /** `listener({field, value})` after each change; returns the unsubscribe function. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setMode: (name) => set("mode", name),
    setScenario: (name) => set("scenario", name),
    setSeed: (n) => set("seed", n),
    setSpeed: (value) => set("speed", value),
    setCompare: (on) => set("compare", Boolean(on)),
    /** The seed the server chose, kept only while none was asked for (so a reload replays it). */
    learnSeed: (n) => values.seed === null && Number.isInteger(n) && set("seed", n),
    /** Arm one more failure (kept in its canonical spelling). */
    addFailure: (spec) => setFailures([...values.failures, canonicalSpec(spec)]),
    /** Disarm the first failure spelled `spec`; false when none is armed. */
    removeFailure(spec) {
      const i = values.failures.indexOf(spec);
      return i >= 0 && setFailures(values.failures.filter((_, j) => j !== i));
    },
    /** Keep only the failures `keep` accepts (those that still name a step, say). */
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
