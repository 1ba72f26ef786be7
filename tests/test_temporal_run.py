"""The saga on a real Temporal dev server: real workers, a real SIGKILL, the real history.

Each run is checked three ways: the saga invariants on the events mapped from Temporal's
history, the outcome and services' final state against SagaScope's own engine run of the same
inputs, and what the shared services' journal says each worker process really did.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from schema_assertions import assert_schema_valid
from temporal_helpers import dev_server, need_temporal, pid_alive

from saga_core import InvariantViolation, load_scenario
from saga_core.invariants import check_invariants

ROOT = Path(__file__).resolve().parents[1]
SAGASCOPE = Path(sys.executable).parent / "sagascope"
SCALE = 2.0
"""Twice the definition's timeouts: room for a loaded 2-core machine, so only the injected
timeouts time out."""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from dev_server(tmp_path_factory)


def run_temporal(server, failures, scenario="checkout"):
    from saga_core.temporal.runner import blocking, run_on_temporal

    return blocking(lambda: run_on_temporal(load_scenario(scenario), scenario, failures,
                                            address=server.address, time_scale=SCALE))


def same_as_engine(run, failures, scenario="checkout"):
    """Outcome, balances, records and transaction order equal the engine's own run."""
    from saga_core.temporal.compare import engine_run, final_state

    engine = engine_run(load_scenario(scenario), failures)
    assert run.outcome == engine.outcome
    assert final_state(run.world) == final_state(engine.world)
    assert run.result["committed"] == [e.step for e in engine.events if e.kind == "step.succeeded"]


def history_types(run) -> list[str]:
    from saga_core.temporal.history_map import short_type

    return [short_type(e["eventType"]) for e in run.history["events"]]


def activity_started(run, activity: str) -> dict:
    """The ActivityTaskStarted attributes of an activity type (one per activity: its last try)."""
    by_id = {e["eventId"]: e for e in run.history["events"]}
    for event in run.history["events"]:
        attrs = event.get("activityTaskStartedEventAttributes")
        if attrs:
            scheduled = by_id[attrs["scheduledEventId"]]["activityTaskScheduledEventAttributes"]
            if scheduled["activityType"]["name"] == activity:
                return attrs
    raise AssertionError(f"no {activity} started")


def journal(run, activity: str) -> list[tuple[int, str]]:
    return [(row["attempt"], row["effect"]) for row in run.journal if row["activity"] == activity]


def test_every_mapped_event_names_a_real_history_event_and_fits_the_schema(server):
    run = run_temporal(server, ["inventory"])
    assert_schema_valid(run.events)
    by_id = {int(e["eventId"]): e for e in run.history["events"]}
    for event in run.events:
        temporal = event.detail["temporal"]
        original = by_id[temporal["event_id"]]
        assert original["eventTime"] == temporal["time"]
        assert original["eventType"].removeprefix("EVENT_TYPE_").replace("_", "") == \
            temporal["event_type"].upper()
    assert [e.t_ms for e in run.events] == sorted(e.t_ms for e in run.events)
    same_as_engine(run, ["inventory"])
    assert run.outcome == "compensated"
    assert run.result == {"outcome": "compensated", "committed": ["order", "payment"],
                          "compensated": ["payment", "order"]}
    # Registered before it ran, the failed step's compensation runs too, and finds nothing.
    assert journal(run, "release_stock") == [(1, "nothing to undo")]
    assert [e.kind for e in run.events if e.step == "inventory"] == [
        "step.started", "step.failed", "compensation.started", "compensation.succeeded"]


def test_a_history_cut_short_breaks_the_invariants_so_the_check_can_fail(server):
    from saga_core.temporal.history_map import history_events

    run = run_temporal(server, [])
    assert run.outcome == "completed"
    cut = {"events": run.history["events"][:-1]}
    events = history_events(cut, run.saga, run_id=run.workflow_id)
    with pytest.raises(InvariantViolation, match="ended 0 times"):
        check_invariants(run.saga, "orchestration", run.world, events)


