"""A history store on SQLite: the saga's durable memory, the one thing a crash leaves behind.

The durability rule, and the point this module teaches:

    One transition is one SQLite transaction. It holds the events the transition produced AND
    the state of every service those events changed. Nothing the next transition does can
    happen before that commit.

So a step's success is on disk before the next step starts, and the services' state on disk is
always the state the recorded events describe, never ahead of them and never behind. In
choreography a consumer's processed message ids and its outbox (events it committed but has not
published yet) are part of its state, so they commit together with the effect itself: after a
crash, a redelivered message finds its id and changes nothing, and the outbox is published when
the consumer restarts. The bus is rebuilt by replaying the history.

The file (schema version 1 in `PRAGMA user_version`; `PRAGMA application_id` marks it as
SagaScope's): `runs` holds what is needed to resume a run (scenario, mode, seed, failure plan,
status, the services' opening balances); `events` is append-only (triggers refuse updates and
deletes); `services` holds each service's latest state; `effect_log` the order in which local
transactions committed. WAL journal with synchronous=NORMAL: a commit survives the death of the
process (the crash SagaScope stages) though not a power cut.

Several runs share one file, and several processes may append to it: SQLite lets one writer in
at a time (`BEGIN IMMEDIATE`, waiting up to `timeout` seconds). Two processes advancing the same
run collide on the events' (run, seq) key, and the late one's whole transaction is refused.
A server whose runs all wait on one writer commits one transition each of several runs in one
transaction (`append_many`, group commit): each transition is still all or nothing, and still
committed before its run goes on.
A file that is missing, empty, truncated, locked or not a SagaScope history gets a `HistoryError`
that says so; it is never overwritten or repaired.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import HistoryError
from .events import Event
from .history import RunRecord
from .sqlite_schema import (
    APPLICATION_ID,
    INSERT_EVENT,
    INSERT_LOG,
    INSERT_SERVICE,
    SCHEMA,
    UPDATE_SERVICE,
    UPDATE_STATUS,
    check_file,
    check_identity,
)

if TYPE_CHECKING:
    from .world import Service, World

CRASH_KINDS = frozenset({"orchestrator.crashed", "consumer.crashed"})
FINISHED = ("completed", "compensated")


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


_dumps = _compact_json_encoder()


_HOST = socket.gethostname()


def _writer() -> str:
    """Who is appending: `host:pid`, so `runs` can tell a dead process's run (interrupted)."""
    return f"{_HOST}:{os.getpid()}"


@dataclass
class RunSummary:
    """One line of `sagascope runs`: a run's record and how far it got."""

    record: RunRecord
    events: int
    last_t_ms: int
    writer: str

    @property
    def status(self) -> str:
        """The recorded status, or `interrupted` when its process on this host has died."""
        if self.record.status != "running":
            return self.record.status
        host, _, pid = self.writer.rpartition(":")
        if host == _HOST and pid.isdigit() and not _alive(int(pid)):
            return "interrupted"
        return "running"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Written:
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


class _Transition:
    """One transition's rows, ready to commit; its run's `_Written` learns of them only once
    they are committed."""

    __slots__ = ("run_id", "written", "events", "rows", "changed", "states", "new_log", "logged",
                 "status")

    def __init__(self, run_id: str, written: _Written, events: list[Event], world: World) -> None:
        key = written.key
        self.run_id = run_id
        self.written = written
        self.events = events
        self.rows = [
            (key, e.seq, e.t_ms, e.kind, e.actor, e.step, _dumps(e.detail), e.narration)
            for e in events
        ]
        self.changed = changed = written.changed(world)
        self.states = [(_dumps(svc.to_dict()), key, pos) for pos, svc, _ in changed]
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
            db.execute(UPDATE_STATUS, (self.status, _writer(), self.written.key))

    def committed(self) -> None:
        self.written.wrote(self.events[-1].seq, self.changed, self.logged, self.status)


