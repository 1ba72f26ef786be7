"""Durable runs: the server records every run in SQLite, a crash replays that history, and a
restarted server still lists what it had."""

from __future__ import annotations

import threading

import pytest

from saga_core import HistoryError, Run, load_scenario
from saga_core.store.sqlite import SQLiteHistory
from webapp import create_app, get_runner, socketio
from webapp.store_thread import MAX_GROUP, StoreThread, open_history
from webapp.testing import wait_until


def play_to_end(app, **start) -> tuple[str, list[dict]]:
    runner = get_runner(app)
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
    get_runner(first).shutdown()

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
        get_runner(second).shutdown()


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
        get_runner(app).shutdown()


def test_by_default_the_history_is_a_sqlite_file_in_the_instance_folder(tmp_path):
    store = open_history(None, str(tmp_path / "instance"))
    try:
        assert isinstance(store.store, SQLiteHistory)
        assert (tmp_path / "instance" / "history.sqlite").exists()
        assert store.commits_per_transition is True
    finally:
        store.close()


class HeldHistory(SQLiteHistory):
    """A real SQLite history that notes how appends reach it (group sizes, runs in commit
    order), and whose `runs` holds the store thread until released, so that calls can queue up
    behind it."""

    def __init__(self, path) -> None:
        super().__init__(path)
        self.groups: list[int] = []
        self.committed: list[str] = []
        self.holding = threading.Event()
        self.release = threading.Event()

    def append(self, run_id, events, world) -> None:
        self.groups.append(1)
        super().append(run_id, events, world)
        self.committed.append(run_id)

    def append_many(self, transitions):
        self.groups.append(len(transitions))
        refused = super().append_many(transitions)
        self.committed += [t[0] for t, error in zip(transitions, refused, strict=True)
                           if error is None]
        return refused

    def runs(self):
        self.holding.set()
        self.release.wait(10)
        return super().runs()


def queue_in_order(store: StoreThread, calls: list) -> dict[int, BaseException]:
    """Hold the store thread, make each call (one store call apiece) from its own thread, in this
    order, once the one before it is queued; then let the store thread go. Answers what failed,
    by position."""
    failed: dict[int, BaseException] = {}

    def call(i: int) -> None:
        try:
            calls[i]()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            failed[i] = exc

    held = store.store
    held.holding.clear()
    held.release.clear()
    blocker = threading.Thread(target=store.runs)
    blocker.start()
    assert held.holding.wait(5)
    threads = []
    for i in range(len(calls)):
        threads.append(threading.Thread(target=call, args=(i,)))
        threads[-1].start()
        wait_until(lambda n=i + 1: len(store._calls) == n, timeout=5, what=f"call {i} to queue")
    held.release.set()
    for thread in [blocker, *threads]:
        thread.join(5)
    return failed


def grouped_step(store: StoreThread, run: Run):
    """A step as the pacer of a run at speed max takes it."""
    def step() -> None:
        with store.grouped():
            run.step()

    return step


def step_together(store: StoreThread, runs: list[Run]) -> dict[str, BaseException]:
    failed = queue_in_order(store, [grouped_step(store, run) for run in runs])
    return {runs[i].run_id: exc for i, exc in failed.items()}


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


def test_a_group_commits_at_most_max_group_transitions_so_it_releases_few_runs_at_once(
    tmp_path
):
    path = tmp_path / "history.sqlite"
    store = StoreThread(lambda: HeldHistory(path))
    try:
        checkout = load_scenario("checkout")
        runs = [Run(checkout, "hybrid", seed=seed, store=store) for seed in range(MAX_GROUP + 2)]
        assert step_together(store, runs) == {}
        assert store.store.groups == [MAX_GROUP, 2]
        reader = SQLiteHistory(path, create=False)
        assert all(reader.events(run.run_id) == run.events for run in runs)
    finally:
        store.close()


def test_store_calls_are_served_in_the_order_they_came(tmp_path):
    path = tmp_path / "history.sqlite"
    store = StoreThread(lambda: HeldHistory(path))
    try:
        checkout = load_scenario("checkout")
        first, second, third = (Run(checkout, "orchestration", seed=s, store=store)
                                for s in range(3))
        seen: list = []
        failed = queue_in_order(store, [
            grouped_step(store, first), grouped_step(store, second),
            lambda: seen.append(store.events(first.run_id)), grouped_step(store, third),
        ])
        assert failed == {}
        assert store.store.groups == [2, 1]
        assert seen == [first.events], "a read sees every append queued before it"
    finally:
        store.close()


def test_paced_runs_transitions_are_committed_one_at_a_time_in_the_order_they_came(tmp_path):
    path = tmp_path / "history.sqlite"
    store = StoreThread(lambda: HeldHistory(path))
    try:
        checkout = load_scenario("checkout")
        runs = [Run(checkout, "orchestration", seed=seed, store=store) for seed in range(4)]
        fast, *paced = runs
        failed = queue_in_order(store, [paced[0].step, grouped_step(store, fast), paced[1].step,
                                        paced[2].step])
        assert failed == {}
        assert store.store.groups == [1, 1, 1, 1]
        assert store.store.committed == [paced[0].run_id, fast.run_id, paced[1].run_id,
                                         paced[2].run_id]
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
