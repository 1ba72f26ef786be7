"""Durable runs: the server records every run in SQLite, a crash replays that history, and a
restarted server still lists what it had."""

from __future__ import annotations

import threading

import pytest

from saga_core import HistoryError, Run, load_scenario
from saga_core.sqlite_history import SQLiteHistory
from webapp import create_app, socketio
from webapp.history import StoreThread, open_history
from webapp.testing import wait_until


def play_to_end(app, **start) -> tuple[str, list[dict]]:
    runner = app.extensions["sagascope"]
    client = socketio.test_client(app)
    ack = client.emit("start", {"speed": "max", "autoplay": True, **start}, callback=True)
    assert ack["ok"], ack
    wait_until(lambda: runner.get(ack["run_id"]).state == "finished", timeout=10,
               what="the run to finish")
    return ack["run_id"], [m["args"][0]["event"] for m in client.queue
                           if m["name"] == "saga_event"]


def test_a_restarted_server_lists_its_runs_and_replays_their_events(tmp_path):
    history = str(tmp_path / "history.sqlite")
    first = create_app({"TESTING": True, "SAGASCOPE_HISTORY": history})
    done, streamed = play_to_end(first, mode="hybrid", failures=["inventory"], seed=9)
    client = socketio.test_client(first)
    waiting = client.emit("start", {"seed": 2}, callback=True)["run_id"]
    first.extensions["sagascope"].shutdown()

    second = create_app({"TESTING": True, "SAGASCOPE_HISTORY": history})
    try:
        api = second.test_client()
        runs = {r["run_id"]: r for r in api.get("/api/runs").json["runs"]}
        assert runs[done] == {"run_id": done, "scenario": "checkout", "mode": "hybrid", "seed": 9,
                              "failures": ["inventory:fail:1"], "status": "compensated",
                              "live": False}
        assert runs[waiting]["status"] == "running"
        assert api.get(f"/api/runs/{done}").json["events"] == streamed
    finally:
        second.extensions["sagascope"].shutdown()


def test_a_crashed_orchestrator_is_rebuilt_from_the_servers_sqlite_history(tmp_path):
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": str(tmp_path / "history.sqlite")})
    try:
        run_id, events = play_to_end(app, mode="orchestration", failures=["inventory:crash"],
                                     seed=3)
        kinds = [e["kind"] for e in events]
        crashed, recovered = kinds.index("orchestrator.crashed"), kinds.index(
            "orchestrator.recovered")
        assert crashed < recovered
        assert events[recovered]["detail"]["replayed_events"] == crashed + 1
        assert kinds[-1] == "saga.completed"
        stored = app.test_client().get(f"/api/runs/{run_id}").json
        assert stored["events"] == events and stored["run"]["status"] == "completed"
    finally:
        app.extensions["sagascope"].shutdown()


def test_by_default_the_history_is_a_sqlite_file_in_the_instance_folder(tmp_path):
    store = open_history(None, str(tmp_path / "instance"))
    try:
        assert isinstance(store.store, SQLiteHistory)
        assert (tmp_path / "instance" / "history.sqlite").exists()
        assert store.commits_per_transition is True
    finally:
        store.close()


class HeldHistory(SQLiteHistory):
    """A real SQLite history that notes how appends reach it, and whose `runs` holds the store
    thread until released, so that appends can queue up behind it."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.groups: list[int] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    def append(self, run_id, events, world) -> None:
        self.groups.append(1)
        super().append(run_id, events, world)

    def append_many(self, transitions):
        self.groups.append(len(transitions))
        return super().append_many(transitions)

    def runs(self):
        self.holding.set()
        self.release.wait(10)
        return super().runs()


def step_together(store: StoreThread, runs: list[Run]) -> dict[str, BaseException]:
    """Step every run from its own thread while the store thread is held; then let it go."""
    failed: dict[str, BaseException] = {}

    def step(run: Run) -> None:
        try:
            run.step()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failed[run.run_id] = exc

    held = store.store
    held.holding.clear()
    held.release.clear()
    blocker = threading.Thread(target=store.runs)
    blocker.start()
    assert held.holding.wait(5)
    steppers = [threading.Thread(target=step, args=(run,)) for run in runs]
    for thread in steppers:
        thread.start()
    wait_until(lambda: len(store._calls) == len(runs), timeout=5, what="every append to queue")
    held.release.set()
    for thread in [blocker, *steppers]:
        thread.join(5)
    return failed


def test_transitions_waiting_on_the_store_thread_are_committed_in_one_group(tmp_path):
    path = tmp_path / "history.sqlite"
    store = StoreThread(lambda: HeldHistory(path))
    try:
        checkout = load_scenario("checkout")
        runs = [Run(checkout, "choreography", seed=seed, store=store) for seed in range(5)]
        assert step_together(store, runs) == {}
        assert store.store.groups == [5]
        reader = SQLiteHistory(path, create=False)
        for run in runs:
            assert run.events and reader.events(run.run_id) == run.events
            assert reader.world(run.run_id) == run.world.snapshot()
    finally:
        store.close()


def test_a_transition_the_file_refuses_fails_only_its_own_run(tmp_path):
    path = tmp_path / "history.sqlite"
    store = StoreThread(lambda: HeldHistory(path))
    try:
        checkout = load_scenario("checkout")
        runs = [Run(checkout, "orchestration", seed=seed, store=store) for seed in range(3)]
        assert step_together(store, runs) == {}
        elsewhere = Run.resume(checkout, SQLiteHistory(path), runs[1].run_id)
        elsewhere.step()  # another process advances the same run first
        failed = step_together(store, runs)
        assert list(failed) == [runs[1].run_id]
        assert isinstance(failed[runs[1].run_id], HistoryError)
        assert "advanced by another process" in str(failed[runs[1].run_id])
        assert store.store.groups == [3, 3]
        reader = SQLiteHistory(path, create=False)
        for run in (runs[0], runs[2]):
            assert reader.events(run.run_id) == run.events
    finally:
        store.close()


def test_a_closed_store_refuses_calls_with_a_reason(tmp_path):
    store = open_history(str(tmp_path / "history.sqlite"), str(tmp_path))
    store.close()
    store.close()  # closing twice is harmless
    with pytest.raises(HistoryError, match="closed"):
        store.runs()
