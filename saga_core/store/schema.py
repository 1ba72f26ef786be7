"""The history file's layout (schema version 1) and how a file is recognised as one.

`PRAGMA application_id` marks a file as SagaScope's and `PRAGMA user_version` holds the schema
version, so a foreign or newer file is refused before anything is read or written.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import HistoryError

APPLICATION_ID = 0x53414741  # "SAGA"
SCHEMA_VERSION = 1
SQLITE_MAGIC = b"SQLite format 3\x00"

SCHEMA = (
    """CREATE TABLE runs (
        run INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL UNIQUE,
        scenario TEXT NOT NULL,
        mode TEXT NOT NULL,
        seed INTEGER NOT NULL,
        failures TEXT NOT NULL,
        status TEXT NOT NULL,
        opening TEXT NOT NULL,
        writer TEXT NOT NULL
    )""",
    """CREATE TABLE events (
        run INTEGER NOT NULL REFERENCES runs (run),
        seq INTEGER NOT NULL,
        t_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT NOT NULL,
        step TEXT,
        detail TEXT NOT NULL,
        narration TEXT NOT NULL,
        PRIMARY KEY (run, seq)
    ) WITHOUT ROWID""",
    """CREATE TABLE services (
        run INTEGER NOT NULL REFERENCES runs (run),
        pos INTEGER NOT NULL,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (run, pos)
    ) WITHOUT ROWID""",
    """CREATE TABLE effect_log (
        run INTEGER NOT NULL REFERENCES runs (run),
        n INTEGER NOT NULL,
        op TEXT NOT NULL,
        step TEXT NOT NULL,
        PRIMARY KEY (run, n)
    ) WITHOUT ROWID""",
    *(
        f"""CREATE TRIGGER {table}_append_only_{verb} BEFORE {verb.upper()} ON {table}
        BEGIN SELECT RAISE(ABORT, 'the history is append-only'); END"""
        for table in ("events", "effect_log")
        for verb in ("update", "delete")
    ),
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)
TABLES = {"runs", "events", "services", "effect_log"}

INSERT_EVENT = "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
UPDATE_SERVICE = "UPDATE services SET state = ? WHERE run = ? AND pos = ?"
INSERT_SERVICE = "INSERT INTO services VALUES (?, ?, ?, ?)"
INSERT_LOG = "INSERT INTO effect_log VALUES (?, ?, ?, ?)"
UPDATE_STATUS = "UPDATE runs SET status = ?, writer = ? WHERE run = ?"


def check_identity(path: Path, app_id: int, version: int, tables: set[str]) -> None:
    """Refuse a SQLite file that is not a SagaScope history of this schema version."""
    if app_id != APPLICATION_ID:
        some = ", ".join(sorted(tables)[:5]) or "none"
        raise HistoryError(
            f"{path} is a SQLite database but not a SagaScope history (its tables: "
            f"{some}); it is left untouched: choose another file for --store"
        )
    if version != SCHEMA_VERSION:
        newer = "a newer" if version > SCHEMA_VERSION else "an older"
        raise HistoryError(
            f"{path} was written by {newer} SagaScope (history schema v{version}; this "
            f"one reads v{SCHEMA_VERSION}); it is left untouched"
        )
    missing = TABLES - tables
    if missing:
        raise HistoryError(
            f"{path} is a damaged SagaScope history (missing tables: "
            f"{', '.join(sorted(missing))}); it is left untouched"
        )


def check_file(path: Path, create: bool) -> None:
    """Refuse what is plainly not a history before SQLite touches it (SQLite would "open" it)."""
    if str(path) == ":memory:":
        raise HistoryError("a SQLite history lives in a file; for a store in this process's "
                           "memory use MemoryHistory")
    if path.is_dir():
        raise HistoryError(f"{path} is a directory; --store takes a history file")
    if not path.exists():
        if not create:
            raise HistoryError(f"no history file at {path}; record a run with "
                               f"`sagascope trace --store {path} …` first")
        if not path.parent.is_dir():
            raise HistoryError(f"cannot create {path}: the folder {path.parent} does not exist")
        return
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as exc:
        raise HistoryError(f"cannot read {path}: {exc.strerror}") from exc
    if size == 0:
        if create:
            return  # SQLite's own "new file", e.g. another process is creating it now
        raise HistoryError(f"{path} is empty (0 bytes): it holds no history")
    _check_header(path, size, header)


def _check_header(path: Path, size: int, header: bytes) -> None:
    """A SQLite header, and a file as long as that header says (once the WAL is checkpointed)."""
    if not header.startswith(SQLITE_MAGIC[: len(header)]):
        raise HistoryError(
            f"{path} is not a SagaScope history (not a SQLite database); it is left untouched: "
            "choose another file for --store"
        )
    if len(header) < 100:
        raise HistoryError(f"{path} is truncated ({size} bytes, less than a SQLite header); "
                           "it is left untouched")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    size_is_valid = pages > 0 and header[24:28] == header[92:96]
    wal = Path(f"{path}-wal")
    checkpointed = not wal.exists() or wal.stat().st_size == 0
    if checkpointed and page_size and (
        size % page_size or (size_is_valid and size < pages * page_size)
    ):
        raise HistoryError(
            f"{path} is truncated ({size} bytes where its header promises "
            f"{pages * page_size}); it is left untouched and nothing was written"
        )
