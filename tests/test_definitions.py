"""Bad definitions and bad failure specs fail fast with a sentence naming the valid choices."""

from __future__ import annotations

import networkx as nx
import pytest

import saga_core
from saga_core import (
    Action,
    InvalidDefinition,
    InvalidFailureSpec,
    Move,
    RetryPolicy,
    Saga,
    Step,
    choreography_graph,
    flow_payload,
    orchestration_graph,
    parse_failure,
)

noop = Action("do_it", "do it")
undo = Action("undo_it", "undo it")


def test_failure_specs_parse_with_defaults(checkout):
    steps = checkout.step_names
    assert str(parse_failure("inventory", steps)) == "inventory:fail:1"
    assert str(parse_failure("payment:transient", steps)) == "payment:transient:1"
    assert str(parse_failure("payment:transient:3", steps)) == "payment:transient:3"


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("warehouse", "unknown step 'warehouse'"),
        ("payment:explode", "unknown failure kind 'explode'"),
        ("payment:transient:0", "out of range"),
        ("payment:transient:101", "out of range"),
        ("payment::", "does not parse"),
        ("", "does not parse"),
        (42, "is a string"),
    ],
)
def test_a_bad_failure_spec_names_the_valid_steps_and_kinds(checkout, spec, says):
    with pytest.raises(InvalidFailureSpec) as caught:
        parse_failure(spec, checkout.step_names)
    message = str(caught.value)
    assert says in message
    assert "order, payment, inventory, shipping" in message
    assert "fail, transient, timeout, compensate, crash, drop, duplicate" in message


def test_retry_policy_validates_itself_and_backs_off():
    policy = RetryPolicy(
        max_attempts=4, initial_interval_ms=100, backoff_coefficient=3, max_interval_ms=500
    )
    assert [policy.delay_ms(n) for n in (1, 2, 3)] == [100, 300, 500]
    with pytest.raises(InvalidDefinition, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_a_saga_without_steps_is_rejected():
    with pytest.raises(InvalidDefinition, match="has no steps"):
        Saga("empty", [])


def test_duplicate_step_names_are_rejected():
    with pytest.raises(InvalidDefinition, match="two steps named 'a'"):
        Saga("twice", [Step("a", "S", noop, compensate=undo), Step("a", "S", noop)])


def test_a_middle_step_without_compensation_is_rejected():
    with pytest.raises(InvalidDefinition, match="has no compensation"):
        Saga("x", [Step("a", "S", noop), Step("b", "S", noop)])


def test_a_timeout_shorter_than_the_work_is_rejected():
    with pytest.raises(InvalidDefinition, match="every attempt would time out"):
        Saga("x", [Step("a", "S", noop, latency_ms=(10, 100), timeout_ms=50)])


def test_a_move_of_an_unknown_account_is_rejected():
    bad = Action("pay", "pay", moves=(Move("wallet", "shop", 5),))
    with pytest.raises(InvalidDefinition, match="'wallet', which is not an account of Bank"):
        Saga("x", [Step("a", "Bank", bad)], services={"Bank": {"shop": 0}})


def test_side_subscribers_of_an_event_nobody_publishes_are_rejected():
    with pytest.raises(InvalidDefinition, match="'Nothing', which no step publishes"):
        Saga("x", [Step("a", "S", noop)], side_subscribers={"Nothing": ("Audit",)})


def test_the_choreography_flow_is_derived_from_subscriptions_and_sound(checkout):
    graph = choreography_graph(checkout)
    assert nx.is_directed_acyclic_graph(graph)
    path = nx.shortest_path(graph, "PlaceOrder", "OrderCompleted")
    assert path == [
        "PlaceOrder",
        "OrderCreated",
        "PaymentSucceeded",
        "InventoryReserved",
        "ShipmentBooked",
        "OrderCompleted",
    ]
    assert nx.has_path(graph, "ShipmentFailed", "OrderCancelled")
    assert (
        graph.edges["InventoryFailed", "RefundIssued"]["handler"] == "PaymentService.refund_payment"
    )
    ends = {n for n in graph if graph.out_degree(n) == 0}
    assert ends == {"OrderCompleted", "OrderCancelled", "OrderRejected"}
    payload = flow_payload(checkout)
    assert {
        "source": "OrderCreated",
        "target": "PaymentSucceeded",
        "label": "PaymentService.charge_card",
        "service": "PaymentService",
    } in payload["edges"]


def test_the_orchestration_graph_pairs_each_step_with_its_compensation(checkout):
    graph = orchestration_graph(checkout)
    assert nx.shortest_path(graph, "start", "completed") == [
        "start",
        "order",
        "payment",
        "inventory",
        "shipping",
        "completed",
    ]
    assert nx.shortest_path(graph, "shipping", "compensated") == [
        "shipping",
        "undo:inventory",
        "undo:payment",
        "undo:order",
        "compensated",
    ]


def test_the_package_root_exports_the_public_api():
    for name in saga_core.__all__:
        assert hasattr(saga_core, name), name
    for name in (
        "Run",
        "Saga",
        "Step",
        "RetryPolicy",
        "parse_failure",
        "load_scenario",
        "MemoryHistory",
        "SQLiteHistory",
        "event_schema",
        "SagaError",
        "FAILURE_KINDS",
        "FailureKind",
        "HistoryStore",
    ):
        assert name in saga_core.__all__
