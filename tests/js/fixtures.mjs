// Hand-written traces in the engine's wire format, for the pure front-end modules.

export const CHECKOUT = {
  name: "checkout",
  title: "E-commerce checkout",
  steps: [
    { name: "order", service: "OrderService" },
    { name: "payment", service: "PaymentService" },
    { name: "inventory", service: "InventoryService" },
    { name: "shipping", service: "ShippingService" },
  ],
  services: ["OrderService", "PaymentService", "InventoryService", "ShippingService"],
  side_subscribers: {
    OrderCreated: ["Analytics"],
    PaymentSucceeded: ["Fraud", "Audit"],
    ShipmentBooked: ["Notifications"],
  },
  flow: {
    nodes: ["client", "OrderService", "PaymentService", "InventoryService", "ShippingService"],
    edges: [
      { source: "client", target: "OrderService", label: "PlaceOrder" },
      { source: "OrderService", target: "PaymentService", label: "OrderCreated" },
      { source: "PaymentService", target: "InventoryService", label: "PaymentSucceeded" },
      { source: "InventoryService", target: "PaymentService", label: "InventoryFailed" },
      { source: "PaymentService", target: "OrderService", label: "RefundIssued" },
    ],
  },
};

export const CATALOG = {
  scenarios: [CHECKOUT, { name: "travel", steps: [{ name: "flight", service: "Flights" }] }],
  modes: ["orchestration", "choreography", "hybrid"],
  failure_kinds: ["fail", "transient", "timeout", "compensate", "crash", "drop", "duplicate"],
  speeds: { min: 0.25, max: 8, default: 1 },
};

/** Build a run from [kind, actor, step, detail] rows, numbering seq and advancing t_ms. */
export function run(mode, rows, runId = "r-1") {
  let t = 0;
  return rows.map(([kind, actor, step, detail = {}], i) => {
    t += 10;
    return {
      seq: i + 1, t_ms: t, run_id: runId, mode, kind, actor, step, detail,
      narration: `${actor} ${kind}${step ? ` (${step})` : ""}`,
    };
  });
}

const STEPS = CHECKOUT.steps;

