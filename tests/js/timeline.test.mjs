import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  apply, baseActors, fold, initialState, NODE_STATES, sideSubscriberNames, statusWord,
} from "../../static/js/timeline.js";
import {
  CHECKOUT, CHOREOGRAPHY_INVENTORY_FAILS, HYBRID_COMPLETES, ORCHESTRATION_PAYMENT_FAILS,
  ORCHESTRATION_RETRY_AND_CRASH,
} from "./fixtures.mjs";

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

  it("side subscribers are read from an event-to-subscribers map or a list", () => {
    assert.deepEqual(sideSubscriberNames(CHECKOUT), ["Analytics", "Fraud", "Audit", "Notifications"]);
    assert.deepEqual(sideSubscriberNames({ side_subscribers: ["A", { name: "B" }] }), ["A", "B"]);
    assert.deepEqual(sideSubscriberNames({}), []);
  });
});

describe("an orchestrated checkout where payment fails", () => {
  const events = ORCHESTRATION_PAYMENT_FAILS;

  it("the order service is working while its step runs", () => {
    const s = at(events, 2);
    assert.equal(s.nodes.OrderService.state, "working");
    assert.equal(s.stepStatus.order, "running");
    assert.equal(s.nodes.orchestrator.state, "working");
  });

  it("a committed step turns its service committed", () => {
    assert.equal(at(events, 3).nodes.OrderService.state, "committed");
  });

  it("a final failure turns the service failed with the error in its note", () => {
    const s = at(events, 5);
    assert.equal(s.nodes.PaymentService.state, "failed");
    assert.match(s.nodes.PaymentService.note, /card declined/);
  });

  it("the committed order is compensated and the saga ends compensated", () => {
    assert.equal(at(events, 6).nodes.OrderService.state, "compensating");
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
  const events = ORCHESTRATION_RETRY_AND_CRASH;

  it("a retryable failure shows the service retrying, not failed", () => {
    const s = at(events, 3);
    assert.equal(s.nodes.PaymentService.state, "retrying");
    assert.equal(s.stepStatus.payment, "running");
    assert.match(at(events, 4).nodes.PaymentService.note, /retry in 100 ms/);
    assert.equal(at(events, 5).nodes.PaymentService.state, "retrying");
  });

  it("the orchestrator goes dark when it crashes and the status says crashed", () => {
    const s = at(events, 7);
    assert.equal(s.nodes.orchestrator.state, "crashed");
    assert.equal(statusWord(s, true), "crashed");
  });

  it("recovery shows the replay with its event count, then the orchestrator resumes", () => {
    const s = at(events, 8);
    assert.equal(s.nodes.orchestrator.state, "replaying");
    assert.deepEqual(s.replay, { events: 6, ms: 3 });
    assert.match(s.nodes.orchestrator.note, /replayed 6 events/);
    const after = at(events, 9);
    assert.equal(after.nodes.orchestrator.state, "working");
    assert.equal(after.replay, null);
    assert.equal(statusWord(after, false), "paused");
    assert.equal(statusWord(after, true), "running");
  });
});

describe("a choreographed checkout where inventory fails", () => {
  const events = CHOREOGRAPHY_INVENTORY_FAILS;

  it("a published message is in flight until the bus delivers it", () => {
    assert.ok(at(events, 2).inflight.m1);
    assert.equal(at(events, 2).nodes.bus.state, "working");
    assert.equal(at(events, 3).inflight.m1, undefined);
    assert.equal(at(events, 3).nodes.bus.state, "idle");
  });

  it("a dropped message stays in flight and the bus says when it redelivers", () => {
    const s = at(events, 7);
    assert.ok(s.inflight.m2);
    assert.equal(s.nodes.bus.state, "retrying");
    assert.match(s.nodes.bus.note, /redelivery at 500 ms/);
  });

  it("a failed undo keeps the service compensating until the retry succeeds", () => {
    assert.equal(at(events, 18).nodes.PaymentService.state, "compensating");
    assert.match(at(events, 18).nodes.PaymentService.note, /undo failed: ledger locked/);
    assert.equal(at(events, 21).nodes.PaymentService.state, "compensated");
  });

  it("a duplicate is noted on the consumer without changing its state", () => {
    const s = at(events, 24);
    assert.equal(s.nodes.OrderService.state, "committed");
    assert.match(s.nodes.OrderService.note, /ignored duplicate RefundIssued/);
  });

  it("ends compensated with payment undone before the order", () => {
    const end = fold(events, CHECKOUT);
    assert.equal(end.outcome, "compensated");
    assert.deepEqual(end.compensated, ["payment", "order"]);
    assert.equal(end.nodes.InventoryService.state, "failed");
  });
});

describe("hybrid side subscribers", () => {
  it("light up when their event is delivered, even after the saga completed", () => {
    const end = fold(HYBRID_COMPLETES, CHECKOUT);
    assert.equal(end.outcome, "completed");
    assert.equal(end.nodes.Analytics.state, "committed");
    assert.match(end.nodes.Analytics.note, /OrderCreated/);
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

  it("every node state is one of the documented states", () => {
    for (const events of [ORCHESTRATION_PAYMENT_FAILS, ORCHESTRATION_RETRY_AND_CRASH,
      CHOREOGRAPHY_INVENTORY_FAILS, HYBRID_COMPLETES]) {
      for (let i = 0; i <= events.length; i += 1) {
        for (const n of Object.values(at(events, i).nodes)) {
          assert.ok(NODE_STATES.includes(n.state), n.state);
        }
      }
    }
  });
});
