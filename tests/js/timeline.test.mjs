import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  apply, baseActors, fold, initialState, NODE_STATES, sideSubscriberNames, statusWord,
} from "../../static/js/timeline.js";
import { after, CHECKOUT, scenario, trace, TRACES } from "./traces.mjs";

const at = (events, n, mode) => fold(events.slice(0, n), CHECKOUT, mode);

describe("the service map before anything happens", () => {
  it("orchestration shows the orchestrator and the four services, all idle", () => {
    const s = initialState(CHECKOUT, "orchestration");
    assert.deepEqual(s.actors, [
      "orchestrator", "OrderService", "PaymentService", "InventoryService", "ShippingService",
    ]);
    assert.ok(Object.values(s.nodes).every((n) => n.state === "idle"));
  });

  it("choreography shows the client, the services and the bus but no orchestrator", () => {
    const actors = baseActors(CHECKOUT, "choreography");
    assert.ok(actors.includes("bus") && actors.includes("client"));
    assert.ok(!actors.includes("orchestrator"));
  });

  it("hybrid adds the side subscribers to the orchestrator and the bus", () => {
    const actors = baseActors(CHECKOUT, "hybrid");
    for (const a of ["orchestrator", "bus", "Analytics", "Fraud", "Audit", "Notifications"]) {
      assert.ok(actors.includes(a), a);
    }
  });

  it("side subscribers are read from the catalog's event-to-subscribers map", () => {
    assert.deepEqual(sideSubscriberNames(CHECKOUT), ["Analytics", "Fraud", "Audit", "Notifications"]);
    assert.deepEqual(sideSubscriberNames({}), []);
  });
});

describe("an orchestrated checkout where payment fails", () => {
  const events = trace("orchestration-payment-fails");

  it("the order service is working while its step runs", () => {
    const s = at(events, after(events, "step.started"));
    assert.equal(s.nodes.OrderService.state, "working");
    assert.equal(s.stepStatus.order, "running");
    assert.equal(s.nodes.orchestrator.state, "working");
  });

  it("a committed step turns its service committed", () => {
    assert.equal(at(events, after(events, "step.succeeded")).nodes.OrderService.state, "committed");
  });

  it("a final failure turns the service failed with the error in its note", () => {
    const failed = after(events, "step.failed");
    const s = at(events, failed);
    assert.equal(s.nodes.PaymentService.state, "failed");
    assert.ok(s.nodes.PaymentService.note.endsWith(events[failed - 1].detail.error));
    assert.match(s.nodes.PaymentService.note, /^payment failed: /);
  });

  it("the committed order is compensated and the saga ends compensated", () => {
    assert.equal(at(events, after(events, "compensation.started")).nodes.OrderService.state,
      "compensating");
    const end = fold(events, CHECKOUT);
    assert.equal(end.nodes.OrderService.state, "compensated");
    assert.equal(end.outcome, "compensated");
    assert.deepEqual(end.compensated, ["order"]);
    assert.equal(statusWord(end, true), "compensated");
  });

  it("the armed failures come from saga.started", () => {
    assert.deepEqual(at(events, 1).failures, ["payment:fail:1"]);
  });

  it("folding a prefix is the same as folding event by event", () => {
    let s = initialState(CHECKOUT, "orchestration");
    for (const e of events.slice(0, 5)) s = apply(s, e);
    assert.deepEqual(s, at(events, 5, "orchestration"));
  });

  it("apply leaves the previous state untouched", () => {
    const before = at(events, 2);
    const snapshot = JSON.stringify(before);
    apply(before, events[2]);
    assert.equal(JSON.stringify(before), snapshot);
  });
});

describe("retries and crashes", () => {
  const events = trace("orchestration-retry-and-crash");

  it("a retryable failure shows the service retrying, not failed", () => {
    const failed = after(events, "step.failed");
    const s = at(events, failed);
    assert.equal(events[failed - 1].detail.retryable, true);
    assert.equal(s.nodes.PaymentService.state, "retrying");
    assert.equal(s.stepStatus.payment, "running");
    const scheduled = after(events, "step.retry_scheduled");
    assert.match(at(events, scheduled).nodes.PaymentService.note,
      new RegExp(`retry in ${events[scheduled - 1].detail.delay_ms} ms`));
    assert.equal(at(events, scheduled + 1).nodes.PaymentService.state, "retrying");
  });

  it("the orchestrator goes dark when it crashes and the status says crashed", () => {
    const s = at(events, after(events, "orchestrator.crashed"));
    assert.equal(s.nodes.orchestrator.state, "crashed");
    assert.equal(statusWord(s, true), "crashed");
  });

  it("recovery shows the replay with its event count, then the orchestrator resumes", () => {
    const recovered = after(events, "orchestrator.recovered");
    const { replayed_events: replayed, replay_ms: ms } = events[recovered - 1].detail;
    const s = at(events, recovered);
    assert.equal(s.nodes.orchestrator.state, "replaying");
    assert.deepEqual(s.replay, { events: replayed, ms });
    assert.match(s.nodes.orchestrator.note, new RegExp(`replayed ${replayed} events`));
    const resumed = at(events, recovered + 1);
    assert.equal(resumed.nodes.orchestrator.state, "working");
    assert.equal(resumed.replay, null);
    assert.equal(statusWord(resumed, false), "paused");
    assert.equal(statusWord(resumed, true), "running");
  });
});

