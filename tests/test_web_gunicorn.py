"""The classroom route (docs/DEPLOY.md): gunicorn, one worker with a hundred threads, serving
several students over real websockets at once, each watching only their own run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import socketio as sio_client
from server_logs import our_tracebacks

from webapp.testing import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = [
    ("orchestration", ["inventory"], 1),
    ("choreography", ["payment:drop:2"], 2),
    ("hybrid", ["shipping"], 3),
    ("orchestration", ["payment:crash"], 4),
    ("choreography", [], 5),
    ("hybrid", ["order:duplicate", "inventory:compensate"], 6),
]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    env = {**os.environ, "SAGASCOPE_HISTORY": str(tmp_path / "history.sqlite")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "100",
         "-b", f"127.0.0.1:{port}", "webapp:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _up(url) or proc.poll() is not None, timeout=30,
                   what="gunicorn to answer /healthz")
        assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
        yield url, tmp_path / "gunicorn.log"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _up(url: str) -> bool:
    try:
        return get_json(f"{url}/healthz")["status"] == "ok"
    except OSError:
        return False


def watch(url: str, mode: str, failures: list[str], seed: int, out: dict) -> None:
    """One student: connect over a websocket, start a run at max speed, keep every message."""
    finished = threading.Event()
    client = sio_client.Client(reconnection=False)
    out.update(events=[], states=[], error=None)
    client.on("saga_event", out["events"].append)

    @client.on("run_state")
    def on_state(payload):
        out["states"].append(payload)
        if payload["state"] == "finished":
            finished.set()

    try:
        client.connect(url, transports=["websocket"], wait_timeout=10)
        out["transport"] = client.transport()
        out["ack"] = client.call("start", {"mode": mode, "failures": failures, "seed": seed,
                                           "speed": "max", "autoplay": True}, timeout=10)
        out["finished"] = finished.wait(30)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        out["error"] = repr(exc)
    finally:
        threading.Thread(target=client.disconnect, daemon=True).start()


def test_gunicorn_with_threads_serves_a_handful_of_students_their_own_runs(gunicorn):
    gunicorn, log = gunicorn
    results = [{} for _ in STUDENTS]
    threads = [threading.Thread(target=watch, args=(gunicorn, *student, results[i]), daemon=True)
               for i, student in enumerate(STUDENTS)]
    deadline = time.monotonic() + 60
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.1, deadline - time.monotonic()))

    for (mode, failures, seed), out in zip(STUDENTS, results, strict=True):
        assert out["error"] is None and out["finished"], out
        assert out["transport"] == "websocket"
        run_id = out["ack"]["run_id"]
        assert {p["run_id"] for p in out["events"]} == {run_id}, "only its own run"
        events = [p["event"] for p in out["events"]]
        query = "&".join([f"mode={mode}", f"seed={seed}", *(f"fail={f}" for f in failures)])
        trace = get_json(f"{gunicorn}/api/trace?{query}")
        assert [{**e, "run_id": ""} for e in events] == [
            {**e, "run_id": ""} for e in trace["events"]]
        assert out["states"][-1]["outcome"] == trace["outcome"]
    recorded = {r["run_id"]: r["status"] for r in get_json(f"{gunicorn}/api/runs")["runs"]}
    assert {out["ack"]["run_id"] for out in results} <= set(recorded)
    ours = our_tracebacks(log.read_text())
    assert not ours, ours[0] if ours else ""
