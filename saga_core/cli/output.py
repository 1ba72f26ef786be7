"""What the engine's commands print, written once: the header line of a run, each event as an
aligned line a person can read (or one JSON line), the outcome line; and the exit status an
outcome gives.

Errors in what the user typed exit 2 with a sentence that lists the valid choices, never a
traceback; a saga that ends completed or compensated exits 0.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..events import Event
    from ..run import Run

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MARKS = {
    "saga.started": "▶",
    "step.started": "→",
    "step.succeeded": "✓",
    "step.failed": "✗",
    "step.timed_out": "⏱",
    "step.retry_scheduled": "↻",
    "compensation.started": "↶",
    "compensation.succeeded": "↺",
    "compensation.failed": "✗",
    "compensation.retry_scheduled": "↻",
    "message.published": "✉",
    "message.delivered": "⇢",
    "message.dropped": "⌫",
    "message.duplicate_ignored": "≡",
    "orchestrator.crashed": "☠",
    "orchestrator.recovered": "⟲",
    "consumer.crashed": "☠",
    "consumer.recovered": "⟲",
    "failure.injected": "⚡",
    "saga.completed": "■",
    "saga.compensated": "■",
}


def format_event(event: Event) -> str:
    """One aligned line a person can read: virtual time, actor, what happened."""
    mark = MARKS.get(event.kind, "·")
    return f"{event.t_ms:>7} ms  {event.actor:<17} {mark} {event.narration}"


def print_events(events: Sequence[Event], as_json: bool, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    for event in events:
        out.write((event.to_json() if as_json else format_event(event)) + "\n")
    out.flush()


def header(saga: str, mode: str, seed: int, failures: Iterable[str]) -> str:
    """The line above a trace: which saga, how it runs, what is armed."""
    return f"{saga} saga · {mode} · seed {seed} · failures: {', '.join(failures) or 'none'}"


def play_out(run: Run, as_json: bool) -> int:
    """Print each transition's events as it runs, then (as text) the outcome line; answers the
    exit status: 0 for a saga that ended completed or compensated, 1 otherwise."""
    while not run.finished:
        print_events(run.step(), as_json)
    if not as_json:
        last = run.events[-1]
        print(f"outcome: {run.outcome} after {last.t_ms} virtual ms and {len(run.events)} "
              "events; the saga invariants hold")
    return EXIT_OK if run.outcome in ("completed", "compensated") else EXIT_FAILED
