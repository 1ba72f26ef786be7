"""Every Socket.IO message, and every way of getting one wrong, through Flask-SocketIO's test
client. Runs play at speed max so nothing waits on a wall clock for long."""

from __future__ import annotations

import pytest
from schema_assertions import assert_schema_valid

from webapp import create_app, get_runner, socketio
from webapp.testing import wait_until


@pytest.fixture
def app():
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:"})
    yield app
    get_runner(app).shutdown()


@pytest.fixture
def runner(app):
    return get_runner(app)


@pytest.fixture
def client(app):
    return socketio.test_client(app)


def received(client, name: str, run_id: str | None = None) -> list[dict]:
    out = [m["args"][0] for m in client.queue if m["name"] == name]
    return [p for p in out if run_id is None or p.get("run_id") == run_id]


def events_of(client, run_id: str) -> list[dict]:
    return [p["event"] for p in received(client, "saga_event", run_id)]


def finish(runner, run_id: str) -> None:
    """Wait (bounded) until the pacer is done, so the client's queue is complete."""
    wait_until(lambda: runner.get(run_id).state == "finished", timeout=10,
               what=f"run {run_id} to finish")


def start(client, **payload) -> dict:
    ack = client.emit("start", {"mode": "orchestration", "seed": 1, **payload}, callback=True)
    assert ack["ok"], ack
    return ack


# -- start -----------------------------------------------------------------------------------------
def test_start_answers_a_run_id_and_a_token_and_waits_ready(client):
    ack = start(client, failures=["inventory"], speed=2)
    assert set(ack) == {"ok", "run_id", "token", "seed", "run_state"}
    assert ack["run_id"].startswith("r-") and len(ack["run_id"]) >= 20
    assert len(ack["token"]) >= 24 and ack["seed"] == 1
    assert ack["run_state"] == {"run_id": ack["run_id"], "state": "ready", "outcome": None,
                                "speed": 2, "last_seq": 0}
    assert received(client, "run_state") == [ack["run_state"]]
    assert received(client, "saga_event") == []


