"""Helpers for driving the server from tests and benchmarks: a virtual clock for the pacer, a
real server on a free loopback port, and bounded waiting. Nothing here runs in production."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import make_server

from .extensions import get_runner
from .serving import ErrorsOnlyHandler


class FakeClock:
    """A clock that only moves when someone sleeps on it: pacing runs on virtual seconds.

    `at(t, action)` runs `action` the first time the clock reaches `t`; `sleeps` records every
    sleep asked for (0 means "yield to other clients"), `waits` every interruptible wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.waits: list[float] = []
        self._due: list[tuple[float, Callable[[], Any]]] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._run_until(self.now + max(0.0, seconds))

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Like `sleep`, but the clock stops at the first action that sets `event` (what a
        control does to a sleeping pacer); answers whether the event was set."""
        self.waits.append(seconds)
        end = self.now + max(0.0, seconds)
        while not event.is_set():
            upcoming = [t for t, _ in self._due if t <= end]
            if not upcoming:
                break
            self._run_until(min(upcoming))
        if not event.is_set():
            self.now = end
        return event.is_set()

    def _run_until(self, when: float) -> None:
        self.now = max(self.now, when)
        due = [a for a in self._due if a[0] <= self.now]
        self._due = [a for a in self._due if a[0] > self.now]
        for _, action in due:
            action()

    def at(self, when: float, action: Callable[[], Any]) -> None:
        self._due.append((when, action))


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "it") -> Any:
    """Poll `predicate` until it is truthy; fail after `timeout` seconds saying what hung."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        time.sleep(0.01)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerThread:
    """The app on a real loopback port, served by Werkzeug's threaded server (real websockets
    through simple-websocket), in a background thread. Use as a context manager."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True,
                                  request_handler=ErrorsOnlyHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        get_runner(self.app).shutdown()
        self.server.shutdown()
        self.thread.join(timeout=5)
