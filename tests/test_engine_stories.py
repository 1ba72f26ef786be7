"""The stories a learner watches, each checked against what the services really did."""

from __future__ import annotations

from schema_assertions import assert_schema_valid

from saga_core import Run


def kinds_and_steps(run: Run, *kinds: str) -> list[tuple[str, str | None]]:
    return [(e.kind, e.step) for e in run.events if e.kind in kinds]


def test_orchestration_inventory_failure_refunds_the_card_before_cancelling_the_order(checkout):
    run = Run(checkout, "orchestration", failures=["inventory"])
    run.run_to_end()
    assert run.outcome == "compensated"
    assert kinds_and_steps(run, "step.succeeded", "step.failed", "compensation.succeeded") == [
        ("step.succeeded", "order"),
        ("step.succeeded", "payment"),
        ("step.failed", "inventory"),
        ("compensation.succeeded", "payment"),
        ("compensation.succeeded", "order"),
    ]
    assert run.events[-1].kind == "saga.compensated"
    assert run.world["PaymentService"].accounts == {"card:c-1": 50_000, "merchant": 0}
    assert run.world["OrderService"].records["o-1"] == "CANCELLED"
    assert_schema_valid(run.events)


def test_orchestration_retries_a_payment_that_fails_twice_then_completes(checkout):
    run = Run(checkout, "orchestration", failures=["payment:transient:2"])
    run.run_to_end()
    retries = [e for e in run.events if e.kind == "step.retry_scheduled"]
    assert [(e.step, e.detail["attempt"]) for e in retries] == [("payment", 2), ("payment", 3)]
    assert retries[1].detail["delay_ms"] == 2 * retries[0].detail["delay_ms"], "backoff doubles"
    assert run.outcome == "completed"
    assert run.world["PaymentService"].accounts["merchant"] == 4200, "charged exactly once"
    assert run.world["OrderService"].records["o-1"] == "COMPLETE"


def test_three_transient_payment_failures_exhaust_the_attempts_and_cancel_the_order(checkout):
    run = Run(checkout, "orchestration", failures=["payment:transient:3"])
    run.run_to_end()
    failed = [e for e in run.events if e.kind == "step.failed"]
    assert [e.detail["final"] for e in failed] == [False, False, True]
    assert run.outcome == "compensated"
    assert kinds_and_steps(run, "compensation.succeeded") == [("compensation.succeeded", "order")]
    assert run.world["OrderService"].records["o-1"] == "CANCELLED"


def test_choreography_inventory_failure_chains_refund_then_cancellation(checkout):
    run = Run(checkout, "choreography", failures=["inventory"])
    run.run_to_end()
    published = [e.detail["name"] for e in run.events if e.kind == "message.published"]
    assert published == [
        "PlaceOrder",
        "OrderCreated",
        "PaymentSucceeded",
        "InventoryFailed",
        "RefundIssued",
        "OrderCancelled",
    ]
    assert kinds_and_steps(run, "compensation.succeeded") == [
        ("compensation.succeeded", "payment"),
        ("compensation.succeeded", "order"),
    ]
    assert not any(e.actor == "orchestrator" for e in run.events), "no coordinator exists"
    assert run.outcome == "compensated"
    assert_schema_valid(run.events)


def test_choreography_lost_payment_event_is_redelivered_and_the_card_is_charged_once(checkout):
    run = Run(checkout, "choreography", failures=["payment:drop"])
    run.run_to_end()
    dropped = [e for e in run.events if e.kind == "message.dropped"]
    assert [e.detail["name"] for e in dropped] == ["PaymentSucceeded"]
    redelivered = [
        e
        for e in run.events
        if e.kind == "message.delivered" and e.detail["name"] == "PaymentSucceeded"
    ]
    assert redelivered[0].t_ms == dropped[0].detail["redeliver_at_ms"]
    assert redelivered[0].t_ms - dropped[0].t_ms == checkout.timing.ack_timeout_ms
    assert run.outcome == "completed"
    assert run.world.applied_count("payment") == 1
    assert run.world["PaymentService"].accounts["merchant"] == 4200


def test_choreography_duplicate_order_created_is_ignored_the_second_time(checkout):
    run = Run(checkout, "choreography", failures=["order:duplicate"])
    run.run_to_end()
    ignored = [e for e in run.events if e.kind == "message.duplicate_ignored"]
    assert [(e.detail["name"], e.actor) for e in ignored] == [("OrderCreated", "PaymentService")]
    assert run.world.applied_count("payment") == 1
    assert run.outcome == "completed"


