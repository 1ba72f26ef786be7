"""The limit for a durable engine: raw SQLite doing exactly the commits and rows our store does.

We record what the SQLite history store writes for one run (every write transaction, with each
statement and its parameters), then replay that with nothing else: the same transactions
(`BEGIN IMMEDIATE` … `COMMIT`), the same statements, the same rows and bytes, on a file with the
same schema, WAL and synchronous=NORMAL. What the engine spends above this is its own overhead.

Each replayed run needs its own identity (run id and row key). To find where those sit in the
parameters without knowing the store's SQL, the same saga is recorded twice: the values that
differ between the two recordings are the run's identity, and replay substitutes fresh ones.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class RecordingConnection:
    """Stands in for a sqlite3 connection and notes every write transaction that commits."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._open: list | None = None
        self.transactions: list[list[tuple[str, list[tuple], int | None]]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        verb = sql.lstrip()[:8].upper()
        cursor = self._connection.execute(sql, params)
        if verb.startswith("BEGIN"):
            self._open = []
        elif verb.startswith("COMMIT") or verb.startswith("END"):
            if self._open:
                self.transactions.append(self._open)
            self._open = None
        elif verb.startswith("ROLLBACK"):
            self._open = None
        elif self._open is not None and verb.startswith(WRITES):
            self._open.append((sql, [tuple(params)], cursor.lastrowid))
        return cursor

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        rows = [tuple(r) for r in rows]
        if self._open is not None and sql.lstrip()[:8].upper().startswith(WRITES):
            self._open.append((sql, rows, None))
        return self._connection.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


@contextmanager
def recording_connections(into: list[RecordingConnection]):
    """While active, `sqlite3.connect` hands out recording connections (capture only, untimed)."""
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> RecordingConnection:
        recorder = RecordingConnection(real(*args, **kwargs))
        into.append(recorder)
        return recorder

    sqlite3.connect = connect  # type: ignore[assignment]
    try:
        yield
    finally:
        sqlite3.connect = real  # type: ignore[assignment]


KEY, RUN_ID, TEXT = 0, 1, 2
RUN_MARK = "\x00run\x00"


@dataclass
class Statement:
    sql: str
    rows: list[tuple]
    holes: list[tuple[int, int, int, str]]
    """(row, column, KEY | RUN_ID | TEXT, text): where the run's identity goes; TEXT holes hold
    a text (e.g. a JSON state with idempotency keys) with the run id marked by RUN_MARK."""
    defines_key: bool


Plan = list[list[Statement]]
"""One run's write transactions, ready to replay."""


def plan_from(first: list, second: list, run_ids: tuple[str, str]) -> Plan:
    """Turn two recordings of the same saga (different run ids) into a replayable plan."""
    if len(first) != len(second):
        raise ValueError("the two recordings of one saga differ in their transactions")
    key, defined = _first_key(first), False
    plan: Plan = []
    for tx_a, tx_b in zip(first, second, strict=True):
        statements = []
        for (sql, rows_a, rowid), (_, rows_b, _) in zip(tx_a, tx_b, strict=True):
            holes = []
            for r, (row_a, row_b) in enumerate(zip(rows_a, rows_b, strict=True)):
                for c, (a, b) in enumerate(zip(row_a, row_b, strict=True)):
                    if a == b:
                        continue
                    if a == run_ids[0]:
                        holes.append((r, c, RUN_ID, ""))
                    elif isinstance(a, str) and run_ids[0] in a:
                        holes.append((r, c, TEXT, a.replace(run_ids[0], RUN_MARK)))
                    elif a == key:
                        holes.append((r, c, KEY, ""))
                    else:
                        raise ValueError(f"{sql!r}: {a!r} and {b!r} differ between two takes")
            defines_key = not defined and rowid is not None and rowid == key
            defined = defined or defines_key
            statements.append(Statement(sql, rows_a, holes, defines_key))
        plan.append(statements)
    return plan


def _first_key(transactions: list) -> int | None:
    for tx in transactions:
        for _, _, rowid in tx:
            if rowid:
                return rowid
    return None


class RawReplayer:
    """Replays plans into one SQLite file, WAL + synchronous=NORMAL, one run after another."""

    def __init__(self, path: Path, make_schema: Callable[[Path], None]) -> None:
        make_schema(path)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.runs = 0

    def replay(self, plan: Plan) -> None:
        self.runs += 1
        run_id = f"raw-{self.runs}"
        identity: list[Any] = [None, run_id]
        db = self.db
        for tx in plan:
            db.execute("BEGIN IMMEDIATE")
            for st in tx:
                rows = st.rows
                if st.holes:
                    rows = [list(row) for row in rows]
                    for r, c, which, text in st.holes:
                        rows[r][c] = text.replace(RUN_MARK, run_id) if text else identity[which]
                if st.defines_key:
                    identity[KEY] = db.execute(st.sql, rows[0]).lastrowid
                else:
                    db.executemany(st.sql, rows)
            db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()


def plan_stats(plan: Plan) -> dict[str, float]:
    rows = sum(len(st.rows) for tx in plan for st in tx)
    size = sum(
        len(v) if isinstance(v, str | bytes) else 8
        for tx in plan
        for st in tx
        for row in st.rows
        for v in row
        if v is not None
    )
    return {"commits": len(plan), "rows": rows, "bytes": size}
