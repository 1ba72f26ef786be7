"""Exports of a saga definition (BPMN 2.0, Amazon States Language, Mermaid, JSON) and of one run
(a Mermaid sequence diagram, the JSON history).

Definitions go extract → model → render: `saga_flow` extracts the orchestration once and each
renderer draws that one model, so the exports agree with each other and with the engine.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..errors import InvalidRequest
from ..scenarios.files import scenario_to_dict
from .asl import asl_definition, render_asl
from .bpmn import render_bpmn
from .bpmn_camunda import render_camunda_bpmn
from .mermaid import render_event_flowchart, render_flowchart, render_sequence
from .model import FlowEdge, FlowNode, SagaFlow, saga_flow
from .temporal_code import render_temporal

if TYPE_CHECKING:
    from ..definition import Saga
    from ..run import Run

DEFINITION_FORMATS = ("bpmn", "asl", "mermaid", "json", "temporal")
BPMN_FLAVORS = ("explicit", "camunda")
RUN_FORMATS = ("mermaid", "json")
VIEWS = ("orchestration", "choreography")

__all__ = [
    "BPMN_FLAVORS",
    "DEFINITION_FORMATS",
    "RUN_FORMATS",
    "VIEWS",
    "FlowEdge",
    "FlowNode",
    "SagaFlow",
    "asl_definition",
    "export_run",
    "export_saga",
    "render_asl",
    "render_bpmn",
    "render_event_flowchart",
    "render_flowchart",
    "render_sequence",
    "run_history",
    "saga_flow",
]


def export_saga(saga: Saga, fmt: str, view: str = "orchestration",
                flavor: str = "explicit") -> str:
    """A definition as text: `bpmn` (of a flavor), `asl`, `mermaid` (flowchart of `view`),
    `json` or `temporal` (a Python Temporal module)."""
    if flavor not in BPMN_FLAVORS or (flavor != "explicit" and fmt != "bpmn"):
        raise InvalidRequest(f"a BPMN flavor is one of {', '.join(BPMN_FLAVORS)}, and only "
                             f"bpmn has flavors (not {fmt} with {flavor!r})")
    if fmt not in DEFINITION_FORMATS:
        raise InvalidRequest(
            f"unknown export format {fmt!r}; valid formats: {', '.join(DEFINITION_FORMATS)}"
        )
    if view not in VIEWS:
        raise InvalidRequest(f"unknown view {view!r}; valid views: {', '.join(VIEWS)}")
    if view == "choreography" and fmt != "mermaid":
        raise InvalidRequest(
            f"the choreography view is a Mermaid flowchart; {fmt} exports the orchestration"
        )
    if fmt == "json":
        return json.dumps(scenario_to_dict(saga), indent=2, ensure_ascii=False) + "\n"
    if fmt == "mermaid" and view == "choreography":
        return render_event_flowchart(saga)
    if fmt == "temporal":
        return render_temporal(saga)
    flow = saga_flow(saga)
    if fmt == "bpmn" and flavor == "camunda":
        return render_camunda_bpmn(flow)
    renderers = {"bpmn": render_bpmn, "asl": render_asl, "mermaid": render_flowchart}
    return renderers[fmt](flow)


def run_history(run: Run) -> dict:
    """A run as one JSON document: what was run, how it ended, and every event on the wire."""
    record = run.record
    return {
        "run_id": run.run_id,
        "scenario": record.scenario,
        "saga": run.saga.name,
        "mode": run.mode,
        "seed": run.seed,
        "failures": [str(spec) for spec in run.specs],
        "outcome": run.outcome,
        "events": [event.to_dict() for event in run.events],
    }


def export_run(run: Run, fmt: str) -> str:
    """A run as text: `mermaid` (sequence diagram) or `json` (its history)."""
    if fmt not in RUN_FORMATS:
        raise InvalidRequest(
            f"a run exports as {' or '.join(RUN_FORMATS)}, not {fmt!r}; "
            "drop --trace to export the definition"
        )
    if fmt == "mermaid":
        return render_sequence(run.saga, run.events)
    return json.dumps(run_history(run), indent=2, ensure_ascii=False) + "\n"