def test_autoplay_at_max_streams_every_event_in_seq_order_then_the_outcome(client, runner, app):
    ack = start(client, mode="choreography", failures=["inventory"], speed="max", autoplay=True)
    finish(runner, ack["run_id"])
    events = events_of(client, ack["run_id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    trace = app.test_client().get("/api/trace?mode=choreography&fail=inventory&seed=1").json
    assert [{**e, "run_id": None} for e in events] == [
        {**e, "run_id": None} for e in trace["events"]]
    assert_schema_valid(events)
    states = received(client, "run_state", ack["run_id"])
    assert [s["state"] for s in states] == ["ready", "playing", "finished"]
    assert states[-1]["outcome"] == "compensated" and states[-1]["last_seq"] == len(events)


def test_without_a_seed_the_server_picks_one_and_saga_started_reports_it(client, runner):
    ack = client.emit("start", {"speed": "max", "autoplay": True}, callback=True)
    finish(runner, ack["run_id"])
    first = events_of(client, ack["run_id"])[0]
    assert first["kind"] == "saga.started" and first["detail"]["seed"] == ack["seed"]


# -- control ---------------------------------------------------------------------------------------
def test_step_emits_exactly_one_transition_and_leaves_the_run_paused(client):
    run_id = start(client)["run_id"]
    ack = client.emit("control", {"run_id": run_id, "action": "step"}, callback=True)
    assert ack["ok"] and ack["events"] == len(events_of(client, run_id)) >= 1
    assert ack["run_state"]["state"] == "paused"
    assert received(client, "run_state")[-1]["state"] == "paused"
    client.emit("control", {"run_id": run_id, "action": "step"}, callback=True)
    seqs = [e["seq"] for e in events_of(client, run_id)]
    assert seqs == list(range(1, len(seqs) + 1))


def test_play_then_pause_then_play_at_max_reaches_the_end(client, runner):
    run_id = start(client, failures=["shipping"], speed=0.25)["run_id"]
    played = client.emit("control", {"run_id": run_id, "action": "play"}, callback=True)
    assert played["run_state"]["state"] == "playing"
    paused = client.emit("control", {"run_id": run_id, "action": "pause"}, callback=True)
    assert paused["run_state"]["state"] == "paused"
    again = client.emit("control", {"run_id": run_id, "action": "play", "speed": "max"},
                        callback=True)
    assert again["run_state"]["speed"] == "max"
    finish(runner, run_id)
    assert runner.get(run_id).outcome == "compensated"
    assert [s["state"] for s in received(client, "run_state")][-1] == "finished"


def test_speed_changes_the_pace_and_says_so(client):
    run_id = start(client)["run_id"]
    ack = client.emit("control", {"run_id": run_id, "action": "speed", "speed": 0.5},
                      callback=True)
    assert ack["run_state"]["speed"] == 0.5
    assert received(client, "run_state")[-1]["speed"] == 0.5


def test_reset_restarts_the_same_inputs_under_a_new_id_and_token(client, runner):
    first = start(client, failures=["payment"], speed="max", autoplay=True)
    finish(runner, first["run_id"])
    before = events_of(client, first["run_id"])
    ack = client.emit("control", {"run_id": first["run_id"], "action": "reset"}, callback=True)
    assert ack["ok"] and ack["run_id"] != first["run_id"] and ack["token"] != first["token"]
    assert ack["run_state"]["state"] == "ready" and ack["run_state"]["speed"] == "max"
    assert runner.get(first["run_id"]) is None
    client.emit("control", {"run_id": ack["run_id"], "action": "play"}, callback=True)
    finish(runner, ack["run_id"])
    after = events_of(client, ack["run_id"])
    assert [{**e, "run_id": 0} for e in after] == [{**e, "run_id": 0} for e in before]


# -- inject ----------------------------------------------------------------------------------------
def test_an_injected_failure_is_streamed_as_an_event_and_changes_the_outcome(client, runner):
    run_id = start(client)["run_id"]
    client.emit("control", {"run_id": run_id, "action": "step"}, callback=True)
    ack = client.emit("inject", {"run_id": run_id, "failure": "shipping"}, callback=True)
    assert ack["ok"] and ack["seq"] == events_of(client, run_id)[-1]["seq"]
    assert events_of(client, run_id)[-1]["kind"] == "failure.injected"
    client.emit("control", {"run_id": run_id, "action": "play", "speed": "max"}, callback=True)
    finish(runner, run_id)
    assert received(client, "run_state")[-1]["outcome"] == "compensated"


# -- reattach --------------------------------------------------------------------------------------
def test_a_reconnecting_browser_reattaches_and_receives_the_events_it_missed(app, runner):
    first = socketio.test_client(app)
    ack = start(first)
    for _ in range(3):
        first.emit("control", {"run_id": ack["run_id"], "action": "step"}, callback=True)
    seen = events_of(first, ack["run_id"])
    first.disconnect()
    second = socketio.test_client(app)
    back = second.emit("reattach", {"run_id": ack["run_id"], "token": ack["token"],
                                    "last_seq": 1}, callback=True)
    assert back["ok"] and back["resent"] == len(seen) - 1
    assert events_of(second, ack["run_id"]) == seen[1:]
    assert received(second, "run_state")[-1]["state"] == "paused"
    step = second.emit("control", {"run_id": ack["run_id"], "action": "step"}, callback=True)
    assert step["ok"]


# -- errors ----------------------------------------------------------------------------------------
START_ERRORS = [
    ([], "bad_payload", "takes one object with the fields: mode, scenario, failures"),
    ("orchestration", "bad_payload", "takes one object"),
    ({"mood": "x"}, "bad_payload", "unknown field 'mood'"),
    ({"mode": "telepathy"}, "bad_payload", "valid modes: orchestration, choreography, hybrid"),
    ({"scenario": "nope"}, "bad_payload", "valid scenarios: "),
    ({"scenario": "../../etc/passwd"}, "bad_payload", "valid scenarios: "),
    ({"failures": "inventory"}, "bad_payload", "list of failure specs"),
    ({"failures": ["warehouse"]}, "bad_failure_spec", "valid steps: order, payment"),
    ({"failures": ["payment:explode"]}, "bad_failure_spec", "valid kinds: fail, transient"),
    ({"failures": [42]}, "bad_failure_spec", "STEP[:KIND[:N]]"),
    ({"failures": ["order"] * 11}, "bad_payload", "at most 10"),
    ({"seed": -1}, "bad_payload", "a whole number from 0 to"),
    ({"seed": 1.5}, "bad_payload", "a whole number"),
    ({"seed": "7"}, "bad_payload", "a whole number"),
    ({"seed": True}, "bad_payload", "a whole number"),
    ({"speed": 0}, "bad_payload", "a number from 0.25 to 8, or \"max\""),
    ({"speed": 9}, "bad_payload", "from 0.25 to 8"),
    ({"speed": "fast"}, "bad_payload", "from 0.25 to 8"),
    ({"autoplay": "yes"}, "bad_payload", "autoplay must be true or false"),
]


@pytest.mark.parametrize(("payload", "code", "says"), START_ERRORS)
def test_a_bad_start_is_answered_with_an_error_that_says_what_is_valid(client, payload, code,
                                                                        says):
    assert_refused(client, "start", payload, code, says)


def assert_refused(client, name, payload, code, says, run_id=None):
    ack = client.emit(name, payload, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == code, ack
    assert says in ack["error"]["reason"], ack["error"]["reason"]
    error = received(client, "error")[-1]
    assert error["code"] == code and error["reason"] == ack["error"]["reason"]
    assert error["message"] == name
    if run_id is not None:
        assert error["run_id"] == run_id


def test_every_control_mistake_gets_its_own_reason(client, runner):
    run_id = start(client)["run_id"]
    for payload, code, says in [
        ({"action": "play"}, "bad_payload", "needs the field 'run_id'"),
        ({"run_id": run_id}, "bad_payload", "needs the field 'action'"),
        ({"run_id": 7, "action": "play"}, "bad_payload", "run_id must be the string"),
        ({"run_id": run_id, "action": "rewind"}, "bad_payload",
         "valid actions: play, pause, step, reset, speed"),
        ({"run_id": run_id, "action": "pause", "speed": 2}, "bad_payload",
         "speed goes with the play or speed actions"),
        ({"run_id": run_id, "action": "speed"}, "bad_payload", "the speed action needs a speed"),
        ({"run_id": run_id, "action": "speed", "speed": 100}, "bad_payload", "from 0.25 to 8"),
        ({"run_id": "r-nope", "action": "play"}, "unknown_run", "start a new run"),
    ]:
        assert_refused(client, "control", payload, code, says)


def test_a_finished_run_refuses_play_step_and_inject_but_can_be_reset(client, runner):
    run_id = start(client, speed="max", autoplay=True)["run_id"]
    finish(runner, run_id)
    for name, payload in [("control", {"action": "play"}), ("control", {"action": "step"}),
                          ("inject", {"failure": "payment"})]:
        assert_refused(client, name, {"run_id": run_id, **payload}, "run_finished",
                       "reset it or start a new run", run_id)
    assert client.emit("control", {"run_id": run_id, "action": "reset"}, callback=True)["ok"]


def test_every_inject_and_reattach_mistake_gets_its_own_reason(client):
    ack = start(client)
    run_id = ack["run_id"]
    for name, payload, code, says in [
        ("inject", {"run_id": run_id}, "bad_payload", "needs the field 'failure'"),
        ("inject", {"run_id": run_id, "failure": "warehouse:fail"}, "bad_failure_spec",
         "valid steps: order, payment, inventory, shipping"),
        ("inject", {"run_id": run_id, "failure": ["payment"]}, "bad_failure_spec",
         "STEP[:KIND[:N]]"),
        ("inject", {"run_id": "r-nope", "failure": "payment"}, "unknown_run", "no live run"),
        ("reattach", {"run_id": run_id, "token": ack["token"]}, "bad_payload",
         "needs the field 'last_seq'"),
        ("reattach", {"run_id": run_id, "token": ack["token"], "last_seq": -1}, "bad_payload",
         "last_seq must be a whole number"),
        ("reattach", {"run_id": run_id, "token": ack["token"], "last_seq": "3"}, "bad_payload",
         "last_seq must be a whole number"),
        ("reattach", {"run_id": run_id, "token": 5, "last_seq": 0}, "bad_payload",
         "token must be the string"),
        ("reattach", {"run_id": run_id, "token": "guess", "last_seq": 0}, "bad_token",
         "does not match"),
        ("reattach", {"run_id": "r-nope", "token": "t", "last_seq": 0}, "unknown_run",
         "no live run"),
    ]:
        assert_refused(client, name, payload, code, says)


@pytest.mark.parametrize("name", ["launch", "*"])
def test_an_unknown_message_is_answered_with_the_valid_ones(client, name):
    assert_refused(client, name, {"mode": "hybrid"}, "unknown_message",
                   "valid messages: start, control, inject, reattach")


def test_a_message_larger_than_the_limit_is_refused_unread(client):
    assert_refused(client, "start", {"mode": "x" * 5000}, "too_large",
                   "messages are at most 4096 bytes")


def test_a_client_sending_too_fast_is_slowed_down_and_the_server_carries_on():
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:",
                      "SAGASCOPE_LIMITS": {"message_burst": 3, "messages_per_second": 0.001}})
    try:
        flood, calm = socketio.test_client(app), socketio.test_client(app)
        acks = [flood.emit("start", {}, callback=True) for _ in range(5)]
        assert [a["ok"] for a in acks] == [True, True, True, False, False]
        assert acks[-1]["error"]["code"] == "too_fast"
        assert "wait a moment" in acks[-1]["error"]["reason"]
        assert calm.emit("start", {}, callback=True)["ok"]
    finally:
        get_runner(app).shutdown()


def test_a_failing_handler_answers_internal_and_the_server_still_serves(client, runner,
                                                                          monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "start", broken)
    assert_refused(client, "start", {}, "internal", "the server failed while handling 'start'")
    monkeypatch.undo()
    assert start(client)["ok"]
