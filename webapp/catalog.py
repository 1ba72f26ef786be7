"""What a client needs to build its menus: scenarios with their steps and flow, modes, failure
kinds and the speed range. Computed once per process: the built-in scenarios never change."""

from __future__ import annotations

from functools import cache
from typing import Any

from saga_core import FAILURE_KINDS, MODES, Saga, flow_payload, load_scenario, scenario_names

from .params import SPEEDS


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
        "failure_kind_info": [
            {"kind": k.name, "label": k.label, "summary": k.summary, "counted": k.counted,
             "modes": {mode: k.modes[mode] for mode in MODES}}
            for k in FAILURE_KINDS.values()
        ],
        "speeds": dict(SPEEDS),
    }
