"""A SQLite file opened as a history: taken on only when it is a SagaScope history (or an empty
file that may become one), and every SQLite error turned into a `HistoryError` that names the
file and what was being done (locked, damaged, or anything else)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from ..errors import HistoryError
from .schema import APPLICATION_ID, SCHEMA, check_file, check_identity


class HistoryFile:
    """One connection to a history file, in autocommit mode: each write is an explicit
    `BEGIN IMMEDIATE` transaction (`write`), waiting up to `timeout` s for the lock."""

    def __init__(self, path: Path, *, create: bool, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        check_file(path, create)
        mode = "rwc" if create else "rw"
        try:
            self.db = sqlite3.connect(
                f"file:{quote(str(path.absolute()))}?mode={mode}",
                uri=True, timeout=timeout, isolation_level=None,
            )
        except sqlite3.Error as exc:
            raise self.explain(exc, "open it") from exc
        try:
            self._adopt(create)
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self.explain(exc, doing) from exc
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self.explain(exc, doing) from exc
            raise

    @contextmanager
    def reading(self, doing: str) -> Iterator[None]:
        """SQLite errors inside the block become a HistoryError saying what was being done."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self.explain(exc, doing) from exc

    def explain(self, exc: sqlite3.Error, doing: str) -> HistoryError:
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

    # -- opening ------------------------------------------------------------------------------
    def _adopt(self, create: bool) -> None:
        """Take the file on only if it is a SagaScope history, or an empty one we may start."""
        with self.reading("read its header"):
            app_id, version, tables = self._identity()
        if app_id == 0 and not tables:
            if not create:
                raise HistoryError(f"{self.path} holds no SagaScope history (it is an empty "
                                   "database); record a run into it with `--store`")
            self._initialise()
            return
        check_identity(self.path, app_id, version, tables)
        with self.reading("switch it to WAL"):
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")

    def _identity(self) -> tuple[int, int, set[str]]:
        db = self.db
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return app_id, version, tables

    def _initialise(self) -> None:
        with self.reading("switch it to WAL"):
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        with self.write("create the history schema") as db:
            app_id, version, tables = self._identity()
            if app_id == APPLICATION_ID:  # another process created it while we waited
                check_identity(self.path, app_id, version, tables)
                return
            if tables:
                check_identity(self.path, app_id, version, tables)
            for statement in SCHEMA:
                db.execute(statement)
