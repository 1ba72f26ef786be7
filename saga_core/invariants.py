"""The saga invariants, checked at the end of every run. A violation means the engine is wrong.

Each invariant is a named check; an `InvariantViolation` starts with the name of the first one
broken ("conserved: PaymentService is not conserved: …") and lists every problem found. The
events are read in one pass (this runs at the end of every run) into the facts the checks need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import InvariantViolation
from .events import TERMINAL_KINDS

if TYPE_CHECKING:
    from .definition import Saga
    from .events import Event
    from .world import World


@dataclass(slots=True)
class RunFacts:
    """A finished run as the invariants see it (not frozen: it is built once per run, and a
    frozen dataclass pays for each field it sets)."""

    saga: Saga
    mode: str
    world: World
    outcome: str
    seq_in_order: bool
    time_in_order: bool
    committed: set[str | None]
    """Steps the events say committed (`step.succeeded`)."""
    published: Counter[str]
    """How many times each message name was published."""
    applies: list[str]
    """Steps whose effect the services applied, in commit order."""
    undos: list[str]
    """Steps whose effect the services undid, in commit order."""


def ends_once(terminals: list[str]) -> list[str]:
    if len(terminals) != 1:
        return [f"a run must end exactly once, but it ended {len(terminals)} times"]
    return []


def ordered(facts: RunFacts) -> list[str]:
    problems = []
    if not facts.seq_in_order:
        problems.append("event seq numbers are not 1, 2, 3… without gaps")
    if not facts.time_in_order:
        problems.append("virtual time went backwards")
    return problems


def effects_once(facts: RunFacts) -> list[str]:
    """No effect is applied twice (no double charge), none undone twice."""
    problems = []
    for ops, verb, why in ((facts.applies, "applied", " (charged twice?)"),
                           (facts.undos, "undone", "")):
        if len(set(ops)) != len(ops):
            problems += [f"step {step} was {verb} {n} times{why}"
                         for step, n in Counter(ops).items() if n > 1]
    return problems


def completed_means_done(facts: RunFacts) -> list[str]:
    """A completed saga has every effect in place, nothing undone, its completion recorded."""
    if facts.outcome != "completed":
        return []
    saga, problems = facts.saga, []
    missing = [s.name for s in saga.steps if s.name not in facts.applies]
    if missing:
        problems.append(f"the saga completed but {', '.join(missing)} never took effect")
    if facts.undos:
        problems.append(f"the saga completed but {', '.join(facts.undos)} were undone")
    if saga.completion and saga.completion.record:
        key, status = saga.completion.record
        records = facts.world[saga.steps[0].service].records
        if records.get(key) != status:
            problems.append(f"the saga completed but {key} is {records.get(key)}, not {status}")
    return problems


def compensated_means_undone(facts: RunFacts) -> list[str]:
    """A compensated saga undid every committed effect exactly once, newest first."""
    if facts.outcome != "compensated":
        return []
    applies, undos, problems = facts.applies, facts.undos, []
    if sorted(undos) != sorted(applies):
        problems.append(
            f"compensated, but applied {applies} and undid {undos}: every committed effect "
            "must be undone exactly once"
        )
    elif undos != list(reversed(applies)):
        problems.append(f"compensations ran as {undos}, not in reverse order of {applies}")
    first = facts.saga.steps[0]
    if first.name in applies and first.compensate and first.compensate.record:
        key, status = first.compensate.record
        records = facts.world[first.service].records
        if records.get(key) != status:
            problems.append(f"compensated but {key} is {records.get(key)}, not {status}")
    return problems


def conserved(facts: RunFacts) -> list[str]:
    """Every service's quantities add up to what it opened with, and none is negative."""
    world, problems = facts.world, []
    for name, service in world.services.items():
        before = sum(world.opening.get(name, {}).values())
        after = sum(service.accounts.values())
        if before != after:
            problems.append(f"{name} is not conserved: {before} before, {after} after")
        if any(v < 0 for v in service.accounts.values()):
            problems.append(f"{name} has a negative balance: {service.accounts}")
    return problems


def events_match_effects(facts: RunFacts) -> list[str]:
    """The steps the events say committed are the steps the services applied."""
    if facts.committed != set(facts.applies):
        return [f"events say {sorted(facts.committed)} committed, the services say "
                f"{facts.applies}"]
    return []


def side_subscribers_once(facts: RunFacts) -> list[str]:
    """Hybrid: every side subscriber consumed each domain event exactly once per publication."""
    if facts.mode != "hybrid":
        return []
    problems = []
    for event, subscribers in facts.saga.side_subscribers.items():
        for sub in subscribers:
            got = facts.world[sub].received.count(event)
            if got != facts.published.get(event, 0):
                problems.append(f"{sub} consumed {event} {got} times; it was published "
                                f"{facts.published.get(event, 0)} times")
    return problems


INVARIANTS: dict[str, Callable[[RunFacts], list[str]]] = {
    "ordered": ordered,
    "effects-once": effects_once,
    "completed-means-done": completed_means_done,
    "compensated-means-undone": compensated_means_undone,
    "conserved": conserved,
    "events-match-effects": events_match_effects,
    "side-subscribers-once": side_subscribers_once,
}
"""Checked in this order, after `ends-once` (which the others need: it gives the outcome)."""


def check_invariants(saga: Saga, mode: str, world: World, events: list[Event]) -> str:
    """Return the outcome ("completed" | "compensated") or raise, naming what broke."""
    terminals: list[str] = []
    committed: set[str | None] = set()
    published: Counter[str] = Counter()
    seq_in_order = time_in_order = True
    expected_seq, last_t = 1, 0
    for e in events:  # one pass: this runs at the end of every run
        if e.seq != expected_seq:
            seq_in_order = False
        if e.t_ms < last_t:
            time_in_order = False
        expected_seq, last_t = e.seq + 1, e.t_ms
        kind = e.kind
        if kind in TERMINAL_KINDS:
            terminals.append(kind)
        elif kind == "step.succeeded":
            committed.add(e.step)
        elif kind == "message.published":
            published[e.detail["name"]] += 1
    if ended := ends_once(terminals):
        raise InvariantViolation(f"ends-once: {ended[0]}")
    facts = RunFacts(
        saga, mode, world, TERMINAL_KINDS[terminals[0]], seq_in_order, time_in_order, committed,
        published, [s for op, s in world.log if op == "apply"],
        [s for op, s in world.log if op == "undo"],
    )
    problems = [f"{name}: {problem}" for name, check in INVARIANTS.items()
                for problem in check(facts)]
    if problems:
        raise InvariantViolation("; ".join(problems))
    return facts.outcome
