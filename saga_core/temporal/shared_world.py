"""The services' state for a Temporal run, in one SQLite file every worker process opens.

A Temporal worker is a separate process, and a crash replaces it with another, so the services'
databases cannot live in a worker's memory. Each activity attempt is one SQLite transaction
(`BEGIN IMMEDIATE`): read the `World` snapshot, apply or undo one action keyed by its idempotency
key, write the snapshot back together with a journal row saying which process did what. A retried
or repeated activity finds its key already applied and changes nothing, which is what lets
Temporal's at-least-once activity execution leave exactly-once effects.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..world import World

if TYPE_CHECKING:
    from ..definition import Saga

T = TypeVar("T")
SCHEMA = """
CREATE TABLE IF NOT EXISTS world (id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    activity TEXT NOT NULL,
    step TEXT,
    attempt INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    effect TEXT NOT NULL,
    at REAL NOT NULL
);
"""


class SharedWorld:
    """A `World` persisted in SQLite; every change is one transaction with its journal row."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def create(cls, path: str | Path, saga: Saga) -> SharedWorld:
        """A fresh file holding the saga's opening balances (orchestration: no side subscribers)."""
        shared = cls(path)
        with shared._connect() as db:
            db.executescript(SCHEMA)
            db.execute("DELETE FROM world")
            db.execute("DELETE FROM journal")
            snapshot = World.open(saga, side_subscribers=False).snapshot()
            db.execute("INSERT INTO world VALUES (1, ?)", (json.dumps(snapshot),))
        return shared

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def transact(self, activity: str, step: str | None, attempt: int,
                 change: Callable[[World], tuple[T, str]]) -> T:
        """Run `change` on the current World in one transaction; it returns (result, effect),
        and `effect` is journaled with this process's pid."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            (text,) = db.execute("SELECT snapshot FROM world WHERE id = 1").fetchone()
            world = World.from_snapshot(json.loads(text))
            result, effect = change(world)
            db.execute("UPDATE world SET snapshot = ? WHERE id = 1",
                       (json.dumps(world.snapshot()),))
            db.execute(
                "INSERT INTO journal (activity, step, attempt, pid, effect, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (activity, step, attempt, os.getpid(), effect, time.time()),
            )
            db.execute("COMMIT")
            return result
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def note(self, activity: str, step: str | None, attempt: int, effect: str) -> None:
        """Journal an attempt that changed nothing (it failed, or hung past its timeout)."""
        self.transact(activity, step, attempt, lambda world: (None, effect))

    def world(self) -> World:
        db = self._connect()
        try:
            (text,) = db.execute("SELECT snapshot FROM world WHERE id = 1").fetchone()
        finally:
            db.close()
        return World.from_snapshot(json.loads(text))

    def journal(self) -> list[dict[str, Any]]:
        db = self._connect()
        try:
            rows = db.execute(
                "SELECT activity, step, attempt, pid, effect, at FROM journal ORDER BY seq"
            ).fetchall()
        finally:
            db.close()
        keys = ("activity", "step", "attempt", "pid", "effect", "at")
        return [dict(zip(keys, row, strict=True)) for row in rows]
