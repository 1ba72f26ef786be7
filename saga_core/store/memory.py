"""A history store in this process's memory: tests, and runs that need no durability."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..errors import HistoryError
from .base import HistoryStore, RunRecord

if TYPE_CHECKING:
    from ..events import Event
    from ..world import World


class MemoryHistory(HistoryStore):
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

    def share_events(self, run_id: str, events: list[Event]) -> bool:
        """Keep the run's own event list as its history: appending to it is recording.

        In one process nothing can come between an event and its record, so the run appends
        straight into the store and the per-event call disappears from the hot path.
        """
        self._known(run_id)
        self._events[run_id] = events
        return True

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
