"""What a client needs to build its menus: scenarios with their steps and flow, modes, failure
kinds (with their labels) and the speed range. Computed once per process: the built-in scenarios
never change."""

from __future__ import annotations

from functools import cache
from typing import Any

from saga_core import FAILURE_KINDS, MODES, Saga, flow_payload, load_scenario, scenario_names

from .params import SPEEDS


def failure_kind_info() -> list[dict[str, Any]]:
    """Every failure kind in the grammar's order: the label a menu shows, the engine's summary,
    whether its count N means something (fail, crash and duplicate happen once) and, per mode,
    what it does there (the summary, which holds in every mode)."""
    labels = {
        "fail": "fails for good (business error)",
        "transient": "fails, then succeeds on retry",
        "timeout": "times out",
        "compensate": "its undo fails, then succeeds on retry",
        "crash": "coordinator crashes right after it commits",
        "drop": "its event is lost, then redelivered",
        "duplicate": "its event is delivered twice",
    }
    counted = {"transient", "timeout", "compensate", "drop"}
    return [
        {
            "kind": kind,
            "label": labels[kind],
            "summary": summary,
            "counted": kind in counted,
            "modes": dict.fromkeys(MODES, summary),
        }
        for kind, summary in FAILURE_KINDS.items()
    ]


def scenario_payload(name: str, saga: Saga) -> dict[str, Any]:
    """One scenario by the name a client sends back (`scenario`), with its steps and flow."""
    return {
        "name": name,
        "title": saga.title or saga.name,
        "description": saga.description,
        "steps": [
            {
                "name": step.name,
                "service": step.service,
                "action": step.action.text,
                "compensation": step.compensate.text if step.compensate else None,
                "retry": step.retry.to_dict(),
                "timeout_ms": step.timeout_ms,
            }
            for step in saga.steps
        ],
        "services": saga.all_services(),
        "side_subscribers": {event: list(subs) for event, subs in saga.side_subscribers.items()},
        "flow": flow_payload(saga),
    }


@cache
def catalog() -> dict[str, Any]:
    """The `/api/scenarios` payload (also handed to the page as `config.scenarios`)."""
    return {
        "scenarios": [scenario_payload(name, load_scenario(name)) for name in scenario_names()],
        "modes": list(MODES),
        "failure_kinds": list(FAILURE_KINDS),
        "failure_kind_info": failure_kind_info(),
        "speeds": dict(SPEEDS),
    }
