"""A user defines a saga in a TOML or JSON file and runs it like a built-in one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from saga_core import MODES, Run, load_scenario, scenario_names
from saga_core.cli import main
from saga_core.export import export_saga
from saga_core.scenarios.files import InvalidScenarioFile, load_scenario_file, scenario_to_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def events_of(saga, mode, failures):
    return [e.to_json() for e in Run(saga, mode, failures=failures).run_to_end()]


def test_the_travel_example_file_describes_exactly_the_built_in_travel_saga():
    assert load_scenario_file(EXAMPLES / "travel.toml") == load_scenario("travel")


def test_the_json_example_is_the_checkout_saga_as_exported():
    assert load_scenario_file(EXAMPLES / "checkout.json") == load_scenario("checkout")
    assert (EXAMPLES / "checkout.json").read_text() == export_saga(load_scenario("checkout"),
                                                                     "json")


@pytest.mark.parametrize("scenario", scenario_names())
def test_a_built_in_saga_exported_as_json_and_loaded_back_runs_byte_for_byte_the_same(
    scenario, tmp_path
):
    saga = load_scenario(scenario)
    path = tmp_path / f"{scenario}.json"
    path.write_text(export_saga(saga, "json"))
    loaded = load_scenario_file(path)
    assert scenario_to_dict(loaded) == scenario_to_dict(saga)
    for mode in MODES:
        failures = [f"{saga.step_names[1]}:transient", f"{saga.step_names[-1]}:fail"]
        assert events_of(loaded, mode, failures) == events_of(saga, mode, failures)


def test_the_food_delivery_example_keeps_the_invariants_whatever_step_fails():
    saga = load_scenario_file(EXAMPLES / "food-delivery.toml")
    for mode in MODES:
        whole = Run(saga, mode)
        whole.run_to_end()
        assert whole.outcome == "completed"
        for step in saga.step_names:
            run = Run(saga, mode, failures=[f"{step}:fail", f"{saga.step_names[0]}:crash"])
            run.run_to_end()  # the invariants are checked at the end of every run
            assert run.outcome == "compensated"


def test_events_left_out_of_a_file_are_derived_from_the_step_name_and_renamed_ones_kept():
    payment = load_scenario_file(EXAMPLES / "food-delivery.toml").step("payment")
    events = payment.event_names()
    assert (events.succeeded, events.failed, events.compensated) == (
        "PaymentAuthorised", "PaymentFailed", "PaymentVoided")
    kitchen = load_scenario_file(EXAMPLES / "food-delivery.toml").step("kitchen")
    assert kitchen.event_names().compensated == "KitchenCompensated"


def test_trace_runs_a_scenario_file_given_by_path(capsys):
    path = str(EXAMPLES / "food-delivery.toml")
    assert main(["trace", "--scenario", path, "--mode", "choreography", "--fail", "courier"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("food-delivery saga · choreography · seed 0 · failures: courier:fail:1")
    assert "CourierService could not assign a rider to order f-9: no rider is free." in out
    assert "outcome: compensated" in out


MINIMAL = """
name = "tiny"
[services.Bank]
a = 10
b = 0
[[steps]]
name = "hold"
service = "Bank"
action = { name = "hold", text = "hold 1", moves = [{ source = "a", target = "b", amount = 1 }] }
compensate = { name = "release", text = "release 1" }
[[steps]]
name = "ship"
service = "Shipper"
action = { name = "send_parcel", text = "ship it" }
"""


def test_a_minimal_file_needs_only_names_services_and_actions(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(MINIMAL)
    saga = load_scenario_file(path)
    assert saga.step_names == ["hold", "ship"]
    for mode in MODES:
        run = Run(saga, mode, failures=["ship"])
        run.run_to_end()
        assert run.outcome == "compensated"


BAD_FILES = [
    ("no steps", MINIMAL.split("[[steps]]")[0],
     "top level: missing required field 'steps'"),
    ("a word for a number",
     MINIMAL.replace('name = "ship"', 'name = "ship"\nretry = { max_attempts = "three" }'),
     'steps[1].retry.max_attempts: expected an integer ≥ 1, got "three"'),
    ("a misspelt field", MINIMAL.replace('name = "ship"', 'name = "ship"\nretries = 3'),
     "steps[1].retries: unknown field; valid fields here: name, service, action, compensate, "
     "retry, timeout_ms, latency_ms, failure_reason, events"),
    ("a backwards latency range",
     MINIMAL.replace('name = "ship"', 'name = "ship"\nlatency_ms = [80, 20]'),
     "steps[1].latency_ms: expected a range [low, high] of milliseconds with 0 ≤ low ≤ high, "
     "got [80, 20]"),
    ("a gentle backoff", MINIMAL.replace('name = "ship"',
                                         'name = "ship"\nretry = { backoff_coefficient = 0.5 }'),
     "steps[1].retry.backoff_coefficient: expected a number ≥ 1, got 0.5"),
    ("a negative balance", MINIMAL.replace("a = 10", "a = -10"),
     "services.Bank.a: expected an integer ≥ 0, got -10"),
    ("a compensation with moves",
     MINIMAL.replace('{ name = "release", text = "release 1" }',
                     '{ name = "release", text = "r", moves = [] }'),
     "steps[0].compensate.moves: a compensation has no moves of its own: it reverses its "
     "step's moves"),
    ("a move from an unknown account", MINIMAL.replace('source = "a"', 'source = "z"'),
     "step 'hold' of saga 'tiny' moves 'z', which is not an account of Bank (its accounts: a, b)"),
    ("a timeout shorter than the work",
     MINIMAL.replace('name = "ship"', 'name = "ship"\ntimeout_ms = 50'),
     "its work takes up to 80 ms but its timeout is 50 ms"),
    ("two steps with one name", MINIMAL.replace('name = "ship"', 'name = "hold"'),
     "saga 'tiny' has two steps named 'hold'"),
    ("a side subscriber to nothing", MINIMAL + '[side_subscribers]\nNoSuchEvent = ["Audit"]\n',
     "side subscribers listen to 'NoSuchEvent', which no step publishes"),
    ("a record that is not a pair", MINIMAL.replace('text = "ship it"',
                                                     'text = "ship it", record = ["s-1"]'),
     'steps[1].action.record: expected a pair ["record key", "STATUS"] of strings, got ["s-1"]'),
    ("broken TOML", MINIMAL.replace('name = "tiny"', 'name = "tiny'), "not valid TOML"),
]


@pytest.mark.parametrize(("case", "text", "says"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_rejected_naming_the_file_the_field_and_what_was_expected(
    tmp_path, case, text, says
):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidScenarioFile) as error:
        load_scenario_file(path)
    assert str(error.value).startswith(f"{path}: ")
    assert says in str(error.value)


def test_broken_json_is_reported_with_its_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"name": "x",\n "steps": [}')
    with pytest.raises(InvalidScenarioFile, match=r"not valid JSON: .* \(line 2, column 12\)"):
        load_scenario_file(path)


def test_a_json_file_is_held_to_the_same_rules(tmp_path):
    path = tmp_path / "bad.json"
    data = scenario_to_dict(load_scenario("travel"))
    data["steps"][2]["timeout_ms"] = "soon"
    path.write_text(json.dumps(data))
    with pytest.raises(InvalidScenarioFile,
                       match=r'steps\[2\]\.timeout_ms: expected an integer ≥ 1, got "soon"'):
        load_scenario_file(path)


def test_a_missing_file_or_an_unknown_suffix_says_so(tmp_path):
    with pytest.raises(InvalidScenarioFile, match="no such scenario file"):
        load_scenario_file(tmp_path / "nowhere.toml")
    (tmp_path / "saga.yaml").write_text("name: x")
    with pytest.raises(InvalidScenarioFile, match=r"must end in \.toml or \.json, not '\.yaml'"):
        load_scenario_file(tmp_path / "saga.yaml")


def test_the_command_line_reports_a_bad_file_in_one_sentence_without_a_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace("a = 10", 'a = "ten"'))
    proc = subprocess.run(
        [sys.executable, "-m", "saga_core.cli", "trace", "--scenario", str(path)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f'sagascope trace: {path}: services.Bank.a: expected an integer ≥ 0, got "ten"'
    )
