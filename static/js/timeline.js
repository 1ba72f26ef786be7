// The fold: a list of saga events in, the state of the picture out.
// Pure data, no DOM: the view at cursor i is render(fold(events.slice(0, i), scenario)).

import { hasBus, hasOrchestrator } from "./modes.js";

export const NODE_STATES = Object.freeze([
  "idle", "working", "committed", "failed", "retrying",
  "compensating", "compensated", "crashed", "replaying",
]);

/** The actors drawn before any event arrives, from the scenario and the mode. */
export function baseActors(scenario, mode) {
  const services = scenarioServices(scenario);
  const actors = [];
  if (mode === "choreography") actors.push("client");
  if (hasOrchestrator(mode)) actors.push("orchestrator");
  actors.push(...services);
  if (hasBus(mode)) actors.push("bus");
  if (mode === "hybrid") actors.push(...sideSubscriberNames(scenario));
  return actors;
}

export function scenarioServices(scenario) {
  return unique((scenario?.steps ?? []).map((s) => s.service));
}

/** Side subscribers, from the catalog's {EventName: [subscriber…]}. */
export function sideSubscriberNames(scenario) {
  return unique(Object.values(scenario?.side_subscribers ?? {}).flat());
}

function unique(list) {
  return [...new Set(list.filter(Boolean))];
}

/** The state before the first event. */
export function initialState(scenario, mode) {
  const steps = (scenario?.steps ?? []).map((s) => ({ name: s.name, service: s.service }));
  const nodes = {};
  for (const actor of baseActors(scenario, mode)) nodes[actor] = node("idle");
  return {
    mode,
    runId: null,
    seed: null,
    saga: scenario?.name ?? null,
    steps,
    nodes,
    actors: Object.keys(nodes),
    stepStatus: Object.fromEntries(steps.map((s) => [s.name, "pending"])),
    inflight: {},
    failures: [],
    outcome: null,
    crashed: null,
    replay: null,
    last: null,
    count: 0,
    tMs: 0,
    startMs: null,
    committed: [],
    compensated: [],
  };
}

function node(state, note = "") {
  return { state, note };
}

/** Fold events (already in seq order) into the view state. */
export function fold(events, scenario, mode) {
  const firstMode = mode ?? events[0]?.mode ?? "orchestration";
  let state = initialState(scenario, firstMode);
  for (const event of events) state = apply(state, event);
  return state;
}

/** One event's effect. Returns a new state; the input is left untouched. */
export function apply(prev, event) {
  const s = {
    ...prev,
    nodes: { ...prev.nodes },
    stepStatus: { ...prev.stepStatus },
    inflight: { ...prev.inflight },
    actors: [...prev.actors],
    failures: [...prev.failures],
    committed: [...prev.committed],
    compensated: [...prev.compensated],
  };
  s.last = event;
  s.count = prev.count + 1;
  s.tMs = event.t_ms ?? prev.tMs;
  if (s.startMs === null) s.startMs = s.tMs;
  s.runId = event.run_id ?? prev.runId;
  if (event.mode) s.mode = event.mode;
  s.replay = null;
  if (s.nodes.orchestrator?.state === "replaying") setNode(s, "orchestrator", "working", "resumed");
  ensureActor(s, event.actor);
  const handler = HANDLERS[event.kind];
  if (handler) handler(s, event, event.detail ?? {});
  return s;
}

function ensureActor(s, actor) {
  if (!actor || s.nodes[actor]) return;
  s.nodes[actor] = node("idle");
  s.actors.push(actor);
}

function setNode(s, actor, state, note = "") {
  if (!actor) return;
  ensureActor(s, actor);
  s.nodes[actor] = { ...s.nodes[actor], state, note };
}

function serviceOf(s, event, detail) {
  if (detail.service) return detail.service;
  const step = s.steps.find((x) => x.name === event.step);
  return step ? step.service : event.actor;
}

function setStep(s, step, status) {
  if (step) s.stepStatus[step] = status;
}

function coordinatorWorking(s, event, note) {
  if (s.nodes.orchestrator && s.nodes.orchestrator.state !== "crashed" && event.actor === "orchestrator") {
    setNode(s, "orchestrator", "working", note);
  }
}

