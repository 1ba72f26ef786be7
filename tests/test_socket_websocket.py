"""A real server on a loopback port and the python-socketio client over a real websocket: what a
browser gets, byte for byte the same events as the CLI."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
import socketio as sio_client

from webapp import create_app
from webapp.testing import ServerThread


@pytest.fixture
def server(tmp_path):
    app = create_app({"TESTING": True, "SAGASCOPE_HISTORY": str(tmp_path / "history.sqlite")})
    with ServerThread(app) as running:
        yield running


class Browser:
    """A python-socketio client that keeps what it receives, like the page does."""

    def __init__(self, url: str) -> None:
        self.events: list[dict] = []
        self.states: list[dict] = []
        self.errors: list[dict] = []
        self.finished = threading.Event()
        self.client = sio_client.Client(reconnection=False)
        self.client.on("saga_event", self.events.append)
        self.client.on("run_state", self.on_state)
        self.client.on("error", self.errors.append)
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def on_state(self, payload: dict) -> None:
        self.states.append(payload)
        if payload["state"] == "finished":
            self.finished.set()

    def call(self, name: str, payload: dict) -> dict:
        return self.client.call(name, payload, timeout=10)

    def close(self) -> None:
        # websocket-client waits up to 3 s for a close frame its own reader thread may already
        # have consumed; nothing here depends on the goodbye, so do not wait for it.
        threading.Thread(target=self.client.disconnect, daemon=True).start()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_a_failing_saga_streams_over_a_real_websocket_in_order_to_the_end(server):
    browser = Browser(server.url)
    try:
        assert browser.client.transport() == "websocket"
        ack = browser.call("start", {"mode": "orchestration", "failures": ["inventory"],
                                     "seed": 11, "speed": "max", "autoplay": True})
        assert ack["ok"], ack
        assert browser.finished.wait(20), "the run did not finish within 20 s"
        events = [p["event"] for p in browser.events]
        assert {p["run_id"] for p in browser.events} == {ack["run_id"]}
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        trace = get_json(f"{server.url}/api/trace?mode=orchestration&fail=inventory&seed=11")
        assert [{**e, "run_id": ""} for e in events] == [
            {**e, "run_id": ""} for e in trace["events"]]
        kinds = [e["kind"] for e in events]
        assert kinds.index("step.failed") < kinds.index("compensation.started")
        assert kinds[-1] == "saga.compensated"
        assert browser.states[-1]["outcome"] == "compensated"
        assert browser.errors == []
    finally:
        browser.close()
    recorded = get_json(f"{server.url}/api/runs")["runs"]
    assert [(r["run_id"], r["status"]) for r in recorded] == [(ack["run_id"], "compensated")]


def test_a_browser_that_reconnects_picks_its_run_up_where_it_left_off(server):
    first = Browser(server.url)
    ack = first.call("start", {"mode": "choreography", "failures": ["payment:crash"], "seed": 2})
    for _ in range(4):
        assert first.call("control", {"run_id": ack["run_id"], "action": "step"})["ok"]
    seen = [p["event"] for p in first.events]
    first.close()

    second = Browser(server.url)
    try:
        back = second.call("reattach", {"run_id": ack["run_id"], "token": ack["token"],
                                        "last_seq": seen[-1]["seq"]})
        assert back["ok"] and back["resent"] == 0
        second.call("control", {"run_id": ack["run_id"], "action": "play", "speed": "max"})
        assert second.finished.wait(20)
        rest = [p["event"] for p in second.events]
        whole = seen + rest
        assert [e["seq"] for e in whole] == list(range(1, len(whole) + 1))
        assert {"consumer.crashed", "consumer.recovered"} <= {e["kind"] for e in whole}
        assert second.states[-1]["outcome"] == "completed"
    finally:
        second.close()
