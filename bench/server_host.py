"""A server process for the server benchmark: SagaScope's app, or the bare Flask-SocketIO app.

`python -m bench.server_host sagascope|bare PORT HISTORY` serves on 127.0.0.1:PORT until it is
killed. Both note the monotonic time of every `saga_event` emit (CLOCK_MONOTONIC is one clock
for every process on the machine, so clients can subtract it from their receive times) and hand
the notes out at `GET /bench/emits`.

The bare app is the stack's limit: on `start` it emits the payloads of the same long run (seed
1, computed once when the server starts; other seeds differ only in timings) in a plain loop:
no engine, no store; it yields after each emit (Flask-SocketIO's advice for loops in threading
mode).
"""

from __future__ import annotations

import secrets
import sys
import time
from typing import Any

from flask import Flask, jsonify, request
from flask_socketio import SocketIO

from saga_core import Run, load_scenario

from .workload import LONG_RUN_FAILURES, LONG_RUN_MODE, SCENARIO

TEACHING_PACE_S = 1.0
EMITS: list[tuple[str, int, float]] = []


def note_emit(event: str, payload: dict[str, Any]) -> None:
    if event == "saga_event":
        EMITS.append((payload["run_id"], payload["event"]["seq"], time.monotonic()))


def add_emit_route(app: Flask) -> None:
    def emits():
        return jsonify(EMITS)

    app.add_url_rule("/bench/emits", "bench_emits", emits)


def sagascope_app(history: str) -> tuple[Flask, SocketIO]:
    from webapp import create_app, get_runner, socketio

    app = create_app({"SAGASCOPE_HISTORY": history})
    runner = get_runner(app)
    emit = runner.emit

    def noted(event: str, payload: dict[str, Any], sid: str) -> None:
        note_emit(event, payload)
        emit(event, payload, sid)

    runner.emit = noted
    add_emit_route(app)
    return app, socketio


def bare_app() -> tuple[Flask, SocketIO]:
    app = Flask(__name__)
    socketio = SocketIO(app, async_mode="threading", logger=False, engineio_logger=False)
    prepared = transitions(seed=1)

    def play(sid: str, run_id: str, groups: list[list[dict]], interval: float) -> None:
        for group in groups:
            for event in group:
                payload = {"run_id": run_id, "event": {**event, "run_id": run_id}}
                note_emit("saga_event", payload)
                socketio.emit("saga_event", payload, to=sid)
                socketio.sleep(0)  # yield to the writer threads, as a well-behaved loop does
            if interval:
                socketio.sleep(interval)
        socketio.emit("run_state", {"run_id": run_id, "state": "finished"}, to=sid)

    @socketio.on("start")
    def start(data: dict[str, Any]) -> dict[str, Any]:
        run_id = "r-" + secrets.token_hex(12)
        speed = data.get("speed", 1)
        interval = 0.0 if speed == "max" else TEACHING_PACE_S / float(speed)
        groups = prepared
        socketio.start_background_task(play, request.sid, run_id, groups, interval)
        return {"ok": True, "run_id": run_id}

    add_emit_route(app)
    return app, socketio


def transitions(seed: int) -> list[list[dict]]:
    """The long run's events as dicts, grouped by the transition that emits them."""
    run = Run(load_scenario(SCENARIO), LONG_RUN_MODE, seed=seed, failures=LONG_RUN_FAILURES)
    out = []
    while not run.finished:
        out.append([e.to_dict() for e in run.step()])
    return out


def main(argv: list[str]) -> int:
    kind, port, history = argv[0], int(argv[1]), argv[2]
    app, socketio = sagascope_app(history) if kind == "sagascope" else bare_app()
    socketio.run(app, host="127.0.0.1", port=port, allow_unsafe_werkzeug=True, log_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
