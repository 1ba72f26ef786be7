"""Group commit: one transition each of several runs in one SQLite transaction, as the server's
store thread commits the transitions that wait on it together. Every run must end up exactly as
if each transition had been committed alone, and a transition the file refuses must not take
the others down with it."""

from __future__ import annotations

import sqlite3

import pytest

from saga_core import HistoryError, HistoryStore, Run, SQLiteHistory, load_scenario

CHECKOUT = load_scenario("checkout")
CASES = [
    ("orchestration", [], 1),
    ("orchestration", ["inventory", "payment:compensate:2"], 2),
    ("orchestration", ["payment:crash", "shipping:timeout:3"], 3),
    ("choreography", ["payment:crash", "order:duplicate"], 4),
    ("choreography", ["shipping", "inventory:drop:2"], 5),
    ("hybrid", ["inventory:crash", "payment:transient:2"], 6),
    ("hybrid", ["shipping", "order:compensate"], 7),
]


class Grouped(HistoryStore):
    """A SQLiteHistory used the way the server's store thread uses it: each run's transition
    waits, and `commit` commits every waiting transition in one `append_many`."""

    commits_per_transition = True

    def __init__(self, store: SQLiteHistory) -> None:
        self.store = store
        self.waiting: list = []

    def create_run(self, record, world) -> None:
        self.store.create_run(record, world)

    def events(self, run_id):
        return self.store.events(run_id)

    def record(self, run_id):
        return self.store.record(run_id)

    def world(self, run_id):
        return self.store.world(run_id)

    def runs(self):
        return self.store.runs()

    def load(self, run_id):
        return self.store.load(run_id)

    def append(self, run_id, events, world) -> None:
        self.waiting.append((run_id, events, world))

    def set_status(self, run_id, status) -> None:
        self.commit()  # a run's outcome is recorded after its last transition
        self.store.set_status(run_id, status)

    def commit(self) -> list:
        waiting, self.waiting = self.waiting, []
        return self.store.append_many(waiting) if waiting else []


def lockstep(store: Grouped) -> list[Run]:
    return [Run(CHECKOUT, mode, failures=failures, seed=seed, store=store)
            for mode, failures, seed in CASES]


def dump(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


def test_runs_committed_together_are_recorded_exactly_as_if_each_committed_alone(tmp_path):
    store = SQLiteHistory(tmp_path / "h.db")
    commits: list[str] = []
    store._db.set_trace_callback(lambda sql: sql == "COMMIT" and commits.append(sql))
    grouped = Grouped(store)
    runs = lockstep(grouped)
    groups = transitions = 0
    while not all(run.finished for run in runs):
        for run in runs:
            if not run.finished:
                run.step()
        if grouped.waiting:
            size = len(grouped.waiting)
            commits.clear()
            assert grouped.commit() == [None] * size
            assert len(commits) == 1, "a group is one transaction"
            groups, transitions = groups + 1, transitions + size
    assert groups < transitions / 2

    reader = SQLiteHistory(tmp_path / "h.db", create=False)
    for (mode, failures, seed), run in zip(CASES, runs, strict=True):
        alone = Run(CHECKOUT, mode, failures=failures, seed=seed)
        alone.run_to_end()
        assert [e.to_json() for e in reader.events(run.run_id)] == [
            e.to_json() for e in alone.events]
        assert reader.world(run.run_id) == alone.world.snapshot()
        assert reader.record(run.run_id).status == alone.outcome


def test_after_every_group_commit_the_file_holds_each_runs_events_and_services(tmp_path):
    path = tmp_path / "h.db"
    grouped = Grouped(SQLiteHistory(path))
    runs = lockstep(grouped)
    reader = SQLiteHistory(path, create=False)
    while not all(run.finished for run in runs):
        for run in runs:
            if not run.finished:
                run.step()
        grouped.commit()
        for run in runs:
            assert reader.events(run.run_id) == run.events
            assert reader.world(run.run_id) == run.world.snapshot()


def test_a_transition_that_would_leave_a_gap_is_refused_alone_and_the_rest_commit(tmp_path):
    path = tmp_path / "h.db"
    grouped = Grouped(SQLiteHistory(path))
    gappy, fine = lockstep(grouped)[:2]
    for run in (gappy, fine):
        run.step()
    grouped.commit()
    gappy.step()
    grouped.waiting.clear()  # this transition of `gappy` is lost before it is committed
    for run in (gappy, fine):
        run.step()
    refused = grouped.commit()
    assert isinstance(refused[0], HistoryError) and "never committed" in str(refused[0])
    assert refused[1] is None
    reader = SQLiteHistory(path, create=False)
    assert reader.events(fine.run_id) == fine.events
    assert len(reader.events(gappy.run_id)) < len(gappy.events)


def test_a_run_another_process_advanced_is_refused_alone_and_the_rest_commit(tmp_path):
    path = tmp_path / "h.db"
    grouped = Grouped(SQLiteHistory(path))
    runs = lockstep(grouped)[:3]
    for run in runs:
        run.step()
    grouped.commit()
    for run in runs:
        run.step()
    run_id, events, world = grouped.waiting[1]
    SQLiteHistory(path).append(run_id, events, world)  # another process got there first
    refused = grouped.commit()
    assert refused[0] is None and refused[2] is None
    assert isinstance(refused[1], HistoryError)
    assert "advanced by another process" in str(refused[1])
    reader = SQLiteHistory(path, create=False)
    for run in runs:
        assert reader.events(run.run_id) == run.events


def test_a_group_that_cannot_commit_writes_nothing_and_commits_once_the_file_is_free(tmp_path):
    path = tmp_path / "h.db"
    grouped = Grouped(SQLiteHistory(path, timeout=0.05))
    runs = lockstep(grouped)[:3]
    for run in runs:
        run.step()
    waiting = list(grouped.waiting)
    before = dump(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    with pytest.raises(HistoryError, match="locked by another process"):
        grouped.commit()
    other.execute("ROLLBACK")
    other.close()
    assert dump(path) == before
    assert grouped.store.append_many(waiting) == [None, None, None]
    reader = SQLiteHistory(path, create=False)
    for run in runs:
        assert reader.events(run.run_id) == run.events


def test_a_group_takes_at_most_one_transition_of_each_run(tmp_path):
    grouped = Grouped(SQLiteHistory(tmp_path / "h.db"))
    run = lockstep(grouped)[0]
    run.step()
    run.step()
    with pytest.raises(ValueError, match="at most one transition per run"):
        grouped.commit()
