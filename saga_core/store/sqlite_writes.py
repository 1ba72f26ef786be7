"""The SQLite store's write path: what this process last committed for each run, and one
transition's rows ready to commit, so that each commit writes only what changed.

A transition's rows are its events, the state of each service that differs from what was last
written, the new entries of the effect log, and the run's status when it changed (`crashed`
after a crash). Its run's bookkeeping learns of them only once they are committed: a refused
commit leaves it where it was.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import HistoryError
from ..events import CRASH_KINDS
from .schema import INSERT_EVENT, INSERT_LOG, UPDATE_SERVICE, UPDATE_STATUS

if TYPE_CHECKING:
    from ..events import Event
    from ..world import Service, World

FINISHED = ("completed", "compensated")
HOST = socket.gethostname()


def _compact_json_encoder() -> Callable[[Any], str]:
    """Compact JSON for the write path, the C encoder built once: `json.dumps` builds one per
    call, which costs more than the encoding of a small event detail itself."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # an interpreter without json's C accelerator
        return json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def refuse(value: Any) -> Any:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    chunks = make(None, refuse, json.encoder.encode_basestring, None, ":", ",", False, False,
                  True)
    return lambda value: "".join(chunks(value, 0))


dumps = _compact_json_encoder()


def writer() -> str:
    """Who is appending: `host:pid`, so `runs` can tell a dead process's run (interrupted)."""
    return f"{HOST}:{os.getpid()}"


class Written:
    """What this process last wrote for one run, so each commit writes only what changed."""

    __slots__ = ("key", "seq", "seen", "logged", "status")

    def __init__(self, key: int, seq: int, services: list[Service] | None, logged: int) -> None:
        self.key = key
        self.seq = seq
        """The last event committed: the next append must start right after it."""
        self.seen = [_copy(_looks(s)) for s in services] if services is not None else None
        """Per service, a copy of what was last written (None: nothing yet in this process)."""
        self.logged = logged
        self.status: str | None = "running" if services is not None else None
        """The status this process last wrote (None: not written yet, e.g. a resumed run)."""

    def changed(self, world: World) -> list[tuple[int, Service, tuple]]:
        """(position, service, looks) of each service that differs from what was written."""
        seen = self.seen
        out = []
        for pos, svc in enumerate(world.services.values()):
            looks = (svc.accounts, svc.records, svc.effects, len(svc.processed),
                     len(svc.received), svc.down, svc.outbox)
            if seen is None or looks != seen[pos]:
                out.append((pos, svc, looks))
        return out

    def wrote(self, seq: int, changed: list[tuple[int, Service, tuple]], logged: int,
              status: str) -> None:
        self.seq = seq
        if self.seen is None:
            self.seen = [_copy(looks) for _, _, looks in changed]
        else:
            for pos, _, looks in changed:
                self.seen[pos] = _copy(looks)
        self.logged = logged
        self.status = status


class TransitionRows:
    """One transition's rows, ready to commit; its run's `Written` learns of them only once
    they are committed."""

    __slots__ = ("run_id", "written", "events", "rows", "changed", "states", "new_log", "logged",
                 "status")

    def __init__(self, run_id: str, written: Written, events: list[Event], world: World) -> None:
        key = written.key
        self.run_id = run_id
        self.written = written
        self.events = events
        self.rows = [
            (key, e.seq, e.t_ms, e.kind, e.actor, e.step, dumps(e.detail), e.narration)
            for e in events
        ]
        self.changed = changed = written.changed(world)
        self.states = [(dumps(svc.to_dict()), key, pos) for pos, svc, _ in changed]
        log, logged = world.log, written.logged
        self.new_log = [(key, n, op, step) for n, (op, step) in enumerate(log[logged:], logged)]
        self.logged = len(log)
        self.status = "crashed" if any(e.kind in CRASH_KINDS for e in events) else "running"

    def write(self, db: sqlite3.Connection) -> None:
        db.executemany(INSERT_EVENT, self.rows)
        if self.states:
            db.executemany(UPDATE_SERVICE, self.states)
        if self.new_log:
            db.executemany(INSERT_LOG, self.new_log)
        if self.status != self.written.status:
            db.execute(UPDATE_STATUS, (self.status, writer(), self.written.key))

    def committed(self) -> None:
        self.written.wrote(self.events[-1].seq, self.changed, self.logged, self.status)

    def advanced_elsewhere(self) -> HistoryError:
        """The error of a transition whose first event another process recorded first."""
        return HistoryError(
            f"run {self.run_id} was advanced by another process (event "
            f"{self.events[0].seq} is already recorded); this copy of the run stops here, "
            "nothing was written: resume it from the history to continue"
        )


def _looks(svc: Service) -> tuple:
    # Processed ids and received messages only ever grow, so their sizes stand for them.
    return (svc.accounts, svc.records, svc.effects, len(svc.processed), len(svc.received),
            svc.down, svc.outbox)


def _copy(looks: tuple) -> tuple:
    accounts, records, effects, processed, received, down, outbox = looks
    return (dict(accounts), dict(records), {k: list(v) for k, v in effects.items()}, processed,
            received, down, list(outbox))


class WriteLedger:
    """Per run, what this process last committed; a transition is prepared against it."""

    def __init__(self) -> None:
        self._runs: dict[str, Written] = {}

    def get(self, run_id: str) -> Written | None:
        return self._runs.get(run_id)

    def created(self, run_id: str, key: int, world: World) -> None:
        """A run this process has just created, with its services as written."""
        self._runs[run_id] = Written(key, 0, list(world.services.values()), len(world.log))

    def adopt(self, run_id: str, key: int, seq: int, logged: int) -> Written:
        """A run this process did not create: its events end at `seq`, its log holds `logged`."""
        written = self._runs[run_id] = Written(key, seq, None, logged)
        return written

    def prepare(self, run_id: str, written: Written, events: list[Event],
                world: World) -> TransitionRows:
        """The rows of a transition that must start right after the last committed event."""
        if events[0].seq != written.seq + 1:
            raise HistoryError(
                f"run {run_id} cannot record event {events[0].seq}: the history ends at event "
                f"{written.seq} (a transition after it was never committed); resume the run "
                "from the history to carry on"
            )
        return TransitionRows(run_id, written, events, world)

    def status_written(self, run_id: str, status: str) -> None:
        """A finished run has nothing more to write, so it is forgotten (a server runs many)."""
        if status in FINISHED:
            self._runs.pop(run_id, None)
        elif (written := self._runs.get(run_id)) is not None:
            written.status = status


def commit(db: sqlite3.Connection, transitions: list[TransitionRows]) -> None:
    """One write transaction holding every given transition: all or nothing."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for transition in transitions:
            transition.write(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    for transition in transitions:
        transition.committed()
