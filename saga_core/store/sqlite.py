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

Beside this module: `schema` (the layout, and how a file is recognised), `sqlite_file` (opening
a file and explaining SQLite's errors), `sqlite_writes` (what each commit writes).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import HistoryError
from ..events import Event
from .base import HistoryStore, RunRecord, Transition
from .schema import INSERT_LOG, INSERT_SERVICE
from .sqlite_file import HistoryFile
from .sqlite_writes import HOST, TransitionRows, WriteLedger, commit, dumps, writer

if TYPE_CHECKING:
    from ..world import World


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
        if host == HOST and pid.isdigit() and not _alive(int(pid)):
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


class SQLiteHistory(HistoryStore):
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
        self._ledger = WriteLedger()
        self._file = HistoryFile(self.path, create=create, timeout=timeout)
        self._db = self._file.db

    # -- the HistoryStore interface -----------------------------------------------------------
    def create_run(self, record: RunRecord, world: World) -> None:
        with self._file.write(f"record run {record.run_id}") as db:
            try:
                cursor = db.execute(
                    "INSERT INTO runs (run_id, scenario, mode, seed, failures, status, opening, "
                    "writer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (record.run_id, record.scenario, record.mode, record.seed,
                     dumps(record.failures), "running", dumps(world.opening), writer()),
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
                (key, pos, name, dumps(svc.to_dict()))
                for pos, (name, svc) in enumerate(world.services.items())
            ])
            if world.log:
                db.executemany(INSERT_LOG, [(key, n, op, s) for n, (op, s) in enumerate(world.log)])
        self._ledger.created(record.run_id, key, world)

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        """Commit one transition: its events and the services they changed, all or nothing."""
        transition = self._transition(run_id, events, world)
        try:
            commit(self._db, [transition])
        except sqlite3.IntegrityError:
            raise transition.advanced_elsewhere() from None
        except sqlite3.Error as exc:
            raise self._file.explain(exc, f"append to run {run_id}") from exc

    def append_many(self, transitions: Sequence[Transition]) -> list[Exception | None]:
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
        ready: list[tuple[int, TransitionRows]] = []
        for i, (run_id, events, world) in enumerate(transitions):
            try:
                ready.append((i, self._transition(run_id, events, world)))
            except Exception as exc:  # noqa: BLE001 - refuses this run's transition alone
                refused[i] = exc
        if not ready:
            return refused
        try:
            commit(self._db, [t for _, t in ready])
        except sqlite3.IntegrityError:
            # Another process advanced one of these runs: commit each alone, so only it is refused.
            for i, transition in ready:
                try:
                    commit(self._db, [transition])
                except sqlite3.IntegrityError:
                    refused[i] = transition.advanced_elsewhere()
                except sqlite3.Error as exc:
                    refused[i] = self._file.explain(exc, f"append to run {transition.run_id}")
        except sqlite3.Error as exc:
            raise self._file.explain(exc, f"append to runs {', '.join(runs[:3])}"
                                f"{' …' if len(runs) > 3 else ''}") from exc
        return refused

    def events(self, run_id: str) -> list[Event]:
        key, mode = self._key(run_id, "mode")
        with self._file.reading(f"read the events of run {run_id}"):
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
        with self._file.reading(f"read run {run_id}"):
            row = self._db.execute(
                "SELECT run_id, scenario, mode, seed, failures, status FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return RunRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])

    def world(self, run_id: str) -> dict[str, Any]:
        key, opening = self._key(run_id, "opening")
        with self._file.reading(f"read the services of run {run_id}"):
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
        written = self._ledger.get(run_id)
        key = written.key if written is not None else self._key(run_id, "run")[0]
        with self._file.write(f"record the outcome of run {run_id}") as db:
            db.execute("UPDATE runs SET status = ? WHERE run = ?", (status, key))
        self._ledger.status_written(run_id, status)

    def runs(self) -> list[RunRecord]:
        return [s.record for s in self.summaries()]

    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        """Record, events and services in one read transaction, so another process appending
        meanwhile cannot hand a resume events newer than the services (or the reverse)."""
        db = self._db
        with self._file.reading(f"read run {run_id}"):
            db.execute("BEGIN")
            try:
                record, events, world = self.record(run_id), self.events(run_id), self.world(run_id)
                key, _ = self._key(run_id, "run")
            finally:
                db.execute("COMMIT")
        self._ledger.adopt(run_id, key, len(events), len(world["log"]))
        return record, events, world

    # -- beyond the interface -----------------------------------------------------------------
    def summaries(self) -> list[RunSummary]:
        """Every run in the file, oldest first, with its event count and last virtual time."""
        with self._file.reading("list its runs"):
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
        with self._file.reading("find its latest run"):
            row = self._db.execute("SELECT run_id FROM runs ORDER BY run DESC LIMIT 1").fetchone()
        if row is None:
            raise HistoryError(f"{self.path} holds no runs yet; record one with "
                               "`sagascope trace --store FILE`")
        return row[0]

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SQLiteHistory:
        return self

    # -- internals ----------------------------------------------------------------------------
    def _key(self, run_id: str, column: str) -> tuple[int, Any]:
        with self._file.reading(f"read run {run_id}"):
            row = self._db.execute(
                f"SELECT run, {column} FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return row[0], row[1]

    def _transition(self, run_id: str, events: list[Event], world: World) -> TransitionRows:
        written = self._ledger.get(run_id)
        if written is None:  # a run this process did not create: learn where it stands
            key, _ = self._key(run_id, "run")
            with self._file.reading(f"read run {run_id}"):
                seq = self._db.execute(
                    "SELECT coalesce(max(seq), 0) FROM events WHERE run = ?", (key,)
                ).fetchone()[0]
                logged = self._db.execute(
                    "SELECT count(*) FROM effect_log WHERE run = ?", (key,)
                ).fetchone()[0]
            written = self._ledger.adopt(run_id, key, seq, logged)
        return self._ledger.prepare(run_id, written, events, world)

    def _unknown(self, run_id: str) -> HistoryError:
        with self._file.reading("list its runs"):
            known = [r[0] for r in self._db.execute("SELECT run_id FROM runs ORDER BY run DESC")]
        listed = ", ".join(known[:10]) + (" …" if len(known) > 10 else "")
        return HistoryError(
            f"no run {run_id!r} in {self.path}; its runs: {listed or 'none yet'}"
        )