const HANDLERS = {
  "saga.started"(s, event, d) {
    if (Array.isArray(d.steps) && d.steps.length) {
      s.steps = d.steps.map((x) => ({ name: x.name, service: x.service }));
      for (const step of s.steps) {
        ensureActor(s, step.service);
        if (!(step.name in s.stepStatus)) s.stepStatus[step.name] = "pending";
      }
    }
    s.seed = d.seed ?? s.seed;
    s.saga = d.saga ?? s.saga;
    s.failures = [...(d.failures ?? [])];
    if (s.nodes.orchestrator) setNode(s, "orchestrator", "working", "saga started");
  },
  "failure.injected"(s, event, d) {
    if (d.spec) s.failures.push(d.spec);
  },
  "step.started"(s, event, d) {
    const service = serviceOf(s, event, d);
    const retry = (d.attempt ?? 1) > 1;
    const attempt = d.max_attempts ? `attempt ${d.attempt} of ${d.max_attempts}` : "";
    setNode(s, service, retry ? "retrying" : "working", attempt || `running ${event.step}`);
    setStep(s, event.step, "running");
    coordinatorWorking(s, event, `calling ${service} (${event.step})`);
  },
  "step.succeeded"(s, event, d) {
    setNode(s, serviceOf(s, event, d), "committed", `${event.step} committed`);
    setStep(s, event.step, "committed");
    if (event.step && !s.committed.includes(event.step)) s.committed.push(event.step);
  },
  "step.failed"(s, event, d) {
    const service = serviceOf(s, event, d);
    const why = d.error ? `: ${d.error}` : "";
    if (d.final === false) {
      setNode(s, service, "retrying", `attempt ${d.attempt} failed${why}`);
    } else {
      setNode(s, service, "failed", `${event.step} failed${why}`);
      setStep(s, event.step, "failed");
    }
  },
  "step.timed_out"(s, event, d) {
    const service = serviceOf(s, event, d);
    const note = `timed out after ${d.timeout_ms ?? "?"} ms`;
    if (d.final === false) setNode(s, service, "retrying", note);
    else {
      setNode(s, service, "failed", note);
      setStep(s, event.step, "failed");
    }
  },
  "step.retry_scheduled"(s, event, d) {
    setNode(s, serviceOf(s, event, d), "retrying",
      `retry in ${d.delay_ms ?? "?"} ms (attempt ${d.attempt ?? "?"})`);
    coordinatorWorking(s, event, `waiting to retry ${event.step}`);
  },
  "compensation.started"(s, event, d) {
    setNode(s, serviceOf(s, event, d), "compensating", `undoing ${event.step}`);
    setStep(s, event.step, "compensating");
    coordinatorWorking(s, event, `undoing ${event.step}`);
  },
  "compensation.succeeded"(s, event, d) {
    setNode(s, serviceOf(s, event, d), "compensated", `${event.step} undone`);
    setStep(s, event.step, "compensated");
    if (event.step && !s.compensated.includes(event.step)) s.compensated.push(event.step);
  },
  "compensation.failed"(s, event, d) {
    const why = d.error ? `: ${d.error}` : "";
    setNode(s, serviceOf(s, event, d), "compensating", `undo failed${why}; will retry`);
  },
  "compensation.retry_scheduled"(s, event, d) {
    setNode(s, serviceOf(s, event, d), "compensating", `undo retry in ${d.delay_ms ?? "?"} ms`);
  },
  "message.published"(s, event, d) {
    const targets = Array.isArray(d.targets) ? d.targets : [];
    for (const t of targets) ensureActor(s, t);
    if (d.message_id != null && targets.length) {
      s.inflight[d.message_id] = { name: d.name, source: d.source ?? event.actor, targets };
    }
    if (s.nodes.bus) {
      if (targets.length) setNode(s, "bus", "working", `carrying ${d.name}`);
      else busSettles(s, `${d.name}: nobody subscribes`);
    }
  },
  "message.delivered"(s, event, d) {
    const msg = s.inflight[d.message_id];
    if (msg) {
      const targets = msg.targets.filter((t) => t !== d.target);
      if (targets.length) s.inflight[d.message_id] = { ...msg, targets };
      else delete s.inflight[d.message_id];
    }
    ensureActor(s, d.target);
    const target = s.nodes[d.target];
    if (target && isSideSubscriber(s, d.target)) {
      setNode(s, d.target, "committed", `got ${d.name}`);
    }
    busSettles(s, `delivered ${d.name} to ${d.target}`);
  },
  "message.dropped"(s, event, d) {
    const when = d.redeliver_at_ms != null ? `; redelivery at ${d.redeliver_at_ms} ms` : "";
    if (s.nodes.bus) setNode(s, "bus", "retrying", `lost ${d.name} to ${d.target}${when}`);
  },
  "message.duplicate_ignored"(s, event, d) {
    const actor = d.target ?? event.actor;
    ensureActor(s, actor);
    s.nodes[actor] = { ...s.nodes[actor], note: `ignored duplicate ${d.name}` };
  },
  "orchestrator.crashed"(s, event, d) {
    setNode(s, "orchestrator", "crashed",
      d.after_step ? `crashed after ${d.after_step}` : "crashed");
    s.crashed = { actor: "orchestrator", previous: "working" };
  },
  "orchestrator.recovered"(s, event, d) {
    setNode(s, "orchestrator", "replaying",
      `replayed ${d.replayed_events ?? 0} events in ${d.replay_ms ?? 0} ms`);
    s.crashed = null;
    s.replay = { events: d.replayed_events ?? 0, ms: d.replay_ms ?? 0 };
  },
  "consumer.crashed"(s, event, d) {
    const previous = s.nodes[event.actor]?.state ?? "idle";
    setNode(s, event.actor, "crashed", `crashed before acking ${d.name ?? "a message"}`);
    s.crashed = { actor: event.actor, previous };
  },
  "consumer.recovered"(s, event, d) {
    const previous = s.crashed?.actor === event.actor ? s.crashed.previous : "working";
    const n = Array.isArray(d.republished) ? d.republished.length : 0;
    setNode(s, event.actor, previous === "crashed" ? "working" : previous,
      `recovered; ${n} message${n === 1 ? "" : "s"} redelivered`);
    s.crashed = null;
  },
  "saga.completed"(s, event, d) {
    finish(s, "completed", d);
  },
  "saga.compensated"(s, event, d) {
    finish(s, "compensated", d);
  },
};