def _looks(svc: Service) -> tuple:
    # Processed ids and received messages only ever grow, so their sizes stand for them.
    return (svc.accounts, svc.records, svc.effects, len(svc.processed), len(svc.received),
            svc.down, svc.outbox)


def _copy(looks: tuple) -> tuple:
    accounts, records, effects, processed, received, down, outbox = looks
    return (dict(accounts), dict(records), {k: list(v) for k, v in effects.items()}, processed,
            received, down, list(outbox))


class SQLiteHistory:
    """A history store in a SQLite file (see the module docstring for the durability rule).

    `create=False` opens only an existing history (what `resume` and `runs` need); `timeout` is
    how long to wait for another process's write lock before saying the file is locked.
    """

    commits_per_transition = True
    """A run hands this store each transition's events in one `append`, i.e. one commit."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True,
                 timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._written: dict[str, _Written] = {}
        check_file(self.path, create)
        mode = "rwc" if create else "rw"
        try:
            self._db = sqlite3.connect(
                f"file:{quote(str(self.path.absolute()))}?mode={mode}",
                uri=True, timeout=timeout, isolation_level=None,
            )
        except sqlite3.Error as exc:
            raise self._explain(exc, "open it") from exc
        try:
            self._adopt(create)
        except BaseException:
            self._db.close()
            raise

    # -- opening ------------------------------------------------------------------------------
    def _adopt(self, create: bool) -> None:
        """Take the file on only if it is a SagaScope history, or an empty one we may start."""
        with self._reading("read its header"):
            app_id, version, tables = self._identity()
        if app_id == 0 and not tables:
            if not create:
                raise HistoryError(f"{self.path} holds no SagaScope history (it is an empty "
                                   "database); record a run into it with `--store`")
            self._initialise()
            return
        check_identity(self.path, app_id, version, tables)
        with self._reading("switch it to WAL"):
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")

    def _identity(self) -> tuple[int, int, set[str]]:
        db = self._db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return app_id, version, tables

    def _initialise(self) -> None:
        with self._reading("switch it to WAL"):
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        with self._write("create the history schema") as db:
            app_id, version, tables = self._identity()
            if app_id == APPLICATION_ID:  # another process created it while we waited
                check_identity(self.path, app_id, version, tables)
                return
            if tables:
                check_identity(self.path, app_id, version, tables)
            for statement in SCHEMA:
                db.execute(statement)

    # -- the HistoryStore interface -----------------------------------------------------------
    def create_run(self, record: RunRecord, world: World) -> None:
        with self._write(f"record run {record.run_id}") as db:
            try:
                cursor = db.execute(
                    "INSERT INTO runs (run_id, scenario, mode, seed, failures, status, opening, "
                    "writer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.run_id, record.scenario, record.mode, record.seed,
                     _dumps(record.failures), "running", _dumps(world.opening), _writer()),
                )
            except sqlite3.IntegrityError:
                raise HistoryError(
                    f"run {record.run_id} is already recorded in {self.path} (the same scenario, "
                    "mode, seed and failures give the same run id); resume it, or record this "
                    "run into another file"
                ) from None
            key = cursor.lastrowid
            assert key is not None
            db.executemany(INSERT_SERVICE, [
                (key, pos, name, _dumps(svc.to_dict()))
                for pos, (name, svc) in enumerate(world.services.items())
            ])
            if world.log:
                db.executemany(INSERT_LOG, [(key, n, op, s) for n, (op, s) in enumerate(world.log)])
        self._written[record.run_id] = _Written(key, 0, list(world.services.values()),
                                                  len(world.log))

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        """Commit one transition: its events and the services they changed, all or nothing."""
        transition = self._transition(run_id, events, world)
        try:
            self._commit([transition])
        except sqlite3.IntegrityError:
            raise self._advanced_elsewhere(transition) from None
        except sqlite3.Error as exc:
            raise self._explain(exc, f"append to run {run_id}") from exc

    def append_many(
        self, transitions: Sequence[tuple[str, list[Event], World]]
    ) -> list[Exception | None]:
        """Group commit: one transition each of several runs, (run_id, events, world) as for
        `append`, in one transaction, so runs that wait on one writer together pay for one
        commit. The rule holds for each run: its transition is committed before this returns.

        Answers, per transition, None once it is committed, or the error that refused it
        (nothing of that transition written; the others are committed). Raises HistoryError,
        with nothing written at all, when the transaction itself cannot commit."""
        runs = [run_id for run_id, _, _ in transitions]
        if len(set(runs)) != len(runs):
            raise ValueError("append_many takes at most one transition per run: a run's next "
                             "transition is appended once its previous one has committed")
        refused: list[Exception | None] = [None] * len(transitions)
        ready: list[tuple[int, _Transition]] = []
        for i, (run_id, events, world) in enumerate(transitions):
            try:
                ready.append((i, self._transition(run_id, events, world)))
            except Exception as exc:  # noqa: BLE001 - refuses this run's transition alone
                refused[i] = exc
        if not ready:
            return refused
        try:
            self._commit([t for _, t in ready])
        except sqlite3.IntegrityError:
            # Another process advanced one of these runs: commit each alone, so only it is refused.
            for i, transition in ready:
                try:
                    self._commit([transition])
                except sqlite3.IntegrityError:
                    refused[i] = self._advanced_elsewhere(transition)
                except sqlite3.Error as exc:
                    refused[i] = self._explain(exc, f"append to run {transition.run_id}")
        except sqlite3.Error as exc:
            raise self._explain(exc, f"append to runs {', '.join(runs[:3])}"
                                f"{' …' if len(runs) > 3 else ''}") from exc
        return refused

    def events(self, run_id: str) -> list[Event]:
        key, mode = self._key(run_id, "mode")
        with self._reading(f"read the events of run {run_id}"):
            rows = self._db.execute(
                "SELECT seq, t_ms, kind, actor, step, detail, narration FROM events "
                "WHERE run = ? ORDER BY seq", (key,)
            ).fetchall()
        # One parse of all details at once is about twice as fast as one parse per event.
        details = json.loads("[" + ",".join([row[5] for row in rows]) + "]")
        return [
            Event(seq, t_ms, run_id, mode, kind, actor, step, detail, narration)
            for (seq, t_ms, kind, actor, step, _, narration), detail in zip(rows, details,
                                                                              strict=True)
        ]

    def record(self, run_id: str) -> RunRecord:
        with self._reading(f"read run {run_id}"):
            row = self._db.execute(
                "SELECT run_id, scenario, mode, seed, failures, status FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return RunRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])

    def world(self, run_id: str) -> dict[str, Any]:
        key, opening = self._key(run_id, "opening")
        with self._reading(f"read the services of run {run_id}"):
            services = self._db.execute(
                "SELECT name, state FROM services WHERE run = ? ORDER BY pos", (key,)
            ).fetchall()
            log = self._db.execute(
                "SELECT op, step FROM effect_log WHERE run = ? ORDER BY n", (key,)
            ).fetchall()
        return {
            "services": {name: json.loads(state) for name, state in services},
            "opening": json.loads(opening),
            "log": [[op, step] for op, step in log],
        }

    def set_status(self, run_id: str, status: str) -> None:
        written = self._written.get(run_id)
        key = written.key if written is not None else self._key(run_id, "run")[0]
        with self._write(f"record the outcome of run {run_id}") as db:
            db.execute("UPDATE runs SET status = ? WHERE run = ?", (status, key))
        if status in FINISHED:
            self._written.pop(run_id, None)  # nothing more to write: a server forgets it
        elif written is not None:
            written.status = status

    def runs(self) -> list[RunRecord]:
        return [s.record for s in self.summaries()]

    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        """Record, events and services in one read transaction, so another process appending
        meanwhile cannot hand a resume events newer than the services (or the reverse)."""
        db = self._db
        with self._reading(f"read run {run_id}"):
            db.execute("BEGIN")
            try:
                record, events, world = self.record(run_id), self.events(run_id), self.world(run_id)
                key, _ = self._key(run_id, "run")
            finally:
                db.execute("COMMIT")
        self._written[run_id] = _Written(key, len(events), None, len(world["log"]))
        return record, events, world

    # -- beyond the interface -----------------------------------------------------------------
    def summaries(self) -> list[RunSummary]:
        """Every run in the file, oldest first, with its event count and last virtual time."""
        with self._reading("list its runs"):
            rows = self._db.execute(
                "SELECT run_id, scenario, mode, seed, failures, status, writer, "
                "(SELECT max(seq) FROM events e WHERE e.run = r.run), "
                "(SELECT t_ms FROM events e WHERE e.run = r.run ORDER BY seq DESC LIMIT 1) "
                "FROM runs r ORDER BY run"
            ).fetchall()
        return [
            RunSummary(RunRecord(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]), r[7] or 0,
                       r[8] or 0, r[6])
            for r in rows
        ]

    def latest_run_id(self) -> str:
        """The most recently created run (what `sagascope resume` picks without `--run`)."""
        with self._reading("find its latest run"):
            row = self._db.execute("SELECT run_id FROM runs ORDER BY run DESC LIMIT 1").fetchone()
        if row is None:
            raise HistoryError(f"{self.path} holds no runs yet; record one with "
                               "`sagascope trace --store FILE`")
        return row[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------
    def _key(self, run_id: str, column: str) -> tuple[int, Any]:
        with self._reading(f"read run {run_id}"):
            row = self._db.execute(
                f"SELECT run, {column} FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return row[0], row[1]

    def _transition(self, run_id: str, events: list[Event], world: World) -> _Transition:
        written = self._written.get(run_id) or self._load_written(run_id)
        if events[0].seq != written.seq + 1:
            raise HistoryError(
                f"run {run_id} cannot record event {events[0].seq}: the history ends at event "
                f"{written.seq} (a transition after it was never committed); resume the run "
                "from the history to carry on"
            )
        return _Transition(run_id, written, events, world)

    def _commit(self, transitions: list[_Transition]) -> None:
        """One write transaction holding every given transition: all or nothing."""
        db = self._db
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

    def _advanced_elsewhere(self, transition: _Transition) -> HistoryError:
        return HistoryError(
            f"run {transition.run_id} was advanced by another process (event "
            f"{transition.events[0].seq} is already recorded); this copy of the run stops here, "
            "nothing was written: resume it from the history to continue"
        )

    def _load_written(self, run_id: str) -> _Written:
        """A run this process did not create: learn where its events and effect log stand."""
        key, _ = self._key(run_id, "run")
        with self._reading(f"read run {run_id}"):
            seq = self._db.execute(
                "SELECT coalesce(max(seq), 0) FROM events WHERE run = ?", (key,)
            ).fetchone()[0]
            logged = self._db.execute(
                "SELECT count(*) FROM effect_log WHERE run = ?", (key,)
            ).fetchone()[0]
        written = self._written[run_id] = _Written(key, seq, None, logged)
        return written

    def _unknown(self, run_id: str) -> HistoryError:
        with self._reading("list its runs"):
            known = [r[0] for r in self._db.execute("SELECT run_id FROM runs ORDER BY run DESC")]
        listed = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
        return HistoryError(
            f"no run {run_id!r} in {self.path}; its runs: {listed or 'none yet'}"
        )

    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._explain(exc, doing) from exc
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._explain(exc, doing) from exc
            raise

    @contextmanager
    def _reading(self, doing: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._explain(exc, doing) from exc

    def _explain(self, exc: sqlite3.Error, doing: str) -> HistoryError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return HistoryError(
                f"{self.path} is locked by another process (waited {self.timeout:g} s to "
                f"{doing}); nothing was written: try again once it is free"
            )
        if isinstance(exc, sqlite3.DatabaseError) and (
            "malformed" in text or "not a database" in text or "corrupt" in text
        ):
            return HistoryError(
                f"{self.path} is damaged ({text}); it is left exactly as it is and nothing was "
                "written"
            )
        return HistoryError(f"could not {doing} in {self.path}: {text}")
