"""Bad history files get a clear error and are never overwritten, repaired or lost."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys

import pytest

from saga_core import HistoryError, Run, SQLiteHistory, load_scenario

CHECKOUT = load_scenario("checkout")


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def history(tmp_path):
    """A closed history file holding one finished and one crashed run."""
    path = tmp_path / "history.db"
    with SQLiteHistory(path) as store:
        Run(CHECKOUT, "orchestration", store=store).run_to_end()
        crashed = Run(CHECKOUT, "choreography", failures=["payment:crash"], store=store)
        while not any(e.kind == "consumer.crashed" for e in crashed.events):
            crashed.step()
    return path


def sagascope(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "saga_core.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_resuming_from_a_missing_file_says_so_and_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(HistoryError, match="no history file at .*nowhere.db"):
        SQLiteHistory(missing, create=False)
    result = sagascope("resume", "--store", str(missing))
    assert result.returncode == 2
    assert "no history file at" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


def test_a_text_file_is_not_a_history_and_is_left_as_it_was(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my lecture notes, not a database\n" * 10)
    before = digest(notes)
    for create in (True, False):
        with pytest.raises(HistoryError, match="not a SQLite database"):
            SQLiteHistory(notes, create=create)
    result = sagascope("trace", "--fail", "payment:crash", "--store", str(notes))
    assert result.returncode == 2 and "not a SagaScope history" in result.stderr
    assert digest(notes) == before


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path):
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE customers (name TEXT)")
        db.execute("INSERT INTO customers VALUES ('Ada')")
    db.close()
    before = digest(other)
    with pytest.raises(HistoryError, match=r"not a SagaScope history \(its tables: customers\)"):
        SQLiteHistory(other)
    assert digest(other) == before


def test_a_history_from_a_newer_sagascope_is_refused(history):
    with sqlite3.connect(history) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HistoryError, match="newer SagaScope .*schema v99"):
        SQLiteHistory(history)


@pytest.mark.parametrize("keep", [0.5, 0.9, 60 / 4096])
def test_a_truncated_history_is_reported_and_left_as_it_was(history, keep):
    data = history.read_bytes()
    history.write_bytes(data[: int(len(data) * keep)])
    before = digest(history)
    with pytest.raises(HistoryError, match="truncated"):
        SQLiteHistory(history, create=False)
    with pytest.raises(HistoryError, match="truncated"):
        SQLiteHistory(history)
    assert digest(history) == before


def test_an_empty_file_holds_no_history_to_resume(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(HistoryError, match="empty"):
        SQLiteHistory(empty, create=False)
    assert empty.stat().st_size == 0


def test_a_directory_is_not_a_history_file(tmp_path):
    with pytest.raises(HistoryError, match="is a directory"):
        SQLiteHistory(tmp_path)


def test_asking_for_an_in_memory_sqlite_history_points_to_the_memory_store(tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(HistoryError, match="use MemoryHistory"):
        SQLiteHistory(":memory:")
    assert list(tmp_path.iterdir()) == []


def test_a_history_locked_by_another_writer_is_reported_and_nothing_is_lost(history):
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    store = SQLiteHistory(history, timeout=0.05)
    assert len(store.runs()) == 2, "readers still read while another process writes"
    with pytest.raises(HistoryError, match="locked by another process"):
        Run(CHECKOUT, "hybrid", store=store)
    holder.execute("ROLLBACK")
    run = Run(CHECKOUT, "hybrid", store=store)
    run.run_to_end()
    assert [r.mode for r in store.runs()] == ["orchestration", "choreography", "hybrid"]


def test_a_history_held_exclusively_cannot_even_be_opened_and_says_why(history):
    holder = sqlite3.connect(history, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("COMMIT")
    with pytest.raises(HistoryError, match="locked by another process"):
        SQLiteHistory(history, create=False, timeout=0.05).runs()
    holder.close()
    assert len(SQLiteHistory(history, create=False).runs()) == 2


def test_recording_into_an_existing_history_keeps_every_run_already_there(history):
    before = SQLiteHistory(history, create=False)
    kept = {r.run_id: before.events(r.run_id) for r in before.runs()}
    before.close()
    result = sagascope("trace", "--mode", "hybrid", "--seed", "9", "--store", str(history))
    assert result.returncode == 0, result.stderr
    after = SQLiteHistory(history, create=False)
    assert len(after.runs()) == 3
    for run_id, events in kept.items():
        assert after.events(run_id) == events


def test_a_transition_that_could_not_be_committed_stops_the_run_rather_than_leave_a_gap(tmp_path):
    path = tmp_path / "h.db"
    run = Run(CHECKOUT, "orchestration", failures=["inventory"],
              store=SQLiteHistory(path, timeout=0.05))
    run.step()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    with pytest.raises(HistoryError, match="locked"):
        run.step()
    holder.execute("ROLLBACK")
    with pytest.raises(HistoryError, match="the history ends at event 1"):
        run.step()
    resumed = Run.resume(CHECKOUT, SQLiteHistory(path, create=False), run.run_id)
    resumed.run_to_end()
    alone = Run(CHECKOUT, "orchestration", failures=["inventory"])
    assert resumed.events == alone.run_to_end()
