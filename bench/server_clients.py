"""A process of load-test clients: `python -m bench.server_clients`, driven over stdin/stdout.

The parent keeps a few of these processes for a whole section and sends each phase as lines:
a spec (JSON: url, clients, speed, …) → the process connects its python-socketio clients over
real websockets (loopback) and prints `ready` → the parent sends the common start and end times
(monotonic) → each client starts its own run and notes the monotonic time each `saga_event`
arrives, until its run finishes or the window closes; the process prints one JSON line (per
client: its run id, receipts [(seq, time)], any error), disconnects and waits for the next spec.
Every loop is bounded in count and time; an empty line or end of input ends the process.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from typing import Any

import socketio


def watch(
    spec: dict[str, Any], index: int, out: dict[str, Any], connected: threading.Barrier,
    window: dict[str, float], go: threading.Event,
) -> None:
    receipts: list[tuple[int, float]] = []
    finished = threading.Event()
    client = socketio.Client(reconnection=False)
    out.update(run_id=None, receipts=receipts, error=None)

    @client.on("saga_event")
    def on_event(payload: dict[str, Any]) -> None:
        receipts.append((payload["event"]["seq"], time.monotonic()))
        if len(receipts) >= spec["max_events"]:
            finished.set()

    @client.on("run_state")
    def on_state(payload: dict[str, Any]) -> None:
        if payload.get("state") == "finished":
            finished.set()

    try:
        try:
            client.connect(spec["url"], transports=["websocket"], wait_timeout=10)
        finally:
            connected.wait(timeout=60)
        go.wait(timeout=120)
        time.sleep(max(0.0, window["start_at"] - time.monotonic()))
        ack = client.call(
            "start",
            {
                "mode": spec["mode"],
                "failures": spec["failures"],
                "seed": spec["first_seed"] + index,
                "speed": spec["speed"],
                **({"autoplay": True} if spec["app"] == "sagascope" else {}),
            },
            timeout=10,
        )
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"start was refused: {ack}")
        out["run_id"] = ack["run_id"]
        finished.wait(max(0.0, window["end_at"] - time.monotonic()))
    except Exception as exc:  # reported to the parent, which counts failed clients
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(Exception):  # already closed
            client.disconnect()


def phase(spec: dict[str, Any]) -> list[dict[str, Any]]:
    count = spec["clients"]
    results: list[dict[str, Any]] = [{} for _ in range(count)]
    connected = threading.Barrier(count + 1)
    window: dict[str, float] = {}
    go = threading.Event()
    threads = [
        threading.Thread(
            target=watch, args=(spec, i, results[i], connected, window, go), daemon=True
        )
        for i in range(count)
    ]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        connected.wait(timeout=60)
    print("ready", flush=True)
    line = sys.stdin.readline()
    if line.strip():
        window.update(json.loads(line))
    else:  # the parent gave up: leave at once
        window.update(start_at=time.monotonic(), end_at=time.monotonic())
    go.set()
    for t in threads:
        t.join(timeout=max(1.0, window["end_at"] - time.monotonic() + 10))
    return results


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            break
        results = phase(json.loads(line))
        print(json.dumps({"clients": results}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
