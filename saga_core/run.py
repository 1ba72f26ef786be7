"""A saga run: step it one transition at a time, inject failures between transitions, or run it to
the end. Every event is appended to the history store before the next transition runs; a
durable store (`commits_per_transition`) gets each transition's events in one `append`, which it
commits together with the services' state (see `store.sqlite`).

Crash and recovery: when the coordinator crashes, everything it held in memory (the simulation:
agenda, timers, RNG, its state machine) is thrown away. Recovery rebuilds it from the history
alone by replaying: the same definition re-executes against a scratch copy of the services, each
produced event is checked against the recorded one, and at the end the scratch services must
equal the real ones. No committed step runs again on the real services.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable

from . import service_events
from .choreography import Choreography
from .definition import Saga
from .errors import InvalidRequest, ReplayDivergence, SagaDidNotTerminate
from .events import Event
from .failures import FAILURE_KINDS, FailurePlan, FailureSpec, parse_failure
from .hybrid import Hybrid
from .invariants import check_invariants
from .orchestrator import Orchestrator
from .simulation import Simulation
from .store import HistoryStore, MemoryHistory, RunRecord
from .world import World

MODES = ("orchestration", "choreography", "hybrid")
COORDINATORS = {"orchestration": Orchestrator, "choreography": Choreography, "hybrid": Hybrid}
DEFAULT_MAX_TRANSITIONS = 20_000


def default_run_id(saga: str, mode: str, seed: int, failures: Iterable[str]) -> str:
    """Deterministic by default, so identical inputs give byte-identical events."""
    text = "|".join([saga, mode, str(seed), *failures])
    return "r-" + hashlib.sha256(text.encode()).hexdigest()[:10]


class Run:
    """One saga execution over a history store."""

    def __init__(
        self,
        saga: Saga,
        mode: str,
        *,
        seed: int = 0,
        failures: Iterable[str | FailureSpec] = (),
        run_id: str | None = None,
        store: HistoryStore | None = None,
        scenario: str | None = None,
        max_transitions: int = DEFAULT_MAX_TRANSITIONS,
        _resume: tuple[RunRecord, list[Event], World] | None = None,
    ) -> None:
        if mode not in MODES:
            raise InvalidRequest(f"unknown mode {mode!r}; valid modes: {', '.join(MODES)}")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise InvalidRequest(f"seed must be an integer, not {seed!r}")
        self.saga = saga
        self.mode = mode
        self.seed = seed
        self.specs = [
            f if isinstance(f, FailureSpec) else parse_failure(f, saga.step_names) for f in failures
        ]
        self.store: HistoryStore = store if store is not None else MemoryHistory()
        self._append = self.store.append
        self._commits_per_transition = self.store.commits_per_transition
        self.max_transitions = max_transitions
        self.last_replay_wall_ms: float | None = None
        self._checked = False
        failure_texts = [str(s) for s in self.specs]
        if _resume is None:
            self.run_id = run_id or default_run_id(saga.name, mode, seed, failure_texts)
            self.world = World.open(saga, side_subscribers=mode == "hybrid")
            self.events: list[Event] = []
            self.record = RunRecord(self.run_id, scenario or saga.name, mode, seed, failure_texts)
            self.store.create_run(self.record, self.world)
            self._bind_sink()
            self.sim = self._simulation(self.world, self._sink)
        else:
            self.record, recorded, self.world = _resume
            self.run_id = self.record.run_id
            self.events = list(recorded)
            self._bind_sink()
            self.sim = self._replay()
            self._checked = self.sim.idle
            if self._checked and self.record.status not in ("completed", "compensated"):
                self._finish()  # its process died between the last commit and the outcome

    @classmethod
    def resume(cls, saga: Saga, store: HistoryStore, run_id: str, **kwargs) -> Run:
        """Rebuild a run from its store: replay the history, then carry on live."""
        record, events, snapshot = store.load(run_id)
        return cls(
            saga,
            record.mode,
            seed=record.seed,
            failures=record.failures,
            store=store,
            _resume=(record, events, World.from_snapshot(snapshot)),
            **kwargs,
        )

    # -- driving ------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.sim.idle

    @property
    def outcome(self) -> str | None:
        return self.sim.outcome

    def step(self) -> list[Event]:
        """Advance exactly one transition (one that emits something) and return its events."""
        events = self.events
        start = len(events)
        while len(events) == start and not self.sim.idle:
            self._advance()
        if self.sim.idle and not self._checked:
            self._finish()
        return events[start:]

    def run_to_end(self) -> list[Event]:
        """Advance until nothing is left to do; return the events this produced."""
        start = len(self.events)
        while not self.sim.idle:
            self._advance()
        if not self._checked:
            self._finish()
        return self.events[start:]

    def _advance(self) -> None:
        sim = self.sim
        if sim.transitions >= self.max_transitions:
            raise SagaDidNotTerminate(
                f"run {self.run_id} did not finish within {self.max_transitions} transitions"
            )
        if sim.crashed and not self._rebuilt and sim.recovery_due:
            sim = self.sim = self._replay()
        self._rebuilt = False
        if not self._commits_per_transition:
            sim.advance()
            return
        # A durable store: one commit per transition, holding its events and the services' state.
        events = self.events
        start = len(events)
        sim.advance()
        if len(events) > start:
            self._append(self.run_id, events[start:], self.world)

    def _finish(self) -> None:
        self._checked = True
        outcome = check_invariants(self.saga, self.mode, self.world, self.events)
        self.store.set_status(self.run_id, outcome)

    def inject(self, failure: str | FailureSpec) -> Event:
        """Arm a failure between transitions; it is recorded in the history like any event."""
        spec = (
            failure
            if isinstance(failure, FailureSpec)
            else parse_failure(failure, self.saga.step_names)
        )
        if self.finished:
            raise InvalidRequest(
                f"run {self.run_id} has finished; start a new run to inject {spec}"
            )
        event = _inject(self.sim, spec)
        if self._commits_per_transition:
            self._append(self.run_id, [event], self.world)
        return event

    # -- internals ----------------------------------------------------------------------------
    _rebuilt = False

    def _simulation(self, world: World, sink) -> Simulation:
        sim = Simulation(
            self.saga, self.mode, self.seed, self.run_id, FailurePlan(self.specs), world, sink
        )
        coordinator = COORDINATORS[self.mode](sim)
        sim.at(0, coordinator.start, [str(s) for s in self.specs])
        return sim

    def _bind_sink(self) -> None:
        """Where emitted events go: straight into the run's list when that list is the record
        (memory) or when whole transitions are committed after they ran (durable stores)."""
        if self.store.share_events(self.run_id, self.events) or self._commits_per_transition:
            self._sink = self.events.append
        else:
            self._sink = self._record_event

    def _record_event(self, event: Event) -> None:
        self.events.append(event)
        self._append(self.run_id, [event], self.world)

    def _replay(self) -> Simulation:
        """Rebuild the simulation from the recorded events alone, then adopt the real services."""
        began = time.perf_counter()
        recorded = self.events
        shadow = World.open(self.saga, side_subscribers=self.mode == "hybrid")
        produced = 0

        def check(event: Event) -> None:
            nonlocal produced
            if produced >= len(recorded) or recorded[produced] != event:
                want = recorded[produced] if produced < len(recorded) else "nothing"
                raise ReplayDivergence(
                    f"replaying run {self.run_id}: event {produced + 1} should be {want!r}, "
                    f"the definition produced {event!r}"
                )
            produced += 1

        sim = self._simulation(shadow, check)
        while produced < len(recorded):
            upcoming = recorded[produced]
            if upcoming.kind == "failure.injected":
                sim.now = upcoming.t_ms
                _inject(sim, parse_failure(upcoming.detail["spec"], self.saga.step_names))
                continue
            if sim.idle:
                raise ReplayDivergence(
                    f"replaying run {self.run_id}: the definition stopped after {produced} of "
                    f"{len(recorded)} recorded events"
                )
            sim.advance()
        if shadow.snapshot()["services"] != self.world.snapshot()["services"]:
            raise ReplayDivergence(
                f"replaying run {self.run_id}: the history does not explain the services' state"
            )
        sim.world = self.world
        sim.sink = self._sink
        self._rebuilt = True
        self.last_replay_wall_ms = (time.perf_counter() - began) * 1000
        return sim


def _inject(sim: Simulation, spec: FailureSpec) -> Event:
    sim.plan.arm(spec)
    what = FAILURE_KINDS[spec.kind].describe(spec.count)
    return service_events.failure_injected(sim, spec.step, str(spec), what)