def test_a_crash_kills_the_worker_for_real_and_another_replays_the_history(server):
    run = run_temporal(server, ["payment:crash"])
    first, second = run.workers
    assert first.exit_status == -signal.SIGKILL and first.killed_after == "payment"
    assert second.pid != first.pid and not pid_alive(first.pid)
    # Temporal's own record: the first worker took a workflow task and never answered it.
    types = history_types(run)
    assert "WorkflowTaskTimedOut" in types
    identities = [e["workflowTaskStartedEventAttributes"]["identity"]
                  for e in run.history["events"] if "workflowTaskStartedEventAttributes" in e]
    assert {i.split("@")[0] for i in identities} == {str(first.pid), str(second.pid)}
    # Each effect was applied once, payment by the dead worker, the rest by its successor.
    by_step = {row["step"]: row["pid"] for row in run.journal if row["effect"] == "applied"}
    assert by_step == {"order": first.pid, "payment": first.pid, "inventory": second.pid,
                       "shipping": second.pid}
    crashed, recovered = (next(e for e in run.events if e.kind == k)
                          for k in ("orchestrator.crashed", "orchestrator.recovered"))
    assert crashed.detail["worker_pid"] == first.pid and crashed.step == "payment"
    assert recovered.detail["worker_pid"] == second.pid
    assert recovered.detail["replayed_events"] > crashed.detail["temporal"]["event_id"]
    assert [e.step for e in run.events if e.kind == "step.succeeded"].count("payment") == 1
    assert_schema_valid(run.events)
    same_as_engine(run, ["payment:crash"])
    assert run.outcome == "completed"


def test_transient_errors_and_timeouts_are_retried_by_temporals_retry_policy(server):
    failures = ["payment:transient:2", "inventory:timeout:1"]
    run = run_temporal(server, failures)
    payment = activity_started(run, "charge_card")
    assert payment["attempt"] == 3
    assert payment["lastFailure"]["applicationFailureInfo"]["type"] == "TransientError"
    assert "timeoutFailureInfo" in activity_started(run, "reserve_stock")["lastFailure"]
    assert journal(run, "charge_card") == [
        (1, "transient failure: a transient error (503 Service Unavailable)"),
        (2, "transient failure: a transient error (503 Service Unavailable)"),
        (3, "applied")]
    assert journal(run, "reserve_stock") == [
        (1, "hung past its start-to-close timeout; nothing applied"), (2, "applied")]
    kinds = [(e.kind, e.step, e.detail["attempt"]) for e in run.events if e.step == "payment"]
    assert kinds == [("step.started", "payment", 1), ("step.failed", "payment", 2),
                     ("step.retry_scheduled", "payment", 3), ("step.succeeded", "payment", 3)]
    same_as_engine(run, failures)
    assert run.outcome == "completed"


def test_retries_that_run_out_a_failing_compensation_and_a_crash_on_another_scenario(server):
    saga = load_scenario("travel")
    first, second = saga.steps[0], saga.steps[1]
    failures = [f"{second.name}:transient:{second.retry.max_attempts}",
                f"{first.name}:compensate:2", f"{first.name}:crash"]
    run = run_temporal(server, failures, scenario="travel")
    names = {s: run.plan["steps"][i] for i, s in enumerate(saga.step_names)}
    gave_up = [e for e in run.history["events"] if "activityTaskFailedEventAttributes" in e]
    assert [e["activityTaskFailedEventAttributes"]["retryState"] for e in gave_up] == [
        "RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED"]
    undo = names[first.name]["compensation"]["activity"]
    assert activity_started(run, undo)["attempt"] == 3
    assert [effect for _, effect in journal(run, undo)] == [
        "compensation failed: a transient error", "compensation failed: a transient error",
        "undone"]
    assert [life.killed_after for life in run.workers] == [first.name, None]
    same_as_engine(run, failures, scenario="travel")
    assert run.outcome == "compensated"


