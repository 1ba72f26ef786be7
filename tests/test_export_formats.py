"""What each export says about a saga, and `sagascope export` as a user types it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from schema_assertions import assert_schema_valid

from saga_core import (
    InvalidDefinition,
    InvalidRequest,
    Run,
    load_scenario,
    scenario_names,
)
from saga_core.cli import main
from saga_core.export import export_run, export_saga, run_history, saga_flow
from saga_core.export.mermaid import text
from saga_core.retry import COMPENSATION_RETRY
from saga_core.scenarios.files import scenario_from_dict, scenario_to_dict


def committed_order(saga, failures):
    run = Run(saga, "orchestration", failures=failures)
    order = []
    for event in run.run_to_end():
        if event.kind in ("step.succeeded", "compensation.succeeded"):
            order.append(("commit" if event.kind == "step.succeeded" else "undo", event.step))
    return order


def walk_asl(machine: dict, saga, fail_at: str | None):
    """Follow Next, or Catch when the failing step's Task throws, from StartAt to an end."""
    names = {f"step_{s.name}": s.name for s in saga.steps}
    undos = {f"undo_{s.name}": s.name for s in saga.steps}
    order, state_name = [], machine["StartAt"]
    while True:
        state = machine["States"][state_name]
        if state["Type"] in ("Succeed", "Fail"):
            return order, state["Type"]
        if fail_at is not None and names.get(state_name) == fail_at:
            state_name = state["Catch"][0]["Next"]
            continue
        if state_name in names:
            order.append(("commit", names[state_name]))
        elif state_name in undos:
            order.append(("undo", undos[state_name]))
        state_name = state["Next"]


@pytest.mark.parametrize("scenario", scenario_names())
def test_following_the_state_machine_visits_steps_and_compensations_as_our_engine_commits(
    scenario,
):
    saga = load_scenario(scenario)
    machine = json.loads(export_saga(saga, "asl"))
    assert walk_asl(machine, saga, None) == (committed_order(saga, []), "Succeed")
    for step in saga.step_names:
        assert walk_asl(machine, saga, step) == (committed_order(saga, [step]), "Fail")


