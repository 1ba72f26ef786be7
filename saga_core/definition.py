"""The saga definition API: a saga reads top to bottom like its flow.

    Saga("checkout", [
        Step("order", "OrderService", create_order, compensate=cancel_order),
        Step("payment", "PaymentService", charge_card, compensate=refund_payment,
             retry=RetryPolicy(max_attempts=3)),
        ...
    ], services={...}, completion=complete_order)

Actions are data (which accounts move how much, which record changes), so one definition drives
all three modes, the invariants and the exports. A bad definition is rejected when it is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .errors import InvalidDefinition
from .narrate import StepSentences, step_sentences
from .retry import RetryPolicy

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Move:
    """Moves `amount` of a conserved quantity between two accounts of one service's own state."""

    source: str
    target: str
    amount: int


@dataclass(frozen=True, slots=True)
class Action:
    """A verb-named local transaction of one service.

    `text` is the infinitive a narration uses ("charge $42.00 to card c-1"); the undo of an action
    always reverses its moves, so money and stock are conserved by construction.
    """

    name: str
    text: str
    moves: tuple[Move, ...] = ()
    record: tuple[str, str] | None = None
    """(record key, status) the action writes, e.g. ("o-1", "PENDING")."""


@dataclass(frozen=True, slots=True)
class Completion:
    """What the first service does when every step has committed (e.g. order COMPLETE)."""

    text: str
    record: tuple[str, str] | None = None
    event: str = "SagaCompleted"


@dataclass(frozen=True, slots=True)
class StepEvents:
    """Domain events a step's service publishes (choreography and hybrid)."""

    succeeded: str
    failed: str
    compensated: str


@dataclass(frozen=True)
class Step:
    """One local transaction of the saga, with its compensation and retry policy."""

    name: str
    service: str
    action: Action
    compensate: Action | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout_ms: int = 1_000
    latency_ms: tuple[int, int] = (20, 80)
    failure_reason: str = "the request was rejected"
    events: StepEvents | None = None

    @cached_property
    def sentences(self) -> StepSentences:
        """Narrations that depend only on this step (see `narrate.step_sentences`)."""
        return step_sentences(self)

    def event_names(self) -> StepEvents:
        if self.events is not None:
            return self.events
        title = "".join(part.capitalize() for part in re.split(r"[_-]", self.name))
        return StepEvents(f"{title}Succeeded", f"{title}Failed", f"{title}Compensated")


@dataclass(frozen=True)
class Timing:
    """Virtual latencies in ms (ranges are drawn from the run's seeded RNG)."""

    bus_hop_ms: tuple[int, int] = (10, 50)
    decision_ms: tuple[int, int] = (5, 20)
    ack_timeout_ms: int = 500
    restart_ms: int = 300


@dataclass(frozen=True)
class Saga:
    """A whole saga definition; validated when built."""

    name: str
    steps: list[Step]
    services: dict[str, dict[str, int]] = field(default_factory=dict)
    """Each service's own database: its accounts and their opening balances."""
    completion: Completion | None = None
    title: str = ""
    subject: str = "the saga"
    start_message: str = "StartSaga"
    side_subscribers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Hybrid mode: domain event name → subscribers that consume it off the critical path."""
    timing: Timing = field(default_factory=Timing)
    description: str = ""

    def __post_init__(self) -> None:
        _validate(self)
        from .graph import choreography_graph, validate_choreography

        object.__setattr__(self, "_flow", choreography_graph(self))
        validate_choreography(self, self._flow)  # type: ignore[attr-defined]

    @property
    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    @property
    def flow(self):
        """The choreography flow graph derived from the subscriptions (a networkx DiGraph)."""
        return self._flow  # type: ignore[attr-defined]

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    def index(self, name: str) -> int:
        return self.step_names.index(name)

    @cached_property
    def _service_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.service for s in self.steps))

    @cached_property
    def _side_subscriber_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(sub for subs in self.side_subscribers.values() for sub in subs))

    def all_services(self) -> list[str]:
        return list(self._service_names)

    def all_side_subscribers(self) -> list[str]:
        return list(self._side_subscriber_names)


def _validate(saga: Saga) -> None:
    where = f"saga {saga.name!r}"
    if not _NAME.match(saga.name or ""):
        raise InvalidDefinition(f"saga name {saga.name!r} must be a word (letters, digits, - or _)")
    if not saga.steps:
        raise InvalidDefinition(f"{where} has no steps; a saga needs at least one")
    names = [s.name for s in saga.steps]
    for dup in {n for n in names if names.count(n) > 1}:
        raise InvalidDefinition(f"{where} has two steps named {dup!r}; step names must be unique")
    for i, step in enumerate(saga.steps):
        _validate_step(saga, step, f"step {step.name!r} of {where}", pivot=i == len(saga.steps) - 1)
    _validate_events(saga, where)


def _validate_step(saga: Saga, step: Step, at: str, pivot: bool) -> None:
    if not _NAME.match(step.name):
        raise InvalidDefinition(f"{at}: a step name is a word (letters, digits, - or _)")
    if not isinstance(step.retry, RetryPolicy):
        raise InvalidDefinition(f"{at}: retry must be a RetryPolicy")
    low, high = step.latency_ms
    if not 0 <= low <= high:
        raise InvalidDefinition(
            f"{at}: latency_ms must be a range (low, high) with 0 ≤ low ≤ high"
        )
    if step.timeout_ms <= high:
        raise InvalidDefinition(
            f"{at}: its work takes up to {high} ms but its timeout is {step.timeout_ms} ms, "
            "so every attempt would time out; raise timeout_ms above the latency"
        )
    if step.compensate is None and not pivot:
        raise InvalidDefinition(
            f"{at} has no compensation; only the last step (the pivot) may go without one"
        )
    accounts = saga.services.get(step.service, {})
    for move in step.action.moves:
        for account in (move.source, move.target):
            if account not in accounts:
                raise InvalidDefinition(
                    f"{at} moves {account!r}, which is not an account of {step.service} "
                    f"(its accounts: {', '.join(accounts) or 'none'})"
                )
        if move.amount <= 0:
            raise InvalidDefinition(f"{at}: a move's amount must be positive")


def _validate_events(saga: Saga, where: str) -> None:
    """Every event name is used once; side subscribers listen only to events a step publishes."""
    event_names: list[str] = []
    for step in saga.steps:
        ev = step.event_names()
        event_names += [ev.succeeded, ev.failed, ev.compensated]
    if saga.completion is not None:
        event_names.append(saga.completion.event)
    event_names.append(saga.start_message)
    for dup in {n for n in event_names if event_names.count(n) > 1}:
        raise InvalidDefinition(
            f"{where} uses the event name {dup!r} twice; event names must be unique"
        )
    for event in saga.side_subscribers:
        if event not in event_names:
            raise InvalidDefinition(
                f"{where}: side subscribers listen to {event!r}, which no step publishes"
            )
