"""Every built-in scenario runs in all three modes with the whole failure grammar, and the long
one shows in numbers why choreography gets hard past about four hops."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_assertions import assert_schema_valid

from saga_core import FAILURE_KINDS, MODES, Run, load_scenario, scenario_names
from saga_core.graph import orchestration_graph, subscriptions

SCENARIOS = {name: load_scenario(name) for name in scenario_names()}


def finished(saga, mode, failures=()):
    run = Run(saga, mode, failures=list(failures))
    run.run_to_end()  # checks the saga invariants when the run ends
    return run


def test_the_built_ins_are_checkout_travel_and_a_long_onboarding():
    assert list(SCENARIOS) == ["checkout", "travel", "onboarding"]
    assert SCENARIOS["travel"].step_names == ["flight", "hotel", "car"]
    assert len(SCENARIOS["onboarding"].steps) >= 7


def single_failures():
    for name, saga in SCENARIOS.items():
        for step in saga.step_names:
            for kind in FAILURE_KINDS:
                yield pytest.param(name, f"{step}:{kind}:2", id=f"{name}-{step}-{kind}-twice")


@pytest.mark.parametrize(("scenario", "spec"), list(single_failures()))
def test_any_single_failure_of_any_step_ends_completed_or_compensated_in_every_mode(
    scenario, spec
):
    saga = SCENARIOS[scenario]
    step, kind, _ = spec.split(":")
    retried_out = kind in ("transient", "timeout") and saga.step(step).retry.max_attempts <= 2
    stops = kind == "fail" or retried_out
    for mode in MODES:
        run = finished(saga, mode, [spec])
        assert run.outcome == ("compensated" if stops else "completed"), (mode, spec)
        assert_schema_valid(run.events)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), scenario=st.sampled_from(["travel", "onboarding"]),
       mode=st.sampled_from(MODES), seed=st.integers(0, 2**31))
def test_any_combination_of_failures_keeps_the_invariants_in_the_new_scenarios(
    data, scenario, mode, seed
):
    saga = SCENARIOS[scenario]
    spec = st.builds(lambda s, k, n: f"{s}:{k}:{n}", st.sampled_from(saga.step_names),
                     st.sampled_from(list(FAILURE_KINDS)), st.integers(1, 4))
    failures = data.draw(st.lists(spec, max_size=7))
    run = Run(saga, mode, failures=failures, seed=seed)
    run.run_to_end()
    assert run.outcome in ("completed", "compensated")
    resumed = Run.resume(saga, run.store, run.run_id)
    assert [e.to_json() for e in resumed.events] == [e.to_json() for e in run.events]


def test_the_onboarding_compensations_undo_every_committed_step_newest_first():
    saga = SCENARIOS["onboarding"]
    for mode in MODES:
        run = finished(saga, mode, ["deposit:fail"])
        undone = [e.step for e in run.events if e.kind == "compensation.succeeded"]
        assert undone == list(reversed(saga.step_names[:-1]))
        assert run.world["PaymentService"].accounts == saga.services["PaymentService"]
        assert run.world["OnboardingService"].records["a-1"] == "WITHDRAWN"


def counts(saga, mode, failures):
    run = finished(saga, mode, failures)
    kinds = Counter(e.kind for e in run.events)
    return {
        "events": len(run.events),
        "bus hops": kinds["message.delivered"],
        "calls": kinds["step.started"] + kinds["compensation.started"],
    }


@pytest.mark.parametrize("scenario", scenario_names())
def test_choreography_pays_a_bus_hop_for_every_link_of_the_chain(scenario):
    """With n steps, success is n hops (+1 to reach the completer); a failure at the last step
    is 2n-1 hops in a row, each one more service that must be subscribed to the right event."""
    saga = SCENARIOS[scenario]
    n, completer = len(saga.steps), int(saga.completion is not None)
    assert counts(saga, "choreography", [])["bus hops"] == n + completer
    assert counts(saga, "choreography", [saga.step_names[-1]])["bus hops"] == 2 * n - 1
    assert counts(saga, "orchestration", [saga.step_names[-1]])["bus hops"] == 0
    assert counts(saga, "orchestration", [saga.step_names[-1]])["calls"] == 2 * n - 1


@pytest.mark.parametrize("scenario", scenario_names())
def test_the_choreography_wiring_grows_three_times_as_fast_as_the_orchestrator(scenario):
    """Each extra step adds three events and three subscriptions; the orchestrator adds two
    states (the step and its compensation)."""
    saga = SCENARIOS[scenario]
    n, completer = len(saga.steps), int(saga.completion is not None)
    assert len(subscriptions(saga)) == 3 * n - 3 + completer
    assert orchestration_graph(saga).number_of_nodes() == 2 * n + 2


def test_onboarding_choreography_needs_twice_the_events_of_its_orchestration():
    saga = SCENARIOS["onboarding"]
    last = [saga.step_names[-1]]
    orchestration = counts(saga, "orchestration", last)
    choreography = counts(saga, "choreography", last)
    assert choreography["calls"] == orchestration["calls"] == 13
    assert choreography["bus hops"] == 13
    assert choreography["events"] >= 1.9 * orchestration["events"]
