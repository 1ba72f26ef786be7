"""The `temporal` export is a Python module a Temporal user recognises, and it really runs: the
test suite writes it out, runs it against a dev server, and the saga commits and undoes exactly
what SagaScope's orchestrator does. Its compensations are registered before each step, so the
failing step's own "undo if present" runs too (Temporal's history shows it scheduled)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from temporal_helpers import dev_server

from saga_core import load_scenario
from saga_core.export import export_saga
from saga_core.temporal.compare import engine_run, final_state


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from dev_server(tmp_path_factory)


def cases():
    checkout = load_scenario("checkout")
    yield "checkout", None
    for step in checkout.step_names:
        yield "checkout", step
    for name in ("travel", "onboarding"):
        saga = load_scenario(name)
        yield name, None
        yield name, saga.step_names[len(saga.steps) // 2]


def run_export(path, address: str, fail_at: str | None) -> dict:
    args = [sys.executable, str(path), "--address", address]
    args += ["--fail-at", fail_at] if fail_at else []
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.splitlines()[-1])


def scheduled_activities(address: str, workflow_id: str) -> list[str]:
    from temporalio.client import Client

    from saga_core.temporal.runner import blocking

    async def fetch():
        client = await Client.connect(address)
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        return [e.activity_task_scheduled_event_attributes.activity_type.name
                for e in history.events
                if e.HasField("activity_task_scheduled_event_attributes")]

    return blocking(fetch)


@pytest.mark.parametrize(("scenario", "fail_at"), list(cases()))
def test_the_exported_module_runs_on_temporal_as_the_engine_runs_the_saga(server, tmp_path,
                                                                          scenario, fail_at):
    saga = load_scenario(scenario)
    path = tmp_path / f"{scenario}_saga.py"
    path.write_text(export_saga(saga, "temporal"))
    got = run_export(path, server.address, fail_at)
    engine = engine_run(saga, [f"{fail_at}:fail"] if fail_at else [])
    want = final_state(engine.world)
    assert got["outcome"] == engine.outcome
    assert got["log"] == want["transactions"]
    assert got["accounts"] == {n: s["accounts"] for n, s in want["services"].items()}
    assert got["records"] == {n: s["records"] for n, s in want["services"].items()}
    if fail_at:
        failed = saga.step(fail_at)
        ran = scheduled_activities(server.address, got["workflow_id"])
        assert ran[saga.index(fail_at) + 1] == failed.compensate.name, ran


def test_the_exported_module_is_lint_clean_and_needs_only_temporalio(tmp_path):
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--line-length", "100",
            "--select", "E,F,W,I,B,UP,SIM"]
    for name in ("checkout", "travel", "onboarding"):
        path = tmp_path / f"{name}_saga.py"
        text = export_saga(load_scenario(name), "temporal")
        path.write_text(text)
        result = subprocess.run([*ruff, str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout
        assert "saga_core" not in text and "sagascope" not in text.split('"""', 2)[2]
        assert 'if __name__ == "__main__":' in text