def test_a_saga_whose_first_step_fails_is_compensated_with_nothing_to_undo(checkout):
    for mode in ("orchestration", "choreography", "hybrid"):
        run = Run(checkout, mode, failures=["order"])
        run.run_to_end()
        assert run.outcome == "compensated", mode
        assert run.events[-1].detail == {"committed": [], "compensated": []}
        assert not any(e.kind.startswith("compensation.") for e in run.events)
        assert run.world.log == []


def test_hybrid_completes_and_every_side_subscriber_receives_its_event(checkout):
    run = Run(checkout, "hybrid")
    run.run_to_end()
    assert run.outcome == "completed"
    assert run.world["Analytics"].received == ["OrderCreated"]
    assert run.world["Fraud"].received == ["PaymentSucceeded"]
    assert run.world["Audit"].received == ["PaymentSucceeded"]
    assert run.world["Notifications"].received == ["ShipmentBooked"]
    calls = [e for e in run.events if e.kind == "step.started"]
    assert {e.actor for e in calls} == {"orchestrator"}, "the orchestrator drives the critical path"


def test_a_failing_compensation_is_retried_until_it_succeeds(checkout):
    run = Run(checkout, "orchestration", failures=["payment:compensate:2", "inventory"])
    run.run_to_end()
    assert [e.detail["attempt"] for e in run.events if e.kind == "compensation.failed"] == [1, 2]
    assert run.outcome == "compensated"
    assert run.world["PaymentService"].accounts["merchant"] == 0


def test_a_timed_out_payment_is_retried_and_charged_once(checkout):
    run = Run(checkout, "orchestration", failures=["payment:timeout"])
    run.run_to_end()
    timed_out = [e for e in run.events if e.kind == "step.timed_out"]
    assert len(timed_out) == 1 and timed_out[0].detail["timeout_ms"] == 500
    assert run.outcome == "completed"
    assert run.world.applied_count("payment") == 1


def test_a_crashed_orchestrator_replays_its_history_and_never_reruns_a_committed_step(checkout):
    run = Run(checkout, "orchestration", failures=["payment:crash"])
    run.run_to_end()
    crashed = next(e for e in run.events if e.kind == "orchestrator.crashed")
    recovered = next(e for e in run.events if e.kind == "orchestrator.recovered")
    assert crashed.detail == {"after_step": "payment"}
    assert recovered.detail["replayed_events"] == crashed.seq
    assert recovered.seq == crashed.seq + 1
    started = [e.step for e in run.events if e.kind == "step.started"]
    assert started == ["order", "payment", "inventory", "shipping"]
    assert run.world.applied_count("payment") == 1
    assert run.outcome == "completed"
    assert run.last_replay_wall_ms is not None


def test_a_choreography_consumer_crash_before_ack_does_not_apply_the_effect_twice(checkout):
    run = Run(checkout, "choreography", failures=["payment:crash"])
    run.run_to_end()
    kinds = [e.kind for e in run.events]
    assert "consumer.crashed" in kinds and "consumer.recovered" in kinds
    ignored = [e for e in run.events if e.kind == "message.duplicate_ignored"]
    assert [(e.detail["name"], e.actor) for e in ignored] == [("OrderCreated", "PaymentService")]
    assert run.world.applied_count("payment") == 1
    assert run.outcome == "completed"


def test_a_failure_armed_between_transitions_changes_the_rest_of_the_run(checkout):
    run = Run(checkout, "orchestration")
    for _ in range(3):
        run.step()
    injected = run.inject("shipping")
    assert injected.kind == "failure.injected" and injected.detail == {"spec": "shipping:fail:1"}
    run.run_to_end()
    assert run.outcome == "compensated"
    assert [e.step for e in run.events if e.kind == "compensation.succeeded"] == [
        "inventory",
        "payment",
        "order",
    ]


def test_step_advances_exactly_one_transition(checkout):
    run = Run(checkout, "orchestration")
    first = run.step()
    assert [e.kind for e in first] == ["saga.started"]
    second = run.step()
    assert [e.kind for e in second] == ["step.started"]
    assert run.events == first + second
