"""Where the server records its runs: a SQLite history in the instance folder by default, so the
`crash` failure replays a real durable history and a restarted server still lists its runs.
`SAGASCOPE_HISTORY` names another file, or ":memory:" for a store that dies with the process."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from saga_core import Event, HistoryStore, MemoryHistory, RunRecord

if TYPE_CHECKING:
    from saga_core.world import World

MEMORY = ":memory:"
DEFAULT_FILE = "history.sqlite"


def open_history(setting: str | None, instance_path: str) -> StoreThread:
    """The store `SAGASCOPE_HISTORY` asks for (None: the instance folder's SQLite file)."""
    if setting == MEMORY:
        return StoreThread(MemoryHistory)
    from saga_core.sqlite_history import SQLiteHistory

    path = os.path.abspath(setting or os.path.join(instance_path, DEFAULT_FILE))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return StoreThread(lambda: SQLiteHistory(path))


class StoreThread:
    """A history store whose every call runs on one dedicated thread: a SQLite connection
    belongs to the thread that opened it, SQLite admits one writer at a time anyway, and each
    playing run appends from its own thread."""

    def __init__(self, open_store: Callable[[], HistoryStore]) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sagascope-history")
        self.store: HistoryStore = self._thread.submit(open_store).result()

    @property
    def commits_per_transition(self) -> bool:
        """Whether the store wants each transition's events in one append (one commit)."""
        return getattr(self.store, "commits_per_transition", False)

    def _call(self, method: str, *args: Any) -> Any:
        return self._thread.submit(getattr(self.store, method), *args).result()

    def create_run(self, record: RunRecord, world: World) -> None:
        self._call("create_run", record, world)

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        self._call("append", run_id, events, world)

    def events(self, run_id: str) -> list[Event]:
        return self._call("events", run_id)

    def record(self, run_id: str) -> RunRecord:
        return self._call("record", run_id)

    def world(self, run_id: str) -> dict[str, Any]:
        return self._call("world", run_id)

    def set_status(self, run_id: str, status: str) -> None:
        self._call("set_status", run_id, status)

    def runs(self) -> list[RunRecord]:
        return self._call("runs")

    def close(self) -> None:
        """Close the store (if it has anything to close) and end its thread."""
        if hasattr(self.store, "close"):
            self._call("close")
        self._thread.shutdown(wait=True)
