"""SagaScope's server against a bare Flask-SocketIO app emitting the same payloads in a loop.

Both servers run at once, each in its own process on a loopback port; each phase (1, 50 or 100
clients, speed max or teaching pace) is measured on SagaScope, then on the bare app, and repeated
in that order. Clients are python-socketio over real websockets, 25 to a process (on two cores a
single client process falls behind long before the server does), every loop bounded in count and
time. Each client watches its own long run (`workload.LONG_RUN_*`, about 1.2 k events).

events/s: `saga_event`s received by all clients, divided by the time from the common start to
the last one received (or the window's end). Latency: receive time minus the server's emit time
for the same (run, seq), both on CLOCK_MONOTONIC.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from .measure import Unavailable, percentile, ratio, rounded
from .workload import LONG_RUN_FAILURES, LONG_RUN_MODE

CLIENTS_PER_PROCESS = 25
APPS = ("sagascope", "bare")
MAX_EVENTS = 2_000


def phases(quick: bool) -> list[tuple[int, str | int, tuple[str, ...]]]:
    """(clients, speed, apps) for each phase; quick runs only what the required figures need."""
    if quick:
        return [(1, "max", APPS), (50, "max", APPS), (100, 1, ("sagascope",))]
    return [(n, "max", APPS) for n in (1, 50, 100)] + [(n, 1, APPS) for n in (50, 100)]


def check_available() -> None:
    try:
        import socketio  # noqa: F401
        import websocket  # noqa: F401
    except ImportError as exc:
        raise Unavailable(
            f"the python-socketio client with websocket-client is not installed ({exc}): "
            "pip install -e '.[test]'"
        ) from exc
    try:
        import webapp  # noqa: F401
    except ImportError as exc:
        raise Unavailable(f"the web app (webapp/) cannot be imported: {exc}") from exc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Host:
    """One server process (`server_host`) on a free loopback port."""

    def __init__(self, app: str, folder: Path) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"{app}-server.log"
        history = str(folder / f"{app}-history.sqlite")
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.server_host", app, str(self.port), history],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30) -> Host:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.app} server exited: {self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/bench/emits", timeout=2):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the {self.app} server did not answer in {timeout:g} s: {self.tail()}")

    def emits(self) -> dict[tuple[str, int], float]:
        with urllib.request.urlopen(f"{self.url}/bench/emits", timeout=30) as answer:
            return {(run_id, seq): t for run_id, seq, t in json.load(answer)}

    def tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-800:]
        except OSError:
            return ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


class ClientPool:
    """A few client processes kept for the whole section (process start-up is not cheap)."""

    def __init__(self, processes: int) -> None:
        self.children = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.server_clients"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
            for _ in range(processes)
        ]

    def run_phase(self, host: Host, clients: int, speed: str | int, seconds: float) -> dict:
        """Connect every client, then start all runs at one moment; summarise what arrived."""
        used = self.children[: max(1, math.ceil(clients / CLIENTS_PER_PROCESS))]
        shares = [clients // len(used) + (i < clients % len(used)) for i in range(len(used))]
        first_seed = 1
        for child, count in zip(used, shares, strict=True):
            spec = {
                "url": host.url,
                "app": host.app,
                "clients": count,
                "first_seed": first_seed,
                "mode": LONG_RUN_MODE,
                "failures": list(LONG_RUN_FAILURES),
                "speed": speed,
                "max_events": MAX_EVENTS,
            }
            first_seed += count
            self._send(child, spec)
        for child in used:  # each answers "ready" once its clients are connected (bounded)
            child.stdout.readline()
        start_at = time.monotonic() + 0.2
        end_at = start_at + seconds
        for child in used:
            self._send(child, {"start_at": start_at, "end_at": end_at})
        watched: list[dict[str, Any]] = []
        for child in used:
            line = child.stdout.readline()
            with contextlib.suppress(ValueError, KeyError):
                watched.extend(json.loads(line)["clients"])
        return summarise(watched, host.emits(), clients, start_at, end_at)

    @staticmethod
    def _send(child: subprocess.Popen, message: dict) -> None:
        with contextlib.suppress(OSError):
            child.stdin.write(json.dumps(message) + "\n")
            child.stdin.flush()

    def close(self) -> None:
        for child in self.children:
            with contextlib.suppress(OSError):
                child.stdin.close()
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)


def summarise(
    watched: list[dict[str, Any]],
    emits: dict[tuple[str, int], float],
    clients: int,
    start_at: float,
    end_at: float,
) -> dict[str, Any]:
    received, latencies, last = 0, [], start_at
    for client in watched:
        run_id = client.get("run_id")
        for seq, t in client.get("receipts", []):
            if not start_at <= t <= end_at:
                continue
            received += 1
            last = max(last, t)
            sent = emits.get((run_id, seq))
            if sent is not None:
                latencies.append((t - sent) * 1000)
    errors = sorted({c["error"] for c in watched if c.get("error")})
    elapsed = max(last - start_at, 1e-3)
    return {
        "clients": clients,
        "clients_ok": sum(1 for c in watched if c.get("run_id") and not c.get("error")),
        "events": received,
        "events_per_s": rounded(received / elapsed) if received else None,
        "p50_ms": rounded(percentile(latencies, 50)) if latencies else None,
        "p99_ms": rounded(percentile(latencies, 99)) if latencies else None,
        "errors": errors[:3],
    }


def median_of(samples: list[dict[str, Any]], key: str) -> float | None:
    values = [s[key] for s in samples if s.get(key) is not None]
    return rounded(statistics.median(values)) if values else None


def measure_phase(pool: ClientPool, hosts: dict[str, Host], clients: int, speed: Any,
                  window: float, repeats: int) -> dict[str, Any]:
    """One phase on each given app, `repeats` times in turn: the median of each figure."""
    samples: dict[str, list[dict[str, Any]]] = {app: [] for app in hosts}
    for _ in range(repeats):
        for app, host in hosts.items():
            samples[app].append(pool.run_phase(host, clients, speed, window))
    phase: dict[str, Any] = {}
    for app in hosts:
        phase[app] = {
            key: median_of(samples[app], key)
            for key in ("events_per_s", "p50_ms", "p99_ms", "clients_ok")
        }
        phase[app]["errors"] = sorted({e for s in samples[app] for e in s["errors"]})
    if "bare" in phase:
        phase["vs_bare_ratio"] = rounded(
            ratio(phase["sagascope"]["events_per_s"], phase["bare"]["events_per_s"])
        )
    return phase


def measure(quick: bool) -> dict[str, Any]:
    check_available()
    repeats = 1 if quick else 3
    windows = {"max": 1.0 if quick else 3.0, "teaching": 2.0 if quick else 6.0}
    out: dict[str, Any] = {
        "store": "SQLite history in a temporary file (the server's default kind of store)",
        "run": f"{LONG_RUN_MODE}, failures {', '.join(LONG_RUN_FAILURES)}",
        "clients_per_process": CLIENTS_PER_PROCESS,
        "repeats": repeats,
        "phases": {},
    }
    with tempfile.TemporaryDirectory(prefix="sagascope-bench-server-") as tmp:
        hosts = {}
        pool = None
        try:
            plan = phases(quick)
            for app in APPS:  # both start at once; the bare app prepares its payloads meanwhile
                hosts[app] = Host(app, Path(tmp))
            pool = ClientPool(math.ceil(max(n for n, _, _ in plan) / CLIENTS_PER_PROCESS))
            for host in hosts.values():
                host.wait_ready()
            for clients, speed, apps in plan:
                pace = "max" if speed == "max" else "teaching"
                out["phases"][f"{clients}_{pace}"] = measure_phase(
                    pool, {app: hosts[app] for app in apps}, clients, speed, windows[pace],
                    repeats,
                )
        finally:
            if pool is not None:
                pool.close()
            for host in hosts.values():
                host.stop()
    phases_out = out["phases"]
    for clients in (1, 50):
        _put(out, f"vs_bare_ratio_{clients}", phases_out.get(f"{clients}_max", {}),
             "vs_bare_ratio", f"{clients} clients at speed max")
    _put(out, "p99_ms_100_teaching", phases_out.get("100_teaching", {}).get("sagascope", {}),
         "p99_ms", "100 clients at teaching pace")
    return out


def _put(out: dict[str, Any], key: str, source: dict[str, Any], field: str, what: str) -> None:
    value = source.get(field)
    out[key] = value
    if value is None:
        out[f"{key}_reason"] = f"no events were received with {what}"
