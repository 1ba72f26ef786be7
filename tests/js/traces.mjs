// The real runs the unit tests work on: traces.json, written from the engine by write_traces.py
// (and checked against it by tests/test_wire_contract.py), with the page's catalog beside them.

import { readFileSync } from "node:fs";

const DATA = JSON.parse(readFileSync(new URL("./traces.json", import.meta.url), "utf8"));

export const CATALOG = DATA.catalog;
export const CHECKOUT = scenario("checkout");
export const TRAVEL = scenario("travel");

export function scenario(name) {
  const found = CATALOG.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`traces.json has no scenario "${name}"`);
  return found;
}

/** The events of one run, by the name write_traces.py gives it. */
export function trace(name) {
  const found = DATA.traces.find((t) => t.name === name);
  if (!found) throw new Error(`traces.json has no run "${name}"; see tests/js/write_traces.py`);
  return found.events;
}

export const TRACES = DATA.traces;

/** The position (1-based cursor) just after the first event of `kind` that matches. */
export function after(events, kind, match = () => true) {
  const i = events.findIndex((e) => e.kind === kind && match(e));
  if (i < 0) throw new Error(`no ${kind} event in this run`);
  return i + 1;
}

/** A long run: `events` played `times` over, renumbered and later each time (one run id). */
export function repeated(events, times) {
  const span = events[events.length - 1].t_ms + 10;
  const out = [];
  for (let k = 0; k < times; k += 1) {
    for (const e of events) out.push({ ...e, seq: out.length + 1, t_ms: e.t_ms + k * span });
  }
  return out;
}
