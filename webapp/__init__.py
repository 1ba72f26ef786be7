"""SagaScope's web app: the engine streamed over Socket.IO to the browser view.

`create_app(test_config=None)` builds the app (flaskr's factory pattern); the module-level
`socketio` is bound to it in `init_app`. Threading mode with simple-websocket gives browsers real
websockets from Werkzeug (`sagascope serve`) or from gunicorn with threads (docs/DEPLOY.md).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import routes, security, socket_api  # noqa: F401 - socket_api registers the handlers
from .extensions import socketio
from .limits import Limits
from .runner import Runner
from .store_thread import open_history

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS: dict[str, Any] = {
    # A SQLite file for the run history; None: instance/history.sqlite; ":memory:": no file.
    "SAGASCOPE_HISTORY": None,
    # Overrides of webapp.limits.Limits, e.g. {"runs_per_client": 8}.
    "SAGASCOPE_LIMITS": {},
    # Who may frame the pages (a CSP source list): / and the API, then /embed.
    "SAGASCOPE_FRAME_ANCESTORS": security.DEFAULT_FRAME_ANCESTORS,
    "SAGASCOPE_EMBED_FRAME_ANCESTORS": security.DEFAULT_EMBED_FRAME_ANCESTORS,
    # Origins allowed to open a Socket.IO connection; None: only the page's own origin.
    "SAGASCOPE_CORS_ORIGINS": None,
    # Where index.html and embed.html live; None: the repository's templates/.
    "SAGASCOPE_TEMPLATE_FOLDER": None,
}

__all__ = ["DEFAULTS", "create_app", "socketio"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The SagaScope app. Config comes from `test_config` when given, else from
    instance/config.py and then environment variables of the same names (JSON or text)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_mapping(DEFAULTS)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        _read_environment(app.config)
    else:
        app.config.update(test_config)
    if app.config["SAGASCOPE_TEMPLATE_FOLDER"]:
        app.template_folder = str(app.config["SAGASCOPE_TEMPLATE_FOLDER"])

    limits = Limits.from_config(app.config["SAGASCOPE_LIMITS"])
    store = open_history(app.config["SAGASCOPE_HISTORY"], app.instance_path)
    socketio.init_app(
        app,
        async_mode="threading",
        manage_session=False,
        max_http_buffer_size=limits.transport_bytes,
        cors_allowed_origins=app.config["SAGASCOPE_CORS_ORIGINS"],
        logger=False,
        engineio_logger=False,
    )
    server = socketio.server  # this app's server, even if another app is created later
    socket_api.name_literal_star_events(server)
    app.extensions["sagascope.server"] = server
    app.extensions["sagascope"] = Runner(
        store,
        limits,
        emit=lambda event, payload, sid: server.emit(event, payload, to=sid, namespace="/"),
        start_task=server.start_background_task,
        sleep=server.sleep,
    )
    routes.register(app)
    security.init_app(app)
    return app


def _read_environment(config: dict[str, Any]) -> None:
    for key in DEFAULTS:
        if key in os.environ:
            text = os.environ[key]
            try:
                config[key] = json.loads(text)
            except ValueError:
                config[key] = text
