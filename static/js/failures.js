// The failure-spec grammar STEP[:KIND[:N]], the same one the engine, the CLI and URLs use.
// Pure data, no DOM.

export const FAILURE_KINDS = Object.freeze([
  "fail", "transient", "timeout", "compensate", "crash", "drop", "duplicate",
]);

export const KIND_LABELS = Object.freeze({
  fail: "fails for good (business error)",
  transient: "fails, then succeeds on retry",
  timeout: "times out",
  compensate: "its undo fails, then succeeds on retry",
  crash: "coordinator crashes right after it commits",
  drop: "its event is lost, then redelivered",
  duplicate: "its event is delivered twice",
});

/** Kinds whose count N means something (fail and duplicate happen once). */
export const COUNTED_KINDS = new Set(["transient", "timeout", "compensate", "drop"]);

export const MAX_COUNT = 100;
const SPEC = /^([A-Za-z_][A-Za-z0-9_-]*)(?::([a-z]+)(?::(\d+))?)?$/;

/**
 * Parse one spec. Returns {ok: true, spec: {step, kind, count}} or {ok: false, reason}.
 * With `steps` (and optionally `kinds`), unknown names are rejected with the valid choices.
 */
export function parseSpec(text, steps = null, kinds = FAILURE_KINDS) {
  const valid = validChoices(steps, kinds);
  if (typeof text !== "string") return bad(`a failure is written STEP[:KIND[:N]] (${valid})`);
  const match = SPEC.exec(text.trim());
  if (!match) return bad(`"${text.slice(0, 80)}" is not STEP[:KIND[:N]] (${valid})`);
  const [, step, kind = "fail", n] = match;
  if (steps && !steps.includes(step)) return bad(`unknown step "${step}" (${valid})`);
  if (!kinds.includes(kind)) return bad(`unknown failure kind "${kind}" (${valid})`);
  const count = n === undefined ? 1 : Number(n);
  if (!(count >= 1 && count <= MAX_COUNT)) return bad(`count ${count} is out of range (${valid})`);
  return { ok: true, spec: { step, kind, count } };
}

function bad(reason) {
  return { ok: false, reason };
}

function validChoices(steps, kinds) {
  const parts = [];
  if (steps) parts.push(`valid steps: ${steps.join(", ")}`);
  parts.push(`valid kinds: ${kinds.join(", ")}`);
  parts.push(`N is 1 to ${MAX_COUNT}`);
  return parts.join("; ");
}

/** The shortest spelling: "payment", "payment:transient:2". */
export function formatSpec({ step, kind = "fail", count = 1 }) {
  if (count !== 1) return `${step}:${kind}:${count}`;
  return kind === "fail" ? step : `${step}:${kind}`;
}

/** Canonical form so "payment", "payment:fail" and "payment:fail:1" compare equal. */
export function canonicalSpec(text) {
  const parsed = parseSpec(text);
  return parsed.ok ? formatSpec(parsed.spec) : String(text);
}

/** A sentence a student can read: "payment fails, then succeeds on retry (2×)". */
export function describeSpec(text) {
  const parsed = parseSpec(text);
  if (!parsed.ok) return String(text);
  const { step, kind, count } = parsed.spec;
  const times = count > 1 ? ` (${count}×)` : "";
  return `${step} ${KIND_LABELS[kind] ?? kind}${times}`;
}