def test_a_lost_completion_is_a_timeout_and_the_retry_finds_the_effect_applied(server):
    run = run_temporal(server, ["payment:drop"])
    assert journal(run, "charge_card") == [
        (1, "applied; its completion is lost"), (2, "already applied: nothing to do")]
    assert "timeoutFailureInfo" in activity_started(run, "charge_card")["lastFailure"]
    succeeded = next(e for e in run.events if e.kind == "step.succeeded" and e.step == "payment")
    assert succeeded.detail["applied"] is False
    same_as_engine(run, ["payment:drop"])


def test_the_command_starts_its_own_dev_server_and_stops_it_by_pid():
    need_temporal()
    result = subprocess.run([str(SAGASCOPE), "temporal", "run", "--fail", "inventory"],
                            capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "outcome: compensated, recorded by Temporal server" in out
    assert "equal SagaScope's own engine run of the same inputs" in out
    (line,) = [ln for ln in out.splitlines() if ln.startswith("Started a Temporal dev server")]
    pid = int(line.split("(pid ")[1].split(")")[0])
    assert f"Stopped the dev server (pid {pid})." in out
    assert not pid_alive(pid)


def test_the_command_prints_mapped_events_as_json_and_the_pids_of_both_workers(server):
    result = subprocess.run(
        [str(SAGASCOPE), "temporal", "run", "--fail", "payment:crash", "--json",
         "--address", server.address, "--time-scale", str(SCALE)],
        capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert_schema_valid(events)
    assert events[-1]["kind"] == "saga.completed"
    crashed = next(e for e in events if e["kind"] == "orchestrator.crashed")
    recovered = next(e for e in events if e["kind"] == "orchestrator.recovered")
    assert crashed["detail"]["worker_pid"] != recovered["detail"]["worker_pid"]
    assert f"Worker pid {crashed['detail']['worker_pid']} was killed with SIGKILL" in result.stderr
    assert "Started a Temporal dev server" not in result.stderr  # --address: none of our own


def test_raw_prints_temporals_own_history_json(server):
    result = subprocess.run(
        [str(SAGASCOPE), "temporal", "run", "--raw", "--address", server.address,
         "--scenario", "onboarding"], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    history = json.loads(result.stdout)
    assert history["events"][0]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
    assert history["events"][-1]["eventType"] == "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED"


@pytest.mark.parametrize(("spec", "says"), [
    ("payment:duplicate", "duplicate has no Temporal meaning"),
    ("payment:drop:3", "a lost completion is a timed-out attempt whose effect committed"),
])
def test_failures_without_a_temporal_meaning_are_refused_before_anything_starts(spec, says,
                                                                               capsys):
    need_temporal()
    from saga_core.cli import main

    assert main(["temporal", "run", "--fail", spec]) == 2
    err = capsys.readouterr().err
    assert says in err and "Started" not in err


def test_without_the_extra_the_command_says_in_one_sentence_how_to_install_it(monkeypatch,
                                                                            capsys):
    from saga_core.cli import main

    monkeypatch.setitem(sys.modules, "temporalio", None)  # import temporalio → ImportError
    for argv in (["temporal", "run", "--fail", "inventory"], ["temporal"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.endswith("pip install -e '.[temporal]')"), err
        assert "pip install 'sagascope[temporal]'" in err and err.count("\n") == 0


def test_importing_the_engine_and_the_web_app_imports_no_temporal_sdk():
    code = ("import sys, saga_core, saga_core.cli, saga_core.temporal, webapp, webapp.cli; "
            "sys.exit('temporalio' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


def test_an_address_where_no_server_answers_is_one_sentence_not_a_traceback(capsys):
    need_temporal()
    from saga_core.cli import main
    from saga_core.temporal.devserver import free_port

    assert main(["temporal", "run", "--address", f"127.0.0.1:{free_port()}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("sagascope temporal: cannot reach a Temporal server at 127.0.0.1:")
    assert "Traceback" not in err and err.count("\n") == 0
