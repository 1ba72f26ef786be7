"""Mermaid diagrams for docs: flowcharts of a definition and a sequence diagram of one run.

- `render_flowchart(flow)`: the orchestration (forward steps, failure edges, the reverse chain of
  compensations), from the same flow model as the BPMN and ASL exports.
- `render_event_flowchart(saga)`: the choreography as derived from the subscriptions: which
  event each service reacts to and what it publishes (the flow that exists nowhere in code).
- `render_sequence(saga, events)`: who said what to whom during one run, from its events.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..graph import flow_payload
from .model import SagaFlow

if TYPE_CHECKING:
    from ..definition import Saga, Step
    from ..events import Event

_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KEYWORDS = {
    "end", "loop", "alt", "opt", "par", "and", "else", "rect", "note", "participant", "actor",
    "activate", "deactivate", "autonumber", "title", "critical", "break", "box", "option",
    "create", "destroy", "links", "link", "properties", "details", "graph", "flowchart",
    "subgraph", "class", "classdef", "style", "click", "direction", "default", "linkstyle",
}


_ENTITIES = {"#": "#35;", ";": "#59;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "\n": " "}
_SPECIAL = re.compile("[#;\"<>\n]")


def text(value: object) -> str:
    """Text safe inside a Mermaid label or message (entity codes for what Mermaid parses)."""
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group()], str(value))


def _front_matter(title: str) -> list[str]:
    """Mermaid's YAML front matter; a JSON string is a valid YAML scalar whatever it holds.

    Mermaid sanitises a title as HTML and escapes it twice, so markup characters are replaced
    by look-alikes rather than entity codes."""
    plain = title.replace("&", "and").replace("<", "‹").replace(">", "›")
    return ["---", f"title: {json.dumps(plain, ensure_ascii=False)}", "---"]


def _node_id(raw: str) -> str:
    word = re.sub(r"[^A-Za-z0-9_]", "_", raw)
    if not _WORD.match(word) or word.lower() in _KEYWORDS:
        word = f"n_{word}"
    return word


def render_flowchart(flow: SagaFlow) -> str:
    """The orchestration as a Mermaid flowchart: steps left to right, compensations below."""
    saga = flow.saga
    lines = [*_front_matter(f"{saga.title or saga.name} (orchestration)"), "flowchart LR"]
    for node in flow.nodes.values():
        if node.kind in ("start", "completed", "compensated"):
            lines.append(f'  {node.id}(["{text(node.label)}"])')
        elif node.kind == "step":
            step = node.step
            retry = (f"<br/>up to {step.retry.max_attempts} attempts"
                     if step.retry.max_attempts > 1 else "")
            lines.append(f'  {node.id}["{text(node.label)}<br/><small>{text(node.service)}'
                         f"</small>{retry}\"]")
        else:
            lines.append(f'  {node.id}["{text(node.label)}<br/><small>{text(node.service)}'
                         '</small>"]')
    for edge in flow.edges:
        if edge.kind == "failed":
            failed = flow.nodes[edge.source].step.event_names().failed
            lines.append(f"  {edge.source} -.->|{text(failed)}| {edge.target}")
        elif edge.kind == "compensated":
            lines.append(f"  {edge.source} ==> {edge.target}")
        else:
            lines.append(f"  {edge.source} --> {edge.target}")
    undo = [n.id for n in flow.compensations]
    lines += [
        "  classDef undo fill:#fdecea,stroke:#c0392b,color:#611a15",
        "  classDef done fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20",
        "  classDef failed fill:#fdecea,stroke:#c0392b,color:#611a15",
    ]
    if undo:
        lines.append(f"  class {','.join(undo)} undo")
    lines += ["  class saga_completed done", "  class saga_compensated failed"]
    return "\n".join(lines) + "\n"


def render_event_flowchart(saga: Saga) -> str:
    """The choreography's derived event flow: events as nodes, each edge a service's handler."""
    payload = flow_payload(saga)
    ids = {node["id"]: _node_id(f"ev_{node['id']}") for node in payload["nodes"]}
    lines = [*_front_matter(f"{saga.title or saga.name} (choreography event flow)"),
             "flowchart TD"]
    for node in payload["nodes"]:
        shape = ('(["{}"])' if node["outcome"] or node["publisher"] == "client" else '["{}"]')
        lines.append(f"  {ids[node['id']]}{shape.format(text(node['id']))}")
    for edge in payload["edges"]:
        lines.append(f"  {ids[edge['source']]} -->|{text(edge['label'])}| {ids[edge['target']]}")
    done = [ids[n["id"]] for n in payload["nodes"] if n["outcome"] == "completed"]
    undone = [ids[n["id"]] for n in payload["nodes"] if n["outcome"] == "compensated"]
    lines += [
        "  classDef done fill:#e8f5e9,stroke:#2e7d32,color:#1b5e20",
        "  classDef failed fill:#fdecea,stroke:#c0392b,color:#611a15",
    ]
    if done:
        lines.append(f"  class {','.join(done)} done")
    if undone:
        lines.append(f"  class {','.join(undone)} failed")
    return "\n".join(lines) + "\n"


class _Sequence:
    """Builds the lines of a sequence diagram, declaring each participant once, in order."""

    def __init__(self, participants: Iterable[str]) -> None:
        self.order: list[str] = []
        self.body: list[str] = []
        for name in participants:
            self.participant(name)

    def participant(self, name: str) -> str:
        if name not in self.order:
            self.order.append(name)
        return _node_id(name)

    def arrow(self, source: str, arrow: str, target: str, label: str) -> None:
        a, b = self.participant(source), self.participant(target)
        self.body.append(f"  {a}{arrow}{b}: {text(label)}")

    def note(self, over: list[str], label: str) -> None:
        ids = [self.participant(name) for name in over]
        where = f"over {ids[0]}" if len(ids) == 1 or ids[0] == ids[-1] else (
            f"over {ids[0]},{ids[-1]}")
        self.body.append(f"  Note {where}: {text(label)}")

    def lines(self, title: str) -> list[str]:
        head = [*_front_matter(title), "sequenceDiagram"]
        for name in self.order:
            ident = _node_id(name)
            head.append(f"  participant {ident}" if ident == name else
                        f"  participant {ident} as {text(name)}")
        return head + self.body


def render_sequence(saga: Saga, events: list[Event]) -> str:
    """One run as a Mermaid sequence diagram: calls and replies, messages, notes for the rest."""
    if not events:
        raise ValueError("a run with no events has no sequence diagram")
    mode = events[0].mode
    hub = "client" if mode == "choreography" else "orchestrator"
    side = saga.all_side_subscribers() if mode == "hybrid" else []
    seq = _Sequence([hub, *saga.all_services(), *side])
    everyone = [seq.order[0], seq.order[-1]]
    for event in events:
        _draw(seq, saga, event, hub, everyone)
    failures = ", ".join(events[0].detail.get("failures", [])) or "no failures"
    title = f"{saga.title or saga.name}: {mode}, {failures}, seed {events[0].detail.get('seed')}"
    return "\n".join(seq.lines(title)) + "\n"


def _draw(seq: _Sequence, saga: Saga, event: Event, hub: str, everyone: list[str]) -> None:
    family = event.kind.partition(".")[0]
    step = saga.step(event.step) if event.step else None
    service = event.detail.get("service") or (step.service if step else event.actor)
    if family in ("step", "compensation"):
        assert step is not None
        _draw_step(seq, step, service, event, hub)
    elif family == "message":
        _draw_message(seq, event)
    else:
        _draw_note(seq, saga, service, event, everyone)


def _draw_step(seq: _Sequence, step: Step, service: str, event: Event, hub: str) -> None:
    """A local transaction: calls and replies with an orchestrator, notes without one."""
    kind, d = event.kind, event.detail
    attempt = f" (attempt {d['attempt']})" if d.get("attempt", 1) > 1 else ""
    if kind in ("step.started", "compensation.started"):
        action = step.action if kind == "step.started" else step.compensate
        if event.actor == hub:
            seq.arrow(hub, "->>", service, f"{action.name}{attempt}")
        elif attempt:  # a consumer's first attempt shows up as its outcome note
            seq.note([service], f"{action.name}{attempt}")
    elif kind in ("step.succeeded", "compensation.succeeded"):
        what = "committed" if kind == "step.succeeded" else "undone"
        if hub == "orchestrator":
            seq.arrow(service, "-->>", hub, f"{event.step} {what}")
        else:
            action = step.action if kind == "step.succeeded" else step.compensate
            seq.note([service], f"{action.name}: {event.step} {what}")
    elif kind in ("step.failed", "compensation.failed"):
        what = "failed" if kind == "step.failed" else "compensation failed"
        label = f"{event.step} {what}: {d.get('error', '')}"
        if hub == "orchestrator":
            seq.arrow(service, "--x", hub, label)
        else:
            seq.note([service], label)
    elif kind == "step.timed_out":
        seq.note([hub, service] if hub == "orchestrator" else [service],
                 f"{event.step} timed out after {d['timeout_ms']} ms")
    elif kind in ("step.retry_scheduled", "compensation.retry_scheduled"):
        who = hub if event.actor == hub else service
        seq.note([who], f"retry {event.step} in {d['delay_ms']} ms")


def _draw_message(seq: _Sequence, event: Event) -> None:
    """Deliveries as arrows; message.published adds nothing a delivery arrow does not show."""
    kind, d = event.kind, event.detail
    if kind == "message.delivered":
        again = " (again)" if d.get("delivery", 1) > 1 else ""
        arrow = "-->>" if d["target"] == "orchestrator" else "-)"
        seq.arrow(d["source"], arrow, d["target"], f"{d['name']}{again}")
    elif kind == "message.dropped":
        reason = d.get("reason", "lost")
        seq.arrow(d["source"], "-x", d["target"], f"{d['name']} ({reason})")
    elif kind == "message.duplicate_ignored":
        seq.note([d["target"]], f"duplicate {d['name']} ignored")


def _draw_note(seq: _Sequence, saga: Saga, service: str, event: Event,
               everyone: list[str]) -> None:
    """The saga's start and end, armed failures, crashes and recoveries: notes."""
    kind, d = event.kind, event.detail
    at = f"{event.t_ms} ms"
    if kind == "saga.started":
        seq.note(everyone, f"{at}: the {saga.name} saga starts")
    elif kind == "saga.completed":
        seq.note(everyone, f"{at}: saga completed")
    elif kind == "saga.compensated":
        seq.note(everyone, f"{at}: saga compensated")
    elif kind == "failure.injected":
        seq.note([service], f"failure armed: {d['spec']}")
    elif kind in ("orchestrator.crashed", "consumer.crashed"):
        seq.note([event.actor], f"{at}: crashed after {event.step}")
    elif kind == "orchestrator.recovered":
        seq.note([event.actor], f"recovered by replaying {d['replayed_events']} events")
    elif kind == "consumer.recovered":
        seq.note([event.actor], "restarted; publishes its outbox")
