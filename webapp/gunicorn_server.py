"""SagaScope inside gunicorn, embedded in the `sagascope serve` process (gunicorn's documented
`BaseApplication`): one worker, the threaded worker class with a thread per connection, the app
created in the worker after the fork (its history store owns a thread), gunicorn's own log on
stderr at warning level, and SagaScope's one line on stdout once the port is listening.

A stop (Ctrl+C, SIGTERM) first stops the runs and closes every websocket, so open connections do
not hold the worker for gunicorn's graceful timeout; then the worker and the master exit 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

THREADS = 100
"""Each websocket holds one thread while it is open: a class of a hundred at once."""
NEWER_SETTINGS = {"control_socket_disable"}
"""Settings an older gunicorn does not have; every other one must exist."""


class StoppingThreadWorker(ThreadWorker):
    """gunicorn's threaded worker whose every stop begins by stopping the app, on a thread of
    its own: a signal handler must not block (nor take a lock the code it interrupted may
    hold), and the interpreter waits for that thread before the worker exits."""

    def handle_exit(self, sig: int, frame: Any) -> None:  # SIGTERM: a graceful stop
        super().handle_exit(sig, frame)
        self._stop_app()

    def handle_quit(self, sig: int, frame: Any) -> None:  # SIGINT, SIGQUIT: a quick stop
        self._stop_app()
        super().handle_quit(sig, frame)

    def is_parent_alive(self) -> bool:  # the master died (say, SIGKILL): do not linger
        alive = super().is_parent_alive()
        if not alive:
            self._stop_app()
        return alive

    def _stop_app(self) -> None:
        threading.Thread(target=self.app.stop_serving, name="sagascope-stop").start()


class EmbeddedGunicorn(BaseApplication):
    """gunicorn serving `create_app()` on `host:port`; `on_ready` runs in this process once the
    port listens. `run()` ends the process (SystemExit), with 0 after a stop."""

    def __init__(self, create_app: Callable[[], Flask], stop_app: Callable[[Flask], None],
                 host: str, port: int, on_ready: Callable[[], None]) -> None:
        self._create_app = create_app
        self._stop_app = stop_app
        self._bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self._on_ready = on_ready
        self._stopping = threading.Lock()
        self._stopped = False
        super().__init__(prog="sagascope serve")

    def load_config(self) -> None:
        settings = {
            "bind": [self._bind],
            "workers": 1,
            "worker_class": StoppingThreadWorker,
            "threads": THREADS,
            "preload_app": False,
            "loglevel": "warning",
            "errorlog": "-",
            "accesslog": None,
            "proc_name": "sagascope",
            "control_socket_disable": True,  # gunicorn ≥ 24: no control socket in $HOME
            "when_ready": lambda arbiter: self._on_ready(),
            "worker_exit": lambda arbiter, worker: self.stop_serving(),
        }
        for name, value in settings.items():
            if name in self.cfg.settings or name not in NEWER_SETTINGS:
                self.cfg.set(name, value)

    def load(self) -> Flask:
        """Called in the worker, after the fork."""
        return self._create_app()

    def stop_serving(self) -> None:
        """Stop the app this worker serves, once; a second caller waits until it is stopped.
        A no-op in the master, where no app is loaded."""
        with self._stopping:
            if self._stopped or self.callable is None:
                return
            self._stopped = True
            self._stop_app(self.callable)
