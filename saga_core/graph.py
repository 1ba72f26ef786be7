"""Flow graphs built with networkx.

In choreography the global flow "exists nowhere in code": each service only knows which events it
subscribes to. `choreography_graph` derives the flow from those subscriptions alone and
`validate_choreography` proves it sound (every failure has a handler, no dead ends, no cycles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from .errors import InvalidDefinition

if TYPE_CHECKING:
    from .definition import Saga


@dataclass(frozen=True, slots=True)
class Handler:
    """What a service does when an event reaches it: do a step, undo one, or complete."""

    service: str
    kind: str  # "do" | "undo" | "complete"
    step: int  # step index (the first step for "complete")


def subscriptions(saga: Saga) -> dict[str, Handler]:
    """Event name → the one handler subscribed to it, derived from the step order."""
    steps = saga.steps
    subs: dict[str, Handler] = {saga.start_message: Handler(steps[0].service, "do", 0)}
    for i, step in enumerate(steps):
        ev = step.event_names()
        if i + 1 < len(steps):
            subs[ev.succeeded] = Handler(steps[i + 1].service, "do", i + 1)
        elif saga.completion is not None:
            subs[ev.succeeded] = Handler(steps[0].service, "complete", 0)
        if i > 0:
            subs[ev.failed] = Handler(steps[i - 1].service, "undo", i - 1)
            if i + 1 < len(steps):
                subs[ev.compensated] = Handler(steps[i - 1].service, "undo", i - 1)
    return subs


def terminal_events(saga: Saga) -> dict[str, str]:
    """Events nobody consumes, and the outcome each one means."""
    first = saga.steps[0].event_names()
    last = saga.steps[-1].event_names()
    ends = {first.failed: "compensated", first.compensated: "compensated"}
    if saga.completion is not None:
        ends[saga.completion.event] = "completed"
    else:
        ends[last.succeeded] = "completed"
    return ends


def handler_outputs(saga: Saga, handler: Handler) -> list[str]:
    """Events a handler may publish."""
    step = saga.steps[handler.step]
    ev = step.event_names()
    if handler.kind == "do":
        return [ev.succeeded, ev.failed]
    if handler.kind == "undo":
        return [ev.compensated]
    assert saga.completion is not None
    return [saga.completion.event]


def handler_label(saga: Saga, handler: Handler) -> str:
    step = saga.steps[handler.step]
    if handler.kind == "do":
        name = step.action.name
    elif handler.kind == "undo":
        name = step.compensate.name if step.compensate else f"undo_{step.name}"
    else:
        name = "complete"
    return f"{handler.service}.{name}"


def choreography_graph(saga: Saga) -> nx.DiGraph:
    """Events as nodes; an edge A → B when the subscriber of A may publish B."""
    graph = nx.DiGraph()
    publisher = {saga.start_message: "client"}
    for i, step in enumerate(saga.steps):
        ev = step.event_names()
        # Nothing runs after the last step, so its compensation is never triggered.
        names = (
            (ev.succeeded, ev.failed)
            if i == len(saga.steps) - 1
            else (ev.succeeded, ev.failed, ev.compensated)
        )
        for name in names:
            publisher[name] = step.service
    if saga.completion is not None:
        publisher[saga.completion.event] = saga.steps[0].service
    ends = terminal_events(saga)
    for name, source in publisher.items():
        graph.add_node(name, publisher=source, outcome=ends.get(name))
    for event, handler in subscriptions(saga).items():
        for out in handler_outputs(saga, handler):
            graph.add_edge(
                event,
                out,
                service=handler.service,
                handler=handler_label(saga, handler),
                kind=handler.kind,
            )
    return graph


def validate_choreography(saga: Saga, graph: nx.DiGraph) -> None:
    """Reject a flow with a cycle, a dead end, an unhandled failure or an unreachable event."""
    where = f"the choreography of saga {saga.name!r}"
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " → ".join(a for a, _ in nx.find_cycle(graph))
        raise InvalidDefinition(f"{where} has a cycle: {cycle}")
    ends = terminal_events(saga)
    for node in graph.nodes:
        if graph.out_degree(node) == 0 and node not in ends:
            raise InvalidDefinition(f"{where} has a dead end: nobody handles {node!r}")
    for step in saga.steps[1:]:
        failed = step.event_names().failed
        if graph.out_degree(failed) == 0:
            raise InvalidDefinition(f"{where}: failure event {failed!r} has no handler")
    reachable = nx.descendants(graph, saga.start_message) | {saga.start_message}
    for node in graph.nodes:
        if node not in reachable:
            raise InvalidDefinition(f"{where}: event {node!r} can never be published")


def orchestration_graph(saga: Saga) -> nx.DiGraph:
    """Steps forward, compensations backward: the orchestrator's state machine."""
    graph = nx.DiGraph()
    names = saga.step_names
    graph.add_node("start")
    graph.add_node("completed", outcome="completed")
    graph.add_node("compensated", outcome="compensated")
    previous = "start"
    for i, name in enumerate(names):
        graph.add_edge(previous, name, kind="next")
        undo_from = f"undo:{names[i - 1]}" if i > 0 else "compensated"
        graph.add_edge(name, undo_from, kind="failed")
        if i > 0:
            target = f"undo:{names[i - 2]}" if i > 1 else "compensated"
            graph.add_edge(f"undo:{names[i - 1]}", target, kind="compensated")
        previous = name
    graph.add_edge(previous, "completed", kind="next")
    return graph


def flow_payload(saga: Saga) -> dict:
    """The derived choreography flow as plain JSON for the browser and exports."""
    graph = saga.flow
    return {
        "nodes": [
            {"id": n, "publisher": d["publisher"], "outcome": d["outcome"]}
            for n, d in graph.nodes(data=True)
        ],
        "edges": [
            {"source": a, "target": b, "label": d["handler"], "service": d["service"]}
            for a, b, d in graph.edges(data=True)
        ],
    }
