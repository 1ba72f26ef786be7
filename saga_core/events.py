"""The one wire format: an engine event and its dict/JSON form, used by CLI, REST, Socket.IO."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

KINDS: tuple[str, ...] = (
    "saga.started",
    "failure.injected",
    "step.started",
    "step.succeeded",
    "step.failed",
    "step.retry_scheduled",
    "step.timed_out",
    "compensation.started",
    "compensation.succeeded",
    "compensation.failed",
    "compensation.retry_scheduled",
    "message.published",
    "message.delivered",
    "message.dropped",
    "message.duplicate_ignored",
    "orchestrator.crashed",
    "orchestrator.recovered",
    "consumer.crashed",
    "consumer.recovered",
    "saga.completed",
    "saga.compensated",
)
TERMINAL_KINDS = {"saga.completed": "completed", "saga.compensated": "compensated"}
CRASH_KINDS = frozenset({"orchestrator.crashed", "consumer.crashed"})
"""After these the coordinator (or consumer) is gone until it is rebuilt or restarted."""
FIELDS = ("seq", "t_ms", "run_id", "mode", "kind", "actor", "step", "detail", "narration")


class Event:
    """One transition's observable output; immutable by convention, cheap to build."""

    __slots__ = FIELDS

    def __init__(
        self,
        seq: int,
        t_ms: int,
        run_id: str,
        mode: str,
        kind: str,
        actor: str,
        step: str | None,
        detail: dict[str, Any],
        narration: str,
    ) -> None:
        self.seq = seq
        self.t_ms = t_ms
        self.run_id = run_id
        self.mode = mode
        self.kind = kind
        self.actor = actor
        self.step = step
        self.detail = detail
        self.narration = narration

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "t_ms": self.t_ms,
            "run_id": self.run_id,
            "mode": self.mode,
            "kind": self.kind,
            "actor": self.actor,
            "step": self.step,
            "detail": self.detail,
            "narration": self.narration,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        return cls(*(data[f] for f in FIELDS))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking value object: not hashable

    def __repr__(self) -> str:
        return f"Event({self.seq} {self.t_ms}ms {self.kind} {self.actor} {self.step})"


@cache
def event_schema() -> dict[str, Any]:
    """The JSON Schema every event satisfies (shipped as saga_core/event.schema.json)."""
    text = resources.files("saga_core").joinpath("event.schema.json").read_text("utf-8")
    return json.loads(text)
