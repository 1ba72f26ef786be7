"""Where the server records its runs: a SQLite history in the instance folder by default, so the
`crash` failure replays a real durable history and a restarted server still lists its runs.
`SAGASCOPE_HISTORY` names another file, or ":memory:" for a store that dies with the process."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from saga_core import Event, HistoryError, HistoryStore, MemoryHistory, RunRecord, SQLiteHistory
from saga_core.store import Transition

if TYPE_CHECKING:
    from saga_core.world import World

MEMORY = ":memory:"
DEFAULT_FILE = "history.sqlite"
MAX_GROUP = 8
"""Most transitions one group commit holds: past 8, a bigger group saved nothing measurable."""


def open_history(setting: str | None, instance_path: str) -> StoreThread:
    """The store `SAGASCOPE_HISTORY` asks for (None: the instance folder's SQLite file)."""
    if setting == MEMORY:
        return StoreThread(MemoryHistory)
    path = os.path.abspath(setting or os.path.join(instance_path, DEFAULT_FILE))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return StoreThread(lambda: SQLiteHistory(path))


class StoreThread(HistoryStore):
    """A history store whose every call runs on one dedicated thread: a SQLite connection
    belongs to the thread that opened it, SQLite admits one writer at a time anyway, and each
    playing run appends from its own thread.

    Group commit, for runs that write without pause (speed max): their appends made inside
    `grouped()` that queue up one after another while the thread is busy are committed together,
    up to MAX_GROUP in one transaction (the store's `append_many`), which halves the store's
    time per transition. Each caller still returns only once its own transition is committed,
    so nothing after it is emitted or executed before then. Every other call, a paced run's
    transitions included, is served alone in the order it came: a paced run writes about once
    a second and needs no throughput, and its commit releases only it, so runs that were started
    together do not all send at once."""

    def __init__(self, open_store: Callable[[], HistoryStore]) -> None:
        self._calls: deque[_Call] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._local = threading.local()
        opened: Future = Future()
        self._thread = threading.Thread(target=self._serve, args=(open_store, opened),
                                        name="sagascope-history", daemon=True)
        self._thread.start()
        self.store: HistoryStore = opened.result()

    @property
    def commits_per_transition(self) -> bool:
        """Whether the store wants each transition's events in one append (one commit)."""
        return self.store.commits_per_transition

    def create_run(self, record: RunRecord, world: World) -> None:
        self._call("create_run", record, world)

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        self._call("append", run_id, events, world, grouped=getattr(self._local, "grouped", False))

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """The calling thread's appends may share a commit with other grouped appends."""
        self._local.grouped = True
        try:
            yield
        finally:
            self._local.grouped = False

    def append_many(self, transitions: Sequence[Transition]) -> list[Exception | None]:
        return self._call("append_many", transitions)

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

    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        return self._call("load", run_id)

    def close(self) -> None:
        """Close the store and end its thread; later calls get a HistoryError."""
        with self._ready:
            closing = not self._closed
        if closing:
            self._call("close", last=True)
        self._thread.join()

    # -- on the store's thread ------------------------------------------------------------------
    def _call(self, method: str | Callable[..., Any], *args: Any, last: bool = False,
              grouped: bool = False) -> Any:
        call = _Call(method, args, grouped)
        with self._ready:
            if self._closed:
                raise HistoryError("the history store is closed: the server is shutting down")
            self._closed = last
            self._calls.append(call)
            self._ready.notify()
        return call.future.result()

    def _serve(self, open_store: Callable[[], HistoryStore], opened: Future) -> None:
        try:
            store = open_store()
        except BaseException as exc:  # noqa: BLE001 - raised again by the constructor
            opened.set_exception(exc)
            return
        opened.set_result(store)
        while True:
            with self._ready:
                while not self._calls:
                    self._ready.wait()
                calls = list(self._calls)
                self._calls.clear()
                closed = self._closed
            # In the order they came; grouped appends that came one after another go together.
            group: list[_Call] = []
            for call in calls:
                if call.grouped:
                    group.append(call)
                    if len(group) == MAX_GROUP:
                        _append_together(store, group)
                        group = []
                    continue
                _append_together(store, group)
                group = []
                call.run(store)
            _append_together(store, group)
            if closed:
                return


def _append_together(store: HistoryStore, appends: list[_Call]) -> None:
    """Hand the waiting appends to the store together (`append_many`: one transaction when the
    store can group commits)."""
    if len(appends) < 2:
        for call in appends:
            call.run(store)
        return
    try:
        refused = store.append_many([call.args for call in appends])
    except BaseException as exc:  # noqa: BLE001 - nothing was written: every caller learns why
        for call in appends:
            call.future.set_exception(exc)
        return
    for call, error in zip(appends, refused, strict=True):
        if error is None:
            call.future.set_result(None)
        else:
            call.future.set_exception(error)


class _Call:
    """One store call waiting for the store's thread, and the future its caller waits on."""

    __slots__ = ("method", "args", "grouped", "future")

    def __init__(self, method: str | Callable[..., Any], args: tuple, grouped: bool) -> None:
        self.method = method
        self.args = args
        self.grouped = grouped
        self.future: Future = Future()

    def run(self, store: HistoryStore) -> None:
        method = self.method
        try:
            if isinstance(method, str):
                result = getattr(store, method)(*self.args)
            else:
                result = method(store, *self.args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)