/** Orchestration: order commits, payment fails for good, the order is cancelled. */
export const ORCHESTRATION_PAYMENT_FAILS = run("orchestration", [
  ["saga.started", "orchestrator", null,
    { saga: "checkout", mode: "orchestration", seed: 7, failures: ["payment:fail:1"], steps: STEPS }],
  ["step.started", "orchestrator", "order", { service: "OrderService", attempt: 1, max_attempts: 1 }],
  ["step.succeeded", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["step.started", "orchestrator", "payment", { service: "PaymentService", attempt: 1, max_attempts: 3 }],
  ["step.failed", "PaymentService", "payment",
    { service: "PaymentService", attempt: 1, error: "card declined", retryable: false, final: true }],
  ["compensation.started", "orchestrator", "order", { service: "OrderService", attempt: 1 }],
  ["compensation.succeeded", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["saga.compensated", "orchestrator", null, { committed: ["order"], compensated: ["order"] }],
]);

/** Orchestration: payment fails once (transient), then the orchestrator crashes and recovers. */
export const ORCHESTRATION_RETRY_AND_CRASH = run("orchestration", [
  ["saga.started", "orchestrator", null,
    { saga: "checkout", mode: "orchestration", seed: 1, failures: [], steps: STEPS }],
  ["step.started", "orchestrator", "payment", { service: "PaymentService", attempt: 1, max_attempts: 3 }],
  ["step.failed", "PaymentService", "payment",
    { service: "PaymentService", attempt: 1, error: "gateway busy", retryable: true, final: false }],
  ["step.retry_scheduled", "orchestrator", "payment", { service: "PaymentService", attempt: 2, delay_ms: 100 }],
  ["step.started", "orchestrator", "payment", { service: "PaymentService", attempt: 2, max_attempts: 3 }],
  ["step.succeeded", "PaymentService", "payment", { service: "PaymentService", attempt: 2 }],
  ["orchestrator.crashed", "orchestrator", "payment", { after_step: "payment" }],
  ["orchestrator.recovered", "orchestrator", null, { replayed_events: 6, replay_ms: 3 }],
  ["step.started", "orchestrator", "inventory", { service: "InventoryService", attempt: 1, max_attempts: 1 }],
]);

/** Choreography: inventory fails, the payment is refunded, the order cancelled. */
export const CHOREOGRAPHY_INVENTORY_FAILS = run("choreography", [
  ["saga.started", "client", null,
    { saga: "checkout", mode: "choreography", seed: 7, failures: ["inventory"], steps: STEPS }],
  ["message.published", "client", null, { message_id: "m1", name: "PlaceOrder", source: "client", targets: ["OrderService"] }],
  ["message.delivered", "bus", null, { message_id: "m1", name: "PlaceOrder", source: "client", target: "OrderService", delivery: 1 }],
  ["step.started", "OrderService", "order", { service: "OrderService", attempt: 1, max_attempts: 1 }],
  ["step.succeeded", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["message.published", "OrderService", "order", { message_id: "m2", name: "OrderCreated", source: "OrderService", targets: ["PaymentService"] }],
  ["message.dropped", "bus", null, { message_id: "m2", name: "OrderCreated", source: "OrderService", target: "PaymentService", redeliver_at_ms: 500 }],
  ["message.delivered", "bus", null, { message_id: "m2", name: "OrderCreated", source: "OrderService", target: "PaymentService", delivery: 2 }],
  ["step.started", "PaymentService", "payment", { service: "PaymentService", attempt: 1, max_attempts: 3 }],
  ["step.succeeded", "PaymentService", "payment", { service: "PaymentService", attempt: 1 }],
  ["message.published", "PaymentService", "payment", { message_id: "m3", name: "PaymentSucceeded", source: "PaymentService", targets: ["InventoryService"] }],
  ["message.delivered", "bus", null, { message_id: "m3", name: "PaymentSucceeded", source: "PaymentService", target: "InventoryService", delivery: 1 }],
  ["step.started", "InventoryService", "inventory", { service: "InventoryService", attempt: 1, max_attempts: 1 }],
  ["step.failed", "InventoryService", "inventory", { service: "InventoryService", attempt: 1, error: "out of stock", retryable: false, final: true }],
  ["message.published", "InventoryService", "inventory", { message_id: "m4", name: "InventoryFailed", source: "InventoryService", targets: ["PaymentService"] }],
  ["message.delivered", "bus", null, { message_id: "m4", name: "InventoryFailed", source: "InventoryService", target: "PaymentService", delivery: 1 }],
  ["compensation.started", "PaymentService", "payment", { service: "PaymentService", attempt: 1 }],
  ["compensation.failed", "PaymentService", "payment", { service: "PaymentService", attempt: 1, error: "ledger locked" }],
  ["compensation.retry_scheduled", "PaymentService", "payment", { service: "PaymentService", attempt: 2, delay_ms: 50 }],
  ["compensation.started", "PaymentService", "payment", { service: "PaymentService", attempt: 2 }],
  ["compensation.succeeded", "PaymentService", "payment", { service: "PaymentService", attempt: 2 }],
  ["message.published", "PaymentService", "payment", { message_id: "m5", name: "RefundIssued", source: "PaymentService", targets: ["OrderService"] }],
  ["message.delivered", "bus", null, { message_id: "m5", name: "RefundIssued", source: "PaymentService", target: "OrderService", delivery: 1 }],
  ["message.duplicate_ignored", "OrderService", null, { message_id: "m5", name: "RefundIssued", target: "OrderService" }],
  ["compensation.started", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["compensation.succeeded", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["saga.compensated", "OrderService", null, { committed: ["order", "payment"], compensated: ["payment", "order"] }],
]);

/** Hybrid: the orchestrator drives, side subscribers hear about it and keep going after the end. */
export const HYBRID_COMPLETES = run("hybrid", [
  ["saga.started", "orchestrator", null,
    { saga: "checkout", mode: "hybrid", seed: 3, failures: [], steps: STEPS }],
  ["step.started", "orchestrator", "order", { service: "OrderService", attempt: 1, max_attempts: 1 }],
  ["step.succeeded", "OrderService", "order", { service: "OrderService", attempt: 1 }],
  ["message.published", "OrderService", "order", { message_id: "h1", name: "OrderCreated", source: "OrderService", targets: ["Analytics"] }],
  ["saga.completed", "orchestrator", null, { committed: ["order"], compensated: [] }],
  ["message.delivered", "bus", null, { message_id: "h1", name: "OrderCreated", source: "OrderService", target: "Analytics", delivery: 1 }],
]);

/** A long run: `events` played `times` over, renumbered and later each time (one run id). */
export function repeated(events, times) {
  const span = events[events.length - 1].t_ms + 10;
  const out = [];
  for (let k = 0; k < times; k += 1) {
    for (const e of events) out.push({ ...e, seq: out.length + 1, t_ms: e.t_ms + k * span });
  }
  return out;
}