@pytest.mark.parametrize("scenario", scenario_names())
def test_step_functions_retries_transient_errors_by_the_step_policy_never_a_business_failure(
    scenario,
):
    saga = load_scenario(scenario)
    states = json.loads(export_saga(saga, "asl"))["States"]
    for step in saga.steps:
        state = states[f"step_{step.name}"]
        assert state["TimeoutSeconds"] == math.ceil(step.timeout_ms / 1000)
        (retrier,) = state["Retry"]
        assert retrier["MaxAttempts"] == step.retry.max_attempts - 1, "ASL counts retries"
        interval = max(1, math.ceil(step.retry.initial_interval_ms / 1000))
        assert retrier["IntervalSeconds"] == interval
        assert retrier["BackoffRate"] == step.retry.backoff_coefficient
        assert not {"States.ALL", "States.TaskFailed"} & set(retrier["ErrorEquals"])
        assert state["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    for undo in saga_flow(saga).compensations:
        (retrier,) = states[undo.id]["Retry"]
        assert retrier["ErrorEquals"] == ["States.ALL"]
        assert retrier["MaxAttempts"] == COMPENSATION_RETRY.max_attempts - 1


def test_the_mermaid_flowchart_draws_each_step_each_compensation_and_each_failure_edge():
    saga = load_scenario("checkout")
    chart = export_saga(saga, "mermaid")
    assert chart.splitlines()[3] == "flowchart LR"
    for step in saga.steps:
        assert f'step_{step.name}["{step.action.name}<br/>' in chart
    for name in ("inventory", "payment", "order"):
        assert f'undo_{name}["{saga.step(name).compensate.name}<br/>' in chart
    assert "step_shipping -.->|ShipmentFailed| undo_inventory" in chart
    assert "step_order -.->|OrderRejected| saga_compensated" in chart
    assert "undo_inventory ==> undo_payment" in chart


def test_the_choreography_view_draws_the_event_flow_derived_from_the_subscriptions():
    chart = export_saga(load_scenario("checkout"), "mermaid", view="choreography")
    assert "flowchart TD" in chart
    assert "ev_InventoryFailed -->|PaymentService.refund_payment| ev_RefundIssued" in chart
    assert "ev_ShipmentBooked -->|OrderService.complete| ev_OrderCompleted" in chart


def test_a_sequence_diagram_shows_one_arrow_per_call_and_per_delivered_message():
    saga = load_scenario("checkout")
    orchestrated = Run(saga, "orchestration", failures=["inventory"])
    orchestrated.run_to_end()
    diagram = export_run(orchestrated, "mermaid")
    calls = [e for e in orchestrated.events
             if e.kind in ("step.started", "compensation.started")]
    assert diagram.count("orchestrator->>") == len(calls) == 5
    failed = "InventoryService--xorchestrator: inventory failed: the widget is out of stock"
    assert failed in diagram
    choreographed = Run(saga, "choreography", failures=["inventory", "payment:duplicate"])
    choreographed.run_to_end()
    diagram = export_run(choreographed, "mermaid")
    delivered = [e for e in choreographed.events if e.kind == "message.delivered"]
    assert sum(line.count("-)") for line in diagram.splitlines()) == len(delivered)
    assert "PaymentService-)InventoryService: PaymentSucceeded (again)" in diagram
    assert "Note over InventoryService: duplicate PaymentSucceeded ignored" in diagram


def test_a_crash_and_its_recovery_appear_as_notes_on_the_orchestrator():
    run = Run(load_scenario("travel"), "orchestration", failures=["hotel:crash"])
    run.run_to_end()
    diagram = export_run(run, "mermaid")
    assert "ms: crashed after hotel" in diagram
    assert "Note over orchestrator: recovered by replaying" in diagram


def test_mermaid_text_escapes_what_mermaid_would_parse():
    assert text('a "quoted"; #1 <b>') == "a #quot;quoted#quot;#59; #35;1 #lt;b#gt;"
    data = scenario_to_dict(load_scenario("travel"))
    data["title"] = 'Trips; "cheap" & <fast> #1'
    data["steps"][0]["action"]["name"] = "hold;seat"
    chart = export_saga(scenario_from_dict(data), "mermaid")
    assert 'title: "Trips; \\"cheap\\" and ‹fast› #1 (orchestration)"' in chart
    assert 'step_flight["hold#59;seat<br/>' in chart


def test_the_json_history_of_a_run_is_every_event_on_the_wire_format():
    run = Run(load_scenario("onboarding"), "hybrid", failures=["card:fail"], seed=7)
    run.run_to_end()
    history = json.loads(export_run(run, "json"))
    assert history == json.loads(json.dumps(run_history(run)))
    assert (history["saga"], history["mode"], history["seed"], history["outcome"]) == (
        "onboarding", "hybrid", 7, "compensated")
    assert history["failures"] == ["card:fail:1"]
    assert history["events"] == [e.to_dict() for e in run.events]
    assert_schema_valid(history["events"])


def test_steps_whose_names_collide_as_ids_are_rejected_naming_both():
    data = scenario_to_dict(load_scenario("travel"))
    data["steps"][1]["name"] = "car-hire"
    data["steps"][2]["name"] = "car_hire"
    with pytest.raises(InvalidDefinition, match="'car-hire' and 'car_hire' export to the same id"):
        export_saga(scenario_from_dict(data), "bpmn")


def test_an_unknown_format_or_view_names_the_valid_ones():
    saga = load_scenario("checkout")
    with pytest.raises(InvalidRequest, match="valid formats: bpmn, asl, mermaid, json"):
        export_saga(saga, "svg")
    with pytest.raises(InvalidRequest, match="valid views: orchestration, choreography"):
        export_saga(saga, "mermaid", view="sideways")
    with pytest.raises(InvalidRequest, match="the choreography view is a Mermaid flowchart"):
        export_saga(saga, "bpmn", view="choreography")


# -- the command line ------------------------------------------------------------------------
def test_export_prints_each_format_of_the_default_scenario(capsys):
    assert main(["export", "--format", "bpmn"]) == 0
    assert capsys.readouterr().out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    assert main(["export", "--format", "asl", "--scenario", "travel"]) == 0
    assert json.loads(capsys.readouterr().out)["StartAt"] == "step_flight"
    assert main(["export", "--format", "mermaid", "--view", "choreography"]) == 0
    assert "flowchart TD" in capsys.readouterr().out
    assert main(["export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "checkout"


def test_export_trace_draws_one_run_as_a_sequence_diagram(capsys):
    args = ["export", "--format", "mermaid", "--trace", "--mode", "choreography",
            "--fail", "inventory", "--seed", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "sequenceDiagram" in out
    assert 'title: "E-commerce checkout: choreography, inventory:fail:1, seed 3"' in out


def test_export_writes_a_file_and_says_where(tmp_path, capsys):
    target = tmp_path / "travel.bpmn"
    assert main(["export", "--format", "bpmn", "--scenario", "travel", "-o", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote the travel definition as bpmn to {target}\n"
    assert target.read_text() == export_saga(load_scenario("travel"), "bpmn")


def test_export_takes_a_scenario_file(tmp_path, capsys):
    path = tmp_path / "mine.json"
    path.write_text(export_saga(load_scenario("travel"), "json").replace('"travel"', '"mine"'))
    assert main(["export", "--format", "asl", "--scenario", str(path)]) == 0
    assert "step_hotel" in json.loads(capsys.readouterr().out)["States"]


@pytest.mark.parametrize(("args", "says"), [
    (["--format", "bpmn", "--trace"], "a run exports as mermaid or json, not 'bpmn'"),
    (["--format", "bpmn", "--fail", "payment"], "--fail describes a run: add --trace"),
    (["--format", "json", "--mode", "hybrid", "--seed", "2"],
     "--mode and --seed describe a run: add --trace"),
    (["--format", "mermaid", "--trace", "--view", "choreography"], "--view draws a definition"),
    (["--format", "asl", "--view", "choreography"], "the choreography view is a Mermaid flowchart"),
    (["--format", "svg"], "argument --format: invalid choice: 'svg' (choose from"),
    (["--format", "mermaid", "--trace", "--fail", "warehouse"],
     "valid steps: order, payment, inventory, shipping"),
    (["--format", "asl", "--scenario", "nope"], "valid scenarios: checkout, travel, onboarding"),
])
def test_a_bad_export_request_exits_2_with_a_sentence_and_no_traceback(args, says):
    proc = subprocess.run([sys.executable, "-m", "saga_core.cli", "export", *args],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert says in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_diagram_in_the_readme_is_what_export_draws_today():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Exports", 1)[1]
    shown = section.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert shown == export_saga(load_scenario("checkout"), "mermaid")