describe("a choreographed checkout where a consumer crashes", () => {
  const events = trace("choreography-consumer-crash-and-timeout");

  it("the crashed service goes dark, then works again and redelivers what its outbox held", () => {
    const crashed = after(events, "consumer.crashed");
    const service = events[crashed - 1].actor;
    assert.equal(at(events, crashed).nodes[service].state, "crashed");
    assert.equal(statusWord(at(events, crashed), true), "crashed");
    const recovered = at(events, after(events, "consumer.recovered"));
    assert.notEqual(recovered.nodes[service].state, "crashed");
    assert.match(recovered.nodes[service].note, /^recovered; \d+ messages? redelivered$/);
    assert.equal(recovered.crashed, null);
  });

  it("a timed-out attempt shows the service retrying with its timeout", () => {
    const timedOut = after(events, "step.timed_out");
    const s = at(events, timedOut);
    const { service, timeout_ms: ms } = events[timedOut - 1].detail;
    assert.equal(s.nodes[service].state, "retrying");
    assert.equal(s.nodes[service].note, `timed out after ${ms} ms`);
  });
});

describe("a choreographed checkout where inventory fails", () => {
  const events = trace("choreography-inventory-fails");

  it("a published message is in flight until the bus delivers it", () => {
    const published = after(events, "message.published");
    const id = events[published - 1].detail.message_id;
    assert.ok(at(events, published).inflight[id]);
    assert.equal(at(events, published).nodes.bus.state, "working");
    const delivered = after(events, "message.delivered", (e) => e.detail.message_id === id);
    assert.equal(at(events, delivered).inflight[id], undefined);
    assert.equal(at(events, delivered).nodes.bus.state, "idle");
  });

  it("a dropped message stays in flight and the bus says when it redelivers", () => {
    const dropped = after(events, "message.dropped");
    const { message_id: id, redeliver_at_ms: when } = events[dropped - 1].detail;
    const s = at(events, dropped);
    assert.ok(s.inflight[id]);
    assert.equal(s.nodes.bus.state, "retrying");
    assert.match(s.nodes.bus.note, new RegExp(`redelivery at ${when} ms`));
  });

  it("a failed undo keeps the service compensating until the retry succeeds", () => {
    const failed = after(events, "compensation.failed");
    const s = at(events, failed);
    assert.equal(s.nodes.PaymentService.state, "compensating");
    assert.equal(s.nodes.PaymentService.note,
      `undo failed: ${events[failed - 1].detail.error}; will retry`);
    const undone = after(events, "compensation.succeeded", (e) => e.step === "payment");
    assert.ok(undone > failed);
    assert.equal(at(events, undone - 1).nodes.PaymentService.state, "compensating");
    assert.equal(at(events, undone).nodes.PaymentService.state, "compensated");
  });

  it("a duplicate is noted on the consumer without changing its state", () => {
    const ignored = after(events, "message.duplicate_ignored");
    const { target, name } = events[ignored - 1].detail;
    const before = at(events, ignored - 1).nodes[target];
    const s = at(events, ignored);
    assert.equal(s.nodes[target].state, before.state);
    assert.equal(s.nodes[target].note, `ignored duplicate ${name}`);
  });

  it("ends compensated with payment undone before the order", () => {
    const end = fold(events, CHECKOUT);
    assert.equal(end.outcome, "compensated");
    assert.deepEqual(end.compensated, ["payment", "order"]);
    assert.equal(end.nodes.InventoryService.state, "failed");
  });
});

describe("hybrid side subscribers", () => {
  const events = trace("hybrid-completes");

  it("light up when their event is delivered, even after the saga completed", () => {
    const completed = after(events, "saga.completed");
    const late = events.slice(completed).find((e) => e.kind === "message.delivered");
    assert.ok(late, "a side delivery arrives after the saga completed");
    const end = fold(events, CHECKOUT);
    assert.equal(end.outcome, "completed");
    assert.equal(at(events, completed).nodes[late.detail.target].state, "idle");
    assert.equal(end.nodes[late.detail.target].state, "committed");
    assert.equal(end.nodes[late.detail.target].note, `got ${late.detail.name}`);
    assert.equal(end.nodes.Analytics.note, "got OrderCreated");
  });
});

describe("robustness", () => {
  it("an actor the scenario does not know about still gets a node", () => {
    const s = fold([{ seq: 1, t_ms: 0, kind: "message.delivered", actor: "bus",
      detail: { message_id: "x", name: "Hello", target: "Stranger" } }], CHECKOUT, "hybrid");
    assert.ok(s.actors.includes("Stranger"));
  });

  it("an unknown event kind is kept as the last event and changes nothing else", () => {
    const s = fold([{ seq: 1, t_ms: 5, kind: "something.new", actor: "orchestrator" }], CHECKOUT,
      "orchestration");
    assert.equal(s.last.kind, "something.new");
    assert.equal(s.count, 1);
  });

  it("every node state of every run is one of the documented states", () => {
    for (const { name, events, scenario: saga, mode } of TRACES) {
      for (let i = 0; i <= events.length; i += 1) {
        for (const n of Object.values(fold(events.slice(0, i), scenario(saga), mode).nodes)) {
          assert.ok(NODE_STATES.includes(n.state), `${name} at ${i}: ${n.state}`);
        }
      }
    }
  });

  it("every run ends with the outcome the engine reached, every actor it mentions drawn", () => {
    for (const { name, events, scenario: saga, mode, outcome } of TRACES) {
      const end = fold(events, scenario(saga), mode);
      assert.equal(end.outcome, outcome, name);
      assert.equal(end.count, events.length, name);
      for (const e of events) assert.ok(end.nodes[e.actor], `${name}: ${e.actor}`);
      assert.deepEqual(end.inflight, {}, `${name}: every message was delivered`);
    }
  });
});
