"""Extensions are created once at import and bound to an app in `create_app` (Flask's pattern),
so handlers can be registered at import time. `get_runner` and `get_socket_server` are how the
rest of the package reaches what `create_app` attached to an app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import socketio as python_socketio
from flask import Flask, current_app
from flask_socketio import SocketIO

if TYPE_CHECKING:
    from .runner import Runner

socketio = SocketIO()
RUNNER = "sagascope"
SOCKET_SERVER = "sagascope.server"


def get_runner(app: Flask | None = None) -> Runner:
    """The live runs of `app` (the current app by default)."""
    return (app or current_app).extensions[RUNNER]


def get_socket_server(app: Flask | None = None) -> python_socketio.Server:
    """The Socket.IO server bound to `app`: the module-level `socketio` is rebound whenever
    another app is created, so each app keeps its own."""
    return (app or current_app).extensions[SOCKET_SERVER]
