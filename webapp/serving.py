"""How `sagascope serve` serves the app. By default gunicorn's threaded worker, embedded in this
process (webapp/gunicorn_server.py): the same server docs/DEPLOY.md runs for a class. Where
gunicorn cannot run (it needs POSIX: fork, fcntl), Werkzeug's threaded server, which gives
real websockets too. Either way stdout gets one line, SagaScope's own, with the URL; errors go
to stderr; Ctrl+C and SIGTERM stop the runs, close the history and exit 0."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from .extensions import get_runner, get_socket_server

WEBSOCKET_CLOSE_NOISE = "code 400, message Bad request syntax"


def url_line(host: str, port: int) -> str:
    """The one line `sagascope serve` prints: where to point a browser."""
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"SagaScope is running at http://{shown}:{port}/ (Ctrl+C to stop)"


def check_free(host: str, port: int) -> None:
    """Raise OSError if `host:port` cannot be listened on (e.g. the port is taken), before
    anything is printed or started."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def gunicorn_runs_here() -> bool:
    if os.name != "posix":
        return False
    try:
        from . import gunicorn_server  # noqa: F401
    except ImportError:
        return False
    return True


def serve(create_app: Callable[[], Flask], host: str, port: int,
          on_ready: Callable[[], None]) -> int:
    """Serve until stopped; `on_ready` runs once the port listens. Answers the exit status."""
    if gunicorn_runs_here():
        from .gunicorn_server import EmbeddedGunicorn

        EmbeddedGunicorn(create_app, stop_app, host, port, on_ready).run()  # exits the process
    return serve_with_werkzeug(create_app(), host, port, on_ready)


def serve_with_werkzeug(app: Flask, host: str, port: int, on_ready: Callable[[], None]) -> int:
    """Werkzeug's threaded server in this thread, until Ctrl+C or SIGTERM."""
    try:
        server = make_server(host, port, app, threaded=True, request_handler=ErrorsOnlyHandler)
    except BaseException:
        stop_app(app)
        raise
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        on_ready()
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_app(app)
        server.server_close()
    return 0


def stop_app(app: Flask) -> None:
    """Stop serving `app`: its pacers and reaper stop, its history closes, and every open
    connection is closed (so no websocket keeps the server waiting)."""
    get_runner(app).shutdown()
    server = get_socket_server(app)
    for connection in list(server.eio.sockets.values()):
        # Not Engine.IO's disconnect(), which waits for each connection's writer to drain its
        # queue: a client that hangs up at the same moment leaves that wait hanging forever.
        connection.close(wait=False)
    server.shutdown()


class ErrorsOnlyHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the access log. Errors still reach stderr, except
    the 400 Werkzeug reports for a client's websocket closing frame, which is not one."""

    def log(self, type: str, message: str, *args: Any) -> None:
        text = message % args if args else message
        if type == "info" or text.startswith(WEBSOCKET_CLOSE_NOISE):
            return
        super().log(type, message, *args)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
