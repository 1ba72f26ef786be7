"""One student can never drive another student's run, nor see its events."""

from __future__ import annotations

import pytest

from webapp import create_app, get_runner, socketio
from webapp.testing import wait_until


@pytest.fixture
def app():
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:"})
    yield app
    get_runner(app).shutdown()


def payloads(client, name):
    return [m["args"][0] for m in client.queue if m["name"] == name]


def test_two_clients_cannot_drive_each_others_runs(app):
    runner = get_runner(app)
    alice, bob = socketio.test_client(app), socketio.test_client(app)
    hers = alice.emit("start", {"seed": 1, "failures": ["inventory"]}, callback=True)
    his = bob.emit("start", {"seed": 2}, callback=True)

    for name, payload in [
        ("control", {"run_id": hers["run_id"], "action": "play"}),
        ("control", {"run_id": hers["run_id"], "action": "step"}),
        ("control", {"run_id": hers["run_id"], "action": "reset"}),
        ("control", {"run_id": hers["run_id"], "action": "speed", "speed": 8}),
        ("inject", {"run_id": hers["run_id"], "failure": "payment"}),
    ]:
        ack = bob.emit(name, payload, callback=True)
        assert ack["ok"] is False and ack["error"]["code"] == "not_your_run", (name, ack)
        assert "belongs to another connection" in ack["error"]["reason"]
    stolen = bob.emit("reattach", {"run_id": hers["run_id"], "token": his["token"],
                                   "last_seq": 0}, callback=True)
    assert stolen["error"]["code"] == "bad_token"

    live = runner.get(hers["run_id"])
    assert live.owner != runner.get(his["run_id"]).owner
    assert (live.state, live.last_seq, live.speed) == ("ready", 0, 1)

    for client, ack in [(alice, hers), (bob, his)]:
        assert client.emit("control", {"run_id": ack["run_id"], "action": "play",
                                       "speed": "max"}, callback=True)["ok"]
    for ack in (hers, his):
        wait_until(lambda ack=ack: runner.get(ack["run_id"]).state == "finished", timeout=10,
                   what="both runs to finish")
    assert {p["run_id"] for p in payloads(alice, "saga_event")} == {hers["run_id"]}
    assert {p["run_id"] for p in payloads(bob, "saga_event")} == {his["run_id"]}
    assert {p["run_id"] for p in payloads(alice, "run_state")} == {hers["run_id"]}
    assert runner.get(hers["run_id"]).outcome == "compensated"
    assert runner.get(his["run_id"]).outcome == "completed"


def test_run_ids_and_tokens_are_unguessable(app):
    client = socketio.test_client(app)
    acks = [client.emit("start", {"seed": 1}, callback=True) for _ in range(4)]
    assert len({a["run_id"] for a in acks}) == 4 and len({a["token"] for a in acks}) == 4
    for ack in acks:
        assert len(ack["run_id"]) - len("r-") >= 24, "96 random bits, hex"
        assert ack["token"] not in ack["run_id"]


def test_a_reattached_run_belongs_to_the_new_connection_only(app):
    first, second = socketio.test_client(app), socketio.test_client(app)
    ack = first.emit("start", {"seed": 1}, callback=True)
    assert second.emit("reattach", {"run_id": ack["run_id"], "token": ack["token"],
                                    "last_seq": 0}, callback=True)["ok"]
    refused = first.emit("control", {"run_id": ack["run_id"], "action": "step"}, callback=True)
    assert refused["error"]["code"] == "not_your_run"
    assert second.emit("control", {"run_id": ack["run_id"], "action": "step"},
                       callback=True)["ok"]
