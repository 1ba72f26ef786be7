"""Each saga invariant is a named check; a broken run is refused with the name of what broke."""

from __future__ import annotations

import copy

import pytest

from saga_core import InvariantViolation, Run, load_scenario
from saga_core.events import Event
from saga_core.invariants import INVARIANTS, check_invariants

CHECKOUT = load_scenario("checkout")


def finished(mode: str = "orchestration", failures=()) -> Run:
    run = Run(CHECKOUT, mode, failures=list(failures))
    run.run_to_end()
    return run


def violation(run: Run, events=None) -> str:
    with pytest.raises(InvariantViolation) as caught:
        check_invariants(CHECKOUT, run.mode, run.world, run.events if events is None else events)
    return str(caught.value)


def test_a_sound_run_passes_every_check_and_answers_its_outcome():
    for mode, failures, outcome in (("orchestration", [], "completed"),
                                    ("choreography", ["shipping"], "compensated"),
                                    ("hybrid", ["payment:crash", "inventory"], "compensated")):
        run = finished(mode, failures)
        assert check_invariants(CHECKOUT, mode, run.world, run.events) == outcome


def test_a_run_that_never_ends_or_ends_twice_breaks_ends_once():
    run = finished()
    assert violation(run, run.events[:-1]).startswith("ends-once: a run must end exactly once")
    assert "ended 2 times" in violation(run, [*run.events, run.events[-1]])


def test_a_gap_in_the_events_breaks_ordered():
    run = finished()
    events = [e for e in run.events if e.seq != 3]
    assert violation(run, events).startswith("ordered: event seq numbers")


def test_time_running_backwards_breaks_ordered():
    run = finished()
    late = run.events[4]
    events = list(run.events)
    events[5] = Event(*(late.t_ms - 1 if f == "t_ms" else getattr(events[5], f)
                        for f in ("seq", "t_ms", "run_id", "mode", "kind", "actor", "step",
                                  "detail", "narration")))
    assert violation(run, events).startswith("ordered: virtual time went backwards")


def test_an_effect_applied_twice_breaks_effects_once():
    run = finished()
    run.world.log.append(("apply", "payment"))
    assert violation(run).startswith("effects-once: step payment was applied 2 times")


def test_a_completed_saga_without_its_completion_record_breaks_completed_means_done():
    run = finished()
    run.world["OrderService"].records["o-1"] = "PENDING"
    assert violation(run).startswith("completed-means-done: the saga completed but o-1 is PENDING")


def test_compensations_out_of_order_break_compensated_means_undone():
    run = finished(failures=["shipping"])
    undos = [entry for entry in run.world.log if entry[0] == "undo"]
    run.world.log = [e for e in run.world.log if e[0] == "apply"] + list(reversed(undos))
    assert violation(run).startswith("compensated-means-undone: compensations ran as")


def test_money_appearing_from_nowhere_breaks_conserved():
    run = finished()
    run.world["PaymentService"].accounts["merchant"] += 1
    assert violation(run).startswith("conserved: PaymentService is not conserved")


def test_events_that_disagree_with_the_services_break_events_match_effects():
    run = finished()
    events = [e for e in run.events if not (e.kind == "step.succeeded" and e.step == "payment")]
    events = [copy.copy(e) for e in events]
    for seq, event in enumerate(events, 1):
        event.seq = seq
    assert violation(run, events).startswith("events-match-effects: events say")


def test_a_side_subscriber_that_missed_an_event_breaks_side_subscribers_once():
    run = finished("hybrid")
    run.world["Audit"].received.remove("PaymentSucceeded")
    assert violation(run).startswith("side-subscribers-once: Audit consumed PaymentSucceeded 0")


def test_every_problem_is_listed_each_under_its_invariant():
    run = finished()
    run.world["PaymentService"].accounts["merchant"] += 1
    run.world.log.append(("apply", "payment"))
    text = violation(run)
    assert text.startswith("effects-once: ") and "; conserved: " in text
    assert list(INVARIANTS) == ["ordered", "effects-once", "completed-means-done",
                                "compensated-means-undone", "conserved", "events-match-effects",
                                "side-subscribers-once"]