function isSideSubscriber(s, actor) {
  return !s.steps.some((x) => x.service === actor)
    && !["orchestrator", "bus", "client"].includes(actor);
}

function busSettles(s, note) {
  if (!s.nodes.bus) return;
  const busy = Object.keys(s.inflight).length > 0;
  setNode(s, "bus", busy ? "working" : "idle", note);
}

function finish(s, outcome, d) {
  s.outcome = outcome;
  if (Array.isArray(d.committed)) s.committed = [...d.committed];
  if (Array.isArray(d.compensated)) s.compensated = [...d.compensated];
  if (s.nodes.orchestrator) setNode(s, "orchestrator", "idle", `saga ${outcome}`);
  if (s.nodes.client) setNode(s, "client", "idle", `order ${outcome}`);
}

/** The one-word status the page shows for a state and whether the run is moving. */
export function statusWord(state, moving) {
  if (state.outcome) return state.outcome;
  if (state.crashed) return "crashed";
  return moving ? "running" : "paused";
}

/** Every actor the events mention, in first-seen order (to keep the layout still while seeking). */
export function actorsIn(events) {
  return events.reduce(addActors, []);
}

/** `actors` with whoever `event` mentions added at the end (the same list when nobody is new). */
export function addActors(actors, event) {
  const d = event.detail ?? {};
  const mentioned = [event.actor, d.service, d.target, ...(Array.isArray(d.targets) ? d.targets : [])];
  const fresh = [...new Set(mentioned.filter((a) => a && !actors.includes(a)))];
  return fresh.length ? [...actors, ...fresh] : actors;
}

/** The state with `actors` present (idle when not seen yet), keeping existing ones in order. */
export function withActors(state, actors) {
  const missing = actors.filter((a) => !state.nodes[a]);
  if (!missing.length) return state;
  const nodes = { ...state.nodes };
  for (const a of missing) nodes[a] = { state: "idle", note: "" };
  return { ...state, nodes, actors: [...state.actors, ...missing] };
}
