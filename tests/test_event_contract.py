"""The wire contract: every kind's `detail` is built in saga_core/service_events.py and pinned,
field by field, by saga_core/event.schema.json; runs of every mode and failure kind produce
every kind, and each event they produce satisfies the schema."""

from __future__ import annotations

import ast
import copy
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from mid_run import arm_along_the_way
from schema_assertions import assert_schema_valid, validator

from saga_core import FAILURE_KINDS, KINDS, MODES, Run, event_schema, load_scenario, scenario_names

ENGINE = Path(__file__).resolve().parents[1] / "saga_core"


def _run(name: str, mode: str, failures: list[str], seed: int = 0,
         late: tuple[tuple[int, str], ...] = ()) -> Run:
    run = Run(load_scenario(name), mode, failures=failures, seed=seed)
    arm_along_the_way(run, late)
    run.run_to_end()
    return run


@cache
def sweep() -> dict[str, list[dict]]:
    """Every scenario × mode × step × failure kind, alone or before a final failure, plus the
    same kind armed mid-run: each kind's events, as the wire carries them."""
    by_kind: dict[str, list[dict]] = {}
    for name in scenario_names():
        saga = load_scenario(name)
        for mode in MODES:
            for step in saga.step_names:
                for kind in FAILURE_KINDS:
                    for then in ([], [f"{saga.step_names[-1]}:fail"]):
                        run = _run(name, mode, [f"{step}:{kind}:2", *then],
                                   late=((3, f"{step}:{kind}"),))
                        for event in run.events:
                            by_kind.setdefault(event.kind, []).append(event.to_dict())
    return by_kind


def test_runs_of_every_mode_and_failure_kind_produce_every_kind_and_each_fits_the_schema():
    by_kind = sweep()
    assert set(by_kind) == set(KINDS), f"never produced: {set(KINDS) - set(by_kind)}"
    for events in by_kind.values():
        assert_schema_valid(events)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(scenario_names()), mode=st.sampled_from(MODES),
       seed=st.integers(0, 2**31), data=st.data())
def test_any_run_with_failures_armed_before_and_during_it_fits_the_schema(name, mode, seed, data):
    saga = load_scenario(name)
    spec = st.builds(lambda s, k, n: f"{s}:{k}:{n}", st.sampled_from(saga.step_names),
                     st.sampled_from(list(FAILURE_KINDS)), st.integers(1, 3))
    failures = data.draw(st.lists(spec, max_size=4), label="failures")
    late = data.draw(st.lists(st.tuples(st.integers(0, 25), spec), max_size=2), label="late")
    assert_schema_valid(_run(name, mode, failures, seed, tuple(sorted(late))).events)


def test_the_schema_pins_the_detail_of_every_kind():
    schema = event_schema()
    pinned = {
        rule["if"]["properties"]["kind"]["const"]: rule["then"]["properties"]["detail"]["$ref"]
        for rule in schema["allOf"]
        if "const" in rule["if"]["properties"]["kind"]
    }
    assert pinned == {kind: f"#/$defs/{kind}" for kind in KINDS}
    for kind in KINDS:
        detail = schema["$defs"][kind]
        assert detail["additionalProperties"] is False, kind
        assert set(detail["required"]) <= set(detail["properties"]), kind


def test_the_schema_refuses_a_detail_with_a_field_missing_extra_or_of_the_wrong_type():
    check = validator()
    for kind, events in sweep().items():
        sample = max(events, key=lambda e: len(e["detail"]))  # e.g. a drop with its reason
        assert not list(check.iter_errors(sample)), kind
        extra = copy.deepcopy(sample)
        extra["detail"]["unexpected"] = 1
        assert list(check.iter_errors(extra)), f"{kind} accepts an unknown detail field"
        for field in event_schema()["$defs"][kind]["required"]:
            missing = copy.deepcopy(sample)
            del missing["detail"][field]
            assert list(check.iter_errors(missing)), f"{kind} accepts a detail without {field}"
            wrong = copy.deepcopy(sample)
            wrong["detail"][field] = {"not": "this"}
            assert list(check.iter_errors(wrong)), f"{kind} accepts any type of {field}"


def test_only_service_events_emits():
    """Events are built in one module: no other engine module calls `emit` itself."""
    emitters = set()
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "emit"):
                emitters.add(path.relative_to(ENGINE).as_posix())
    # A Temporal run's events are mapped from the history Temporal recorded (detail.temporal
    # names each original event), not emitted by the engine; the same schema checks them.
    assert emitters - {"temporal/history_map.py"} == {"service_events.py"}

