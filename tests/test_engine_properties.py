"""Whatever fails, in whatever combination, every run terminates and keeps the saga invariants."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mid_run import arm_along_the_way
from schema_assertions import assert_schema_valid

from saga_core import FAILURE_KINDS, MODES, Run, load_scenario, scenario_names
from saga_core.invariants import check_invariants

CHECKOUT = load_scenario("checkout")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_failure(saga) -> st.SearchStrategy[str]:
    return st.builds(
        lambda step, kind, n: f"{step}:{kind}:{n}",
        st.sampled_from(saga.step_names),
        st.sampled_from(list(FAILURE_KINDS)),
        st.integers(min_value=1, max_value=4),
    )


def failures_of(saga) -> st.SearchStrategy[list[str]]:
    return st.lists(one_failure(saga), max_size=6)


specs = one_failure(CHECKOUT)
failure_sets = failures_of(CHECKOUT)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(scenario_names()), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**31))
def test_any_failure_combination_terminates_completed_or_compensated(data, name, mode, seed):
    saga = load_scenario(name)
    failures = data.draw(failures_of(saga), label="failures")
    run = Run(saga, mode, failures=failures, seed=seed)
    run.run_to_end()  # raises InvariantViolation or SagaDidNotTerminate when something broke
    assert run.finished
    assert run.outcome in ("completed", "compensated")
    assert check_invariants(saga, mode, run.world, run.events) == run.outcome
    if not any(f.split(":")[1] in ("fail", "transient", "timeout") for f in failures):
        assert run.outcome == "completed", "only fail, transient and timeout can stop a saga"
    assert_schema_valid(run.events)


@SETTINGS
@given(mode=st.sampled_from(MODES), failures=failure_sets, seed=st.integers(0, 2**31))
def test_identical_inputs_give_byte_identical_events(mode, failures, seed):
    first = Run(CHECKOUT, mode, failures=failures, seed=seed)
    second = Run(CHECKOUT, mode, failures=failures, seed=seed)
    assert [e.to_json() for e in first.run_to_end()] == [e.to_json() for e in second.run_to_end()]


@settings(max_examples=80, deadline=None)
@given(
    mode=st.sampled_from(MODES),
    failures=failure_sets,
    late=st.lists(st.tuples(st.integers(0, 30), specs), max_size=3),
    seed=st.integers(0, 1000),
)
def test_failures_armed_mid_run_also_keep_the_invariants(mode, failures, late, seed):
    run = Run(CHECKOUT, mode, failures=failures, seed=seed)
    arm_along_the_way(run, sorted(late))
    run.run_to_end()
    assert run.outcome in ("completed", "compensated")


@settings(max_examples=80, deadline=None)
@given(
    mode=st.sampled_from(MODES),
    failures=failure_sets,
    seed=st.integers(0, 1000),
    cut=st.integers(1, 60),
)
def test_a_run_rebuilt_from_its_history_at_any_point_continues_identically(
    mode, failures, seed, cut
):
    whole = Run(CHECKOUT, mode, failures=failures, seed=seed)
    whole.run_to_end()
    partial = Run(CHECKOUT, mode, failures=failures, seed=seed)
    while len(partial.events) < cut and not partial.finished:
        partial.step()
    resumed = Run.resume(CHECKOUT, partial.store, partial.run_id)
    resumed.run_to_end()
    assert [e.to_json() for e in resumed.events] == [e.to_json() for e in whole.events]
    assert resumed.world.snapshot() == whole.world.snapshot()
