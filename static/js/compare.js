// Compare: choreography and orchestration side by side, same scenario, failures and seed, on one
// shared virtual clock. Both whole runs come from /api/trace; playing moves the shared clock to
// the next moment anything happens in either run. Loaded the first time compare mode is used.

import { createTicker } from "./ticker.js";

export async function fetchTrace(params) {
  const query = new URLSearchParams();
  query.set("mode", params.mode);
  if (params.scenario) query.set("scenario", params.scenario);
  if (params.seed !== null && params.seed !== undefined) query.set("seed", String(params.seed));
  for (const f of params.failures ?? []) query.append("fail", f);
  const response = await fetch(`/api/trace?${query}`, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const reason = body?.error?.reason ?? body?.error ?? response.statusText;
    throw new Error(typeof reason === "string" ? reason : JSON.stringify(reason));
  }
  return Array.isArray(body.events) ? body.events : [];
}

/** `modes` are the two flavours shown, in the order their panes are drawn; `inputs` is the
 * run-inputs store (run-inputs.js). */
export function createCompare({ modes, inputs, onChange = () => {}, onNotice = () => {}, load = fetchTrace }) {
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  let ticks = [];
  let clock = 0; // how many ticks are shown
  const ticker = createTicker(advance);
  let loading = false;
  let serial = 0;

  async function reload({ keep = 0 } = {}) {
    stop();
    const mine = ++serial;
    loading = true;
    onChange();
    try {
      const first = await load({ ...inputs.snapshot(), mode: modes[0] });
      inputs.learnSeed(first.find((e) => e.kind === "saga.started")?.detail?.seed);
      const second = await load({ ...inputs.snapshot(), mode: modes[1] });
      if (mine !== serial) return;
      runs[modes[0]] = first;
      runs[modes[1]] = second;
      ticks = sharedTicks(first, second);
      clock = Math.min(keep, ticks.length);
    } catch (err) {
      onNotice({ level: "error", text: `Could not load the runs to compare: ${err.message}` });
    } finally {
      if (mine === serial) loading = false;
      onChange();
    }
  }

  const stop = () => ticker.stop();

  function advance() {
    if (clock < ticks.length) {
      clock += 1;
      onChange();
    }
    if (clock >= ticks.length) {
      stop();
      onChange();
    }
  }

  function cursorFor(mode) {
    return clock === 0 ? 0 : prefixAt(runs[mode], ticks[clock - 1]);
  }

  return {
    runs,
    reload,
    cursorFor,
    get clock() {
      return clock;
    },
    get total() {
      return ticks.length;
    },
    get loading() {
      return loading;
    },
    tMs() {
      return clock === 0 ? 0 : ticks[clock - 1];
    },
    visibleMerged() {
      return mergeByTime(...modes.map((m) => runs[m].slice(0, cursorFor(m))));
    },
    play() {
      if (clock >= ticks.length) clock = 0;
      ticker.start(inputs.speed);
      onChange();
    },
    pause() {
      stop();
      onChange();
    },
    step() {
      stop();
      advance();
    },
    stepBack() {
      stop();
      clock = Math.max(0, clock - 1);
      onChange();
    },
    seek(n) {
      stop();
      clock = Math.max(0, Math.min(ticks.length, n));
      onChange();
    },
    /** Move the shared clock to virtual time `tMs` (the moment an event happened). */
    seekTime(tMs) {
      stop();
      const i = ticks.indexOf(tMs);
      clock = i < 0 ? prefixAt(ticks.map((t) => ({ t_ms: t })), tMs) : i + 1;
      onChange();
    },
    reset() {
      stop();
      clock = 0;
      onChange();
    },
    setSpeed(speed) {
      ticker.retime(speed);
      onChange();
    },
    arm(spec) {
      inputs.addFailure(spec);
      return reload({ keep: clock });
    },
    disarm(spec) {
      inputs.removeFailure(spec);
      return reload({ keep: clock });
    },
    moving() {
      return ticker.running;
    },
    dispose() {
      stop();
      serial += 1;
    },
  };
}

/**
 * Two runs on one shared virtual clock: the visible prefix of each at virtual time `tMs`.
 * Events with t_ms <= tMs are shown.
 */
export function prefixAt(events, tMs) {
  let n = 0;
  while (n < events.length && (events[n].t_ms ?? 0) <= tMs) n += 1;
  return n;
}

/** The distinct virtual times at which anything happens in any of the runs, ascending. */
export function sharedTicks(...runs) {
  const ticks = new Set();
  for (const events of runs) for (const e of events) ticks.add(e.t_ms ?? 0);
  return [...ticks].sort((a, b) => a - b);
}

/** Merge runs into one list ordered by virtual time (stable: run order breaks ties). */
export function mergeByTime(...runs) {
  const tagged = [];
  runs.forEach((events, r) => events.forEach((e, i) => tagged.push({ e, r, i })));
  tagged.sort((a, b) => (a.e.t_ms ?? 0) - (b.e.t_ms ?? 0) || a.r - b.r || a.i - b.i);
  return tagged.map((x) => x.e);
}
