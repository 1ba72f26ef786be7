// Numbers for the run so far: the choreography-vs-orchestration comparison made concrete.
// Pure: events in, counts out.

const encoder = new TextEncoder();

const COMMANDS = new Set(["step.started", "compensation.started"]);
const REPLIES = new Set([
  "step.succeeded", "step.failed", "compensation.succeeded", "compensation.failed",
]);

export const METRIC_LABELS = Object.freeze({
  messages: "Messages sent",
  hops: "Network hops",
  retries: "Retries",
  redeliveries: "Redeliveries",
  compensations: "Compensations",
  latencyMs: "Virtual latency (ms)",
  bytesPersisted: "History persisted (bytes)",
});

/**
 * messages: commands and replies between orchestrator and services, plus published events.
 * hops: each of those crossing the network once; a published event crosses twice
 * (publisher → bus → each subscriber), a dropped delivery still cost its hop.
 * bytesPersisted: the UTF-8 size of each event as the history store appends it.
 */
export function computeMetrics(events) {
  return events.reduce(addEvent, emptyMetrics());
}

/** The metrics before any event. */
export function emptyMetrics() {
  return {
    messages: 0, hops: 0, retries: 0, redeliveries: 0, compensations: 0,
    latencyMs: 0, bytesPersisted: 0, events: 0, startMs: null,
  };
}

/** The metrics with one more event: a new object, so a running total can be kept per prefix. */
export function addEvent(prev, e) {
  const m = { ...prev, events: prev.events + 1 };
  const kind = e.kind;
  const viaCoordinator = e.mode !== "choreography";
  if (COMMANDS.has(kind) && viaCoordinator && e.actor === "orchestrator") {
    m.messages += 1;
    m.hops += 1;
  } else if (REPLIES.has(kind) && viaCoordinator && e.actor !== "orchestrator") {
    m.messages += 1;
    m.hops += 1;
  }
  if (kind === "message.published") {
    m.messages += 1;
    m.hops += 1;
  } else if (kind === "message.delivered") m.hops += 1;
  else if (kind === "message.dropped") {
    m.hops += 1;
    m.redeliveries += 1;
  }
  if (kind === "step.retry_scheduled" || kind === "compensation.retry_scheduled") m.retries += 1;
  if (kind === "compensation.succeeded") m.compensations += 1;
  if (typeof e.t_ms === "number") {
    if (m.startMs === null) m.startMs = e.t_ms;
    m.latencyMs = e.t_ms - m.startMs;
  }
  m.bytesPersisted += encoder.encode(JSON.stringify(e)).length;
  return m;
}
