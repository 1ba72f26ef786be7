// The failure-spec grammar STEP[:KIND[:N]], the same one the engine, the CLI and URLs use, and
// the failure kinds as the server's catalog lists them. Pure data, no DOM.

export const MAX_COUNT = 100;
const SPEC = /^([A-Za-z_][A-Za-z0-9_-]*)(?::([a-z]+)(?::(\d+))?)?$/;

/**
 * The catalog's failure kinds (`failure_kind_info`), in its order: their names, the label a menu
 * shows for each, and whether a count N means something (`counted`).
 */
export function failureKinds(catalog) {
  const info = catalog?.failure_kind_info ?? [];
  const byKind = new Map(info.map((k) => [k.kind, k]));
  return {
    names: info.map((k) => k.kind),
    label: (kind) => byKind.get(kind)?.label ?? kind,
    counted: (kind) => byKind.get(kind)?.counted === true,
  };
}

/**
 * Parse one spec. Returns {ok: true, spec: {step, kind, count}} or {ok: false, reason}.
 * With `steps` and `kinds` (names), unknown names are rejected with the valid choices; without
 * `kinds` any kind the grammar can spell is read.
 */
export function parseSpec(text, steps = null, kinds = null) {
  const valid = validChoices(steps, kinds);
  if (typeof text !== "string") return bad(`a failure is written STEP[:KIND[:N]] (${valid})`);
  const match = SPEC.exec(text.trim());
  if (!match) return bad(`"${text.slice(0, 80)}" is not STEP[:KIND[:N]] (${valid})`);
  const [, step, kind = "fail", n] = match;
  if (steps && !steps.includes(step)) return bad(`unknown step "${step}" (${valid})`);
  if (kinds && !kinds.includes(kind)) return bad(`unknown failure kind "${kind}" (${valid})`);
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
  if (kinds) parts.push(`valid kinds: ${kinds.join(", ")}`);
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
export function describeSpec(text, kinds) {
  const parsed = parseSpec(text);
  if (!parsed.ok) return String(text);
  const { step, kind, count } = parsed.spec;
  const times = count > 1 ? ` (${count}×)` : "";
  return `${step} ${kinds.label(kind)}${times}`;
}
