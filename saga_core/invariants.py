"""The saga invariants, checked at the end of every run. A violation means the engine is wrong."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from .errors import InvariantViolation
from .events import TERMINAL_KINDS

if TYPE_CHECKING:
    from .definition import Saga
    from .events import Event
    from .world import World


def check_invariants(saga: Saga, mode: str, world: World, events: list[Event]) -> str:
    """Return the outcome ("completed" | "compensated") or raise, naming what broke."""
    problems: list[str] = []
    terminals: list[str] = []
    committed: set[str | None] = set()
    published: Counter[str] = Counter()
    expected_seq, last_t = 1, 0
    for e in events:  # one pass: this runs at the end of every run
        if e.seq != expected_seq:
            problems.append("event seq numbers are not 1, 2, 3… without gaps")
        if e.t_ms < last_t:
            problems.append("virtual time went backwards")
        expected_seq, last_t = e.seq + 1, e.t_ms
        kind = e.kind
        if kind in TERMINAL_KINDS:
            terminals.append(kind)
        elif kind == "step.succeeded":
            committed.add(e.step)
        elif kind == "message.published":
            published[e.detail["name"]] += 1
    if len(terminals) != 1:
        raise InvariantViolation(
            f"a run must end exactly once, but it ended {len(terminals)} times"
        )
    outcome = TERMINAL_KINDS[terminals[0]]

    applies = [s for op, s in world.log if op == "apply"]
    undos = [s for op, s in world.log if op == "undo"]
    if len(set(applies)) != len(applies):
        for step, n in Counter(applies).items():
            if n > 1:
                problems.append(f"step {step} was applied {n} times (charged twice?)")
    if len(set(undos)) != len(undos):
        for step, n in Counter(undos).items():
            if n > 1:
                problems.append(f"step {step} was undone {n} times")
    first = saga.steps[0]
    records = world[first.service].records
    if outcome == "completed":
        missing = [s.name for s in saga.steps if s.name not in applies]
        if missing:
            problems.append(f"the saga completed but {', '.join(missing)} never took effect")
        if undos:
            problems.append(f"the saga completed but {', '.join(undos)} were undone")
        if saga.completion and saga.completion.record:
            key, status = saga.completion.record
            if records.get(key) != status:
                problems.append(f"the saga completed but {key} is {records.get(key)}, not {status}")
    else:
        if sorted(undos) != sorted(applies):
            problems.append(
                f"compensated, but applied {applies} and undid {undos}: every committed effect "
                "must be undone exactly once"
            )
        elif undos != list(reversed(applies)):
            problems.append(f"compensations ran as {undos}, not in reverse order of {applies}")
        if first.name in applies and first.compensate and first.compensate.record:
            key, status = first.compensate.record
            if records.get(key) != status:
                problems.append(f"compensated but {key} is {records.get(key)}, not {status}")
    for name, service in world.services.items():
        before = sum(world.opening.get(name, {}).values())
        after = sum(service.accounts.values())
        if before != after:
            problems.append(f"{name} is not conserved: {before} before, {after} after")
        if any(v < 0 for v in service.accounts.values()):
            problems.append(f"{name} has a negative balance: {service.accounts}")
    if committed != set(applies):
        problems.append(f"events say {sorted(committed)} committed, the services say {applies}")
    if mode == "hybrid":
        for event, subscribers in saga.side_subscribers.items():
            for sub in subscribers:
                got = world[sub].received.count(event)
                if got != published.get(event, 0):
                    problems.append(
                        f"{sub} consumed {event} {got} times; it was published "
                        f"{published.get(event, 0)} times"
                    )
    if problems:
        raise InvariantViolation("; ".join(problems))
    return outcome
