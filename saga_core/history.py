"""Where a run's history lives. The engine appends every event before the next transition runs,
so a coordinator can always be rebuilt from the store alone.

`HistoryStore` is the interface; `MemoryHistory` keeps everything in this process (tests, and
runs that need no durability). A SQLite store with the same interface lives in `sqlite_history`.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .errors import HistoryError
from .events import Event

if TYPE_CHECKING:
    from .world import World


@dataclass
class RunRecord:
    """Everything needed to rebuild a run besides its events."""

    run_id: str
    scenario: str
    mode: str
    seed: int
    failures: list[str] = field(default_factory=list)
    status: str = "running"
    """running | completed | compensated | crashed"""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class HistoryStore(Protocol):
    def create_run(self, record: RunRecord, world: World) -> None: ...

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        """Record events and the services' state they leave behind, in one commit."""

    def events(self, run_id: str) -> list[Event]: ...

    def record(self, run_id: str) -> RunRecord: ...

    def world(self, run_id: str) -> dict[str, Any]: ...

    def set_status(self, run_id: str, status: str) -> None: ...

    def runs(self) -> list[RunRecord]: ...

    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        """A run's record, events and services' state, read as one consistent snapshot."""
        ...


class MemoryHistory:
    """A history store in this process's memory."""

    def __init__(self) -> None:
        self._records: dict[str, RunRecord] = {}
        self._events: dict[str, list[Event]] = {}
        self._worlds: dict[str, World] = {}

    def create_run(self, record: RunRecord, world: World) -> None:
        if record.run_id in self._records:
            raise HistoryError(f"run {record.run_id!r} already exists in this store")
        self._records[record.run_id] = record
        self._events[record.run_id] = []
        self._worlds[record.run_id] = world

    def share_events(self, run_id: str, events: list[Event]) -> None:
        """Keep the run's own event list as its history: appending to it is recording.

        In one process nothing can come between an event and its record, so the run appends
        straight into the store and the per-event call disappears from the hot path.
        """
        self._known(run_id)
        self._events[run_id] = events

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        # The services live in this process and outlive a coordinator crash: keep them as they are.
        self._known(run_id)
        self._events[run_id].extend(events)
        self._worlds[run_id] = world

    def events(self, run_id: str) -> list[Event]:
        self._known(run_id)
        return list(self._events[run_id])

    def record(self, run_id: str) -> RunRecord:
        self._known(run_id)
        return copy.deepcopy(self._records[run_id])

    def world(self, run_id: str) -> dict[str, Any]:
        self._known(run_id)
        return self._worlds[run_id].snapshot()

    def set_status(self, run_id: str, status: str) -> None:
        self._known(run_id)
        self._records[run_id].status = status

    def runs(self) -> list[RunRecord]:
        return [copy.deepcopy(r) for r in self._records.values()]

    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        return self.record(run_id), self.events(run_id), self.world(run_id)

    def _known(self, run_id: str) -> None:
        if run_id not in self._records:
            raise HistoryError(f"no run {run_id!r} in this store")
