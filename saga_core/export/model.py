"""The orchestration flow as a renderer-neutral model: extract once, render many ways.

`saga_flow` reads the orchestrator's state machine (`graph.orchestration_graph`, the same graph the
engine's state machine follows) and the definition's details into plain nodes and edges. BPMN, ASL
and Mermaid each render this one model, so the three exports cannot disagree about the flow:
forward through the steps, and on a failure of step i backward through the compensations of
steps i-1 … 0, newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import InvalidDefinition
from ..graph import orchestration_graph

if TYPE_CHECKING:
    from ..definition import Saga, Step

START, COMPLETE, COMPLETED, COMPENSATED = "start", "complete", "saga_completed", "saga_compensated"


@dataclass(frozen=True, slots=True)
class FlowNode:
    """One state of the flow. `kind` is start, step, undo, complete, completed or compensated."""

    id: str
    kind: str
    label: str
    service: str | None = None
    step: Step | None = None


@dataclass(frozen=True, slots=True)
class FlowEdge:
    """A transition. `kind` is next (forward), failed (enters compensation) or compensated."""

    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class SagaFlow:
    """The whole orchestration: steps in order, compensations newest first, two ends."""

    saga: Saga
    nodes: dict[str, FlowNode]
    edges: list[FlowEdge]

    @property
    def steps(self) -> list[FlowNode]:
        return [n for n in self.nodes.values() if n.kind == "step"]

    @property
    def compensations(self) -> list[FlowNode]:
        """Compensation states in the order the chain runs them (newest step first)."""
        return [n for n in self.nodes.values() if n.kind == "undo"]

    @property
    def completion(self) -> FlowNode | None:
        return self.nodes.get(COMPLETE)

    def after(self, node_id: str, kind: str) -> str | None:
        """Where `kind` leads from `node_id` (None when no such transition exists)."""
        for edge in self.edges:
            if edge.source == node_id and edge.kind == kind:
                return edge.target
        return None


def step_id(name: str) -> str:
    return f"step_{_word(name)}"


def undo_id(name: str) -> str:
    return f"undo_{_word(name)}"


def _word(name: str) -> str:
    """Step names may hold '-'; ids in XML, ASL and Mermaid read best with '_' only."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def saga_flow(saga: Saga) -> SagaFlow:
    """Extract the flow model from the orchestrator's state-machine graph."""
    graph = orchestration_graph(saga)
    ids = {"start": START, "completed": COMPLETED, "compensated": COMPENSATED}
    for step in saga.steps:
        ids[step.name] = step_id(step.name)
        ids[f"undo:{step.name}"] = undo_id(step.name)
    _check_unique(saga, ids)

    nodes: dict[str, FlowNode] = {START: FlowNode(START, "start", f"{saga.start_message}")}
    for step in saga.steps:
        nodes[step_id(step.name)] = FlowNode(
            step_id(step.name), "step", step.action.name, step.service, step
        )
    undo_nodes = [n for n in graph.nodes if n.startswith("undo:")]
    for step in reversed(saga.steps):
        if f"undo:{step.name}" in undo_nodes:
            assert step.compensate is not None
            nodes[undo_id(step.name)] = FlowNode(
                undo_id(step.name), "undo", step.compensate.name, step.service, step
            )
    if saga.completion is not None:
        nodes[COMPLETE] = FlowNode(COMPLETE, "complete", "complete", saga.steps[0].service)
    nodes[COMPLETED] = FlowNode(COMPLETED, "completed", "saga completed")
    nodes[COMPENSATED] = FlowNode(COMPENSATED, "compensated", "saga compensated")

    edges: list[FlowEdge] = []
    last_step = saga.steps[-1].name
    for source, target, data in graph.edges(data=True):
        if source == last_step and target == "completed" and saga.completion is not None:
            edges.append(FlowEdge(ids[source], COMPLETE, "next"))
            edges.append(FlowEdge(COMPLETE, COMPLETED, "next"))
        else:
            edges.append(FlowEdge(ids[source], ids[target], data["kind"]))
    return SagaFlow(saga, nodes, edges)


def _check_unique(saga: Saga, ids: dict[str, str]) -> None:
    seen: dict[str, str] = {}
    for name, node_id in ids.items():
        if node_id in seen:
            raise InvalidDefinition(
                f"saga {saga.name!r}: {seen[node_id]!r} and {name!r} export to the same id "
                f"{node_id!r}; rename one of the steps"
            )
        seen[node_id] = name
