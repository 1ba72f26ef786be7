"""Whatever a client throws at the server, it answers with an error that has a code and a
reason, and it goes on serving a normal run afterwards."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp import create_app, get_runner, socketio
from webapp.errors import CODES
from webapp.testing import wait_until

MESSAGES = ["start", "control", "inject", "reattach"]
FIELDS = ["mode", "scenario", "failures", "seed", "speed", "autoplay", "run_id", "action",
          "failure", "token", "last_seq"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=10,
)
plausible = st.one_of(
    json_values,
    st.sampled_from(["orchestration", "hybrid", "checkout", "play", "step", "reset", "speed",
                     "max", "payment:crash", "inventory", "order:explode", "r-", ""]),
    st.lists(st.sampled_from(["payment", "shipping:timeout:2", "warehouse", "x:y:z"]),
             max_size=3),
)
near_valid = st.dictionaries(st.sampled_from(FIELDS), plausible, max_size=5)
payloads = st.lists(st.one_of(json_values, near_valid), max_size=2)
names = st.one_of(st.sampled_from([*MESSAGES, "disconnect", "connect"]),
                  st.text(min_size=1, max_size=12))


@pytest.fixture(scope="module")
def app():
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:", "SAGASCOPE_LIMITS": {
        "message_burst": 100_000, "messages_per_second": 100_000, "transitions_per_run": 300,
        "orphan_seconds": 0.001,
    }})
    yield app
    get_runner(app).shutdown()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(script=st.lists(st.tuples(names, payloads), min_size=1, max_size=6))
def test_random_messages_get_coded_errors_and_a_normal_run_still_works(app, script):
    client = socketio.test_client(app)
    started = client.emit("start", {"seed": 1}, callback=True)
    for name, args in script:
        if name in MESSAGES and args and isinstance(args[0], dict) and "run_id" in args[0]:
            args = [{**args[0], "run_id": started["run_id"]}, *args[1:]]
        ack = client.emit(name, *args, callback=True)
        if name in ("connect", "disconnect"):
            continue
        assert isinstance(ack, dict) and ack.get("ok") in (True, False), (name, args, ack)
        if not ack["ok"]:
            assert ack["error"]["code"] in CODES and ack["error"]["reason"], ack
            error = [m["args"][0] for m in client.queue if m["name"] == "error"][-1]
            assert error["code"] == ack["error"]["code"]
    assert client.is_connected()
    client.disconnect()
    assert_a_normal_run_still_works(app)


def assert_a_normal_run_still_works(app):
    runner = get_runner(app)
    client = socketio.test_client(app)
    ack = client.emit("start", {"mode": "hybrid", "failures": ["shipping"], "seed": 4,
                                "speed": "max", "autoplay": True}, callback=True)
    assert ack["ok"], ack
    wait_until(lambda: runner.get(ack["run_id"]).state == "finished", timeout=10,
               what="a normal run after the fuzzing")
    events = [m["args"][0]["event"] for m in client.queue if m["name"] == "saga_event"]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["kind"] == "saga.compensated"
    client.disconnect()
