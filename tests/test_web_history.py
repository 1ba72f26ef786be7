"""Durable runs: the server records every run in SQLite, a crash replays that history, and a
restarted server still lists what it had."""

from __future__ import annotations

from saga_core.sqlite_history import SQLiteHistory
from webapp import create_app, socketio
from webapp.history import open_history
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
