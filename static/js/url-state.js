// URL ⇄ page state. Pure: takes and returns strings and plain objects, never touches location.

import { canonicalSpec, failureKinds, parseSpec } from "./failures.js";
import { MODES } from "./modes.js";

export const DEFAULT_SPEEDS = Object.freeze({ min: 0.25, max: 8, default: 1 });
export const SPEED_CHOICES = Object.freeze([0.25, 0.5, 1, 2, 4, 8, "max"]);

/** Parse a speed ("max", "2", 0.5); null when it is not a speed. */
export function parseSpeed(value, limits = DEFAULT_SPEEDS) {
  if (value === "max") return "max";
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n) || n < limits.min || n > limits.max) return null;
  return n;
}

function parseBool(value) {
  return ["1", "true", "yes", "on"].includes(String(value).toLowerCase());
}

function parseCount(value) {
  if (value === null || value === undefined || value === "") return null;
  if (!/^\d+$/.test(String(value))) return undefined;
  return Number(value);
}

/**
 * Validate a raw page state (from the server's config or from a query string) against the
 * scenarios payload. Answers {state, errors}; anything bad falls back to its default and adds
 * an error that names the valid values.
 */
export function normalizeState(raw, catalog = {}) {
  const modes = catalog.modes ?? MODES;
  const scenarios = catalog.scenarios ?? [];
  const limits = catalog.speeds ?? DEFAULT_SPEEDS;
  const errors = [];
  const state = {
    mode: modes[0],
    scenario: scenarios[0]?.name ?? "checkout",
    failures: [],
    seed: null,
    speed: limits.default ?? 1,
    autoplay: false,
    cursor: 0,
    compare: false,
  };

  if (raw.mode != null && raw.mode !== "") {
    if (raw.mode === "compare") state.compare = true;
    else if (modes.includes(raw.mode)) state.mode = raw.mode;
    else errors.push(`Unknown mode "${raw.mode}"; valid modes: ${modes.join(", ")}.`);
  }
  if (raw.compare != null) state.compare = state.compare || parseBool(raw.compare);
  if (raw.scenario != null && raw.scenario !== "") {
    const names = scenarios.map((s) => s.name);
    if (!names.length || names.includes(raw.scenario)) state.scenario = raw.scenario;
    else errors.push(`Unknown scenario "${raw.scenario}"; valid scenarios: ${names.join(", ")}.`);
  }
  const scenario = scenarios.find((s) => s.name === state.scenario);
  const steps = scenario ? scenario.steps.map((s) => s.name) : null;
  // Without the catalog's kinds (it could not be loaded) the server is left to judge them.
  const kinds = catalog.failure_kind_info ? failureKinds(catalog).names : null;
  for (const text of [].concat(raw.failures ?? [])) {
    const parsed = parseSpec(text, steps, kinds);
    if (parsed.ok) state.failures.push(canonicalSpec(text));
    else errors.push(`Ignored failure: ${parsed.reason}.`);
  }
  const seed = parseCount(raw.seed);
  if (seed === undefined) errors.push(`Seed "${raw.seed}" is not a whole number.`);
  else state.seed = seed;
  if (raw.speed != null && raw.speed !== "") {
    const speed = parseSpeed(raw.speed, limits);
    if (speed === null) {
      errors.push(`Speed "${raw.speed}" is out of range; use ${limits.min} to ${limits.max} or max.`);
    } else state.speed = speed;
  }
  if (raw.autoplay != null) state.autoplay = raw.autoplay === true || parseBool(raw.autoplay);
  const cursor = parseCount(raw.cursor);
  if (cursor === undefined) errors.push(`Cursor "${raw.cursor}" is not a whole number.`);
  else state.cursor = cursor ?? 0;
  return { state, errors };
}

/** Read the raw (unvalidated) page state from a query string like "?mode=hybrid&fail=payment". */
export function parseQuery(search) {
  const params = new URLSearchParams(search);
  const raw = {};
  for (const key of ["mode", "scenario", "seed", "speed", "autoplay", "cursor", "compare"]) {
    if (params.has(key)) raw[key] = params.get(key);
  }
  if (params.has("fail")) raw.failures = params.getAll("fail");
  return raw;
}

/** The query string that reproduces `state`; defaults are left out to keep links short. */
export function toQuery(state, defaults = {}) {
  const params = new URLSearchParams();
  params.set("mode", state.compare ? "compare" : state.mode);
  if (state.scenario && state.scenario !== defaults.scenario) params.set("scenario", state.scenario);
  for (const spec of state.failures ?? []) params.append("fail", spec);
  if (state.seed !== null && state.seed !== undefined) params.set("seed", String(state.seed));
  if (state.speed !== undefined && state.speed !== (defaults.speed ?? 1)) {
    params.set("speed", String(state.speed));
  }
  if (state.cursor) params.set("cursor", String(state.cursor));
  if (state.autoplay) params.set("autoplay", "1");
  return `?${params.toString().replace(/%3A/g, ":")}`;
}
