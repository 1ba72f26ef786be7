"""The SQLite history store: what it keeps, when it commits, and who may write a run."""

from __future__ import annotations

import sqlite3

import pytest

from saga_core import HistoryError, MemoryHistory, Run, SQLiteHistory, load_scenario
from saga_core.world import World

CHECKOUT = load_scenario("checkout")
CASES = [
    ("orchestration", []),
    ("orchestration", ["inventory", "payment:compensate:2"]),
    ("orchestration", ["payment:crash", "shipping:timeout:3"]),
    ("choreography", ["payment:crash", "order:duplicate"]),
    ("choreography", ["shipping", "inventory:drop:2"]),
    ("hybrid", ["inventory:crash", "payment:transient:2"]),
    ("hybrid", ["shipping", "order:compensate"]),
]


def dump(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


@pytest.mark.parametrize(("mode", "failures"), CASES)
def test_a_run_recorded_in_sqlite_has_the_same_events_and_services_as_in_memory(
    tmp_path, mode, failures
):
    in_memory = Run(CHECKOUT, mode, failures=failures, seed=7)
    in_memory.run_to_end()
    with SQLiteHistory(tmp_path / "h.db") as store:
        durable = Run(CHECKOUT, mode, failures=failures, seed=7, store=store)
        durable.run_to_end()
    with SQLiteHistory(tmp_path / "h.db", create=False) as reopened:
        assert [e.to_json() for e in reopened.events(durable.run_id)] == [
            e.to_json() for e in in_memory.events
        ]
        assert reopened.world(durable.run_id) == in_memory.world.snapshot()
        record = reopened.record(durable.run_id)
    assert (record.mode, record.seed, record.status) == (mode, 7, in_memory.outcome)
    assert record.failures == [str(s) for s in in_memory.specs]


@pytest.mark.parametrize(("mode", "failures"), CASES)
def test_after_every_transition_the_file_holds_its_events_and_the_services_they_describe(
    tmp_path, mode, failures
):
    path = tmp_path / "h.db"
    store = SQLiteHistory(path)
    run = Run(CHECKOUT, mode, failures=failures, seed=3, store=store)
    reader = SQLiteHistory(path, create=False)
    while not run.finished:
        run.step()
        assert reader.events(run.run_id) == run.events
        assert reader.world(run.run_id) == run.world.snapshot()


def test_a_run_injected_with_a_failure_mid_way_resumes_with_that_failure(tmp_path):
    path = tmp_path / "h.db"
    run = Run(CHECKOUT, "orchestration", seed=1, store=SQLiteHistory(path))
    for _ in range(3):
        run.step()
    run.inject("inventory:fail")
    run.step()
    resumed = Run.resume(CHECKOUT, SQLiteHistory(path, create=False), run.run_id)
    resumed.run_to_end()
    assert resumed.outcome == "compensated"
    assert any(e.kind == "failure.injected" for e in resumed.events)


def test_several_runs_share_one_file_and_each_resumes_on_its_own(tmp_path):
    path = tmp_path / "h.db"
    store = SQLiteHistory(path)
    ids = []
    for mode in ("orchestration", "choreography", "hybrid"):
        run = Run(CHECKOUT, mode, failures=["payment:crash"], seed=2, store=store)
        for _ in range(4):
            run.step()
        ids.append(run.run_id)
    reopened = SQLiteHistory(path, create=False)
    assert [r.run_id for r in reopened.runs()] == ids
    assert reopened.latest_run_id() == ids[-1]
    for run_id in ids:
        resumed = Run.resume(CHECKOUT, reopened, run_id)
        resumed.run_to_end()
        alone = Run(CHECKOUT, resumed.mode, failures=["payment:crash"], seed=2)
        assert resumed.events == alone.run_to_end()
    assert {s.status for s in reopened.summaries()} == {"completed"}


def test_the_same_run_recorded_twice_is_refused_and_the_first_stays_as_it_was(tmp_path):
    path = tmp_path / "h.db"
    Run(CHECKOUT, "hybrid", seed=4, store=SQLiteHistory(path)).run_to_end()
    before = dump(path)
    with pytest.raises(HistoryError, match="already recorded"):
        Run(CHECKOUT, "hybrid", seed=4, store=SQLiteHistory(path))
    assert dump(path) == before


def test_two_copies_of_one_run_cannot_both_advance_it(tmp_path):
    path = tmp_path / "h.db"
    first = Run(CHECKOUT, "orchestration", seed=5, store=SQLiteHistory(path))
    first.step()
    mine = Run.resume(CHECKOUT, SQLiteHistory(path), first.run_id)
    theirs = Run.resume(CHECKOUT, SQLiteHistory(path), first.run_id)
    mine.step()
    with pytest.raises(HistoryError, match="advanced by another process"):
        theirs.step()
    reader = SQLiteHistory(path, create=False)
    assert reader.events(first.run_id) == mine.events
    mine.run_to_end()
    assert World.from_snapshot(reader.world(first.run_id)).applied_count("order") == 1


def test_resuming_a_finished_run_changes_nothing_in_the_file(tmp_path):
    path = tmp_path / "h.db"
    Run(CHECKOUT, "choreography", failures=["inventory"], seed=6,
        store=SQLiteHistory(path)).run_to_end()
    before = dump(path)
    store = SQLiteHistory(path, create=False)
    resumed = Run.resume(CHECKOUT, store, store.latest_run_id())
    assert resumed.finished and resumed.outcome == "compensated"
    assert resumed.run_to_end() == []
    assert dump(path) == before


def test_a_run_that_died_before_recording_its_outcome_gets_it_on_resume(tmp_path):
    path = tmp_path / "h.db"
    run = Run(CHECKOUT, "orchestration", seed=8, store=SQLiteHistory(path))
    run.run_to_end()
    with sqlite3.connect(path) as db:  # as if the process died between the two commits
        db.execute("UPDATE runs SET status = 'running'")
    store = SQLiteHistory(path, create=False)
    Run.resume(CHECKOUT, store, run.run_id)
    assert store.record(run.run_id).status == "completed"


def test_the_recorded_events_cannot_be_rewritten(tmp_path):
    path = tmp_path / "h.db"
    Run(CHECKOUT, "orchestration", store=SQLiteHistory(path)).run_to_end()
    with sqlite3.connect(path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE events SET narration = 'nothing happened'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM events")


def test_a_crash_is_marked_in_the_run_status_until_the_run_carries_on(tmp_path):
    path = tmp_path / "h.db"
    store = SQLiteHistory(path)
    run = Run(CHECKOUT, "orchestration", failures=["payment:crash"], store=store)
    while not any(e.kind == "orchestrator.crashed" for e in run.events):
        run.step()
    assert store.record(run.run_id).status == "crashed"
    run.step()
    assert store.record(run.run_id).status == "running"
    run.run_to_end()
    assert store.record(run.run_id).status == "completed"


def test_an_unknown_run_id_is_answered_with_the_runs_the_file_holds(tmp_path):
    store = SQLiteHistory(tmp_path / "h.db")
    run = Run(CHECKOUT, "orchestration", store=store)
    with pytest.raises(HistoryError, match=rf"no run 'r-nope' .*its runs: {run.run_id}"):
        store.events("r-nope")


def test_the_memory_store_still_keeps_every_run_in_the_process():
    store = MemoryHistory()
    run = Run(CHECKOUT, "hybrid", failures=["order:crash"], store=store)
    run.run_to_end()
    assert store.events(run.run_id) == run.events
    assert store.record(run.run_id).status == "completed"
