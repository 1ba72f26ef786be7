"""SagaScope's web app: the engine streamed over Socket.IO to the browser view.

`create_app(test_config=None)` builds the app (flaskr's factory pattern); the module-level
`socketio` is bound to it in `init_app`. Threading mode with simple-websocket gives browsers real
websockets from gunicorn's threaded worker (`sagascope serve`, docs/DEPLOY.md) or from Werkzeug.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from . import config, routes, security, socket_api  # noqa: F401 - socket_api registers handlers
from .config import DEFAULTS, Settings
from .extensions import RUNNER, SOCKET_SERVER, get_runner, socketio
from .runner import Runner
from .store_thread import open_history

PACKAGE = Path(__file__).resolve().parent

__all__ = ["DEFAULTS", "configured_app", "create_app", "get_runner", "socketio"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """The SagaScope app. Config comes from `test_config` when given, else from
    instance/config.py and then environment variables of the same names (JSON or text)."""
    app, settings = configured_app(test_config)
    store = open_history(app.config["SAGASCOPE_HISTORY"], app.instance_path)
    socketio.init_app(
        app,
        async_mode="threading",
        manage_session=False,
        max_http_buffer_size=settings.limits.transport_bytes,
        cors_allowed_origins=app.config["SAGASCOPE_CORS_ORIGINS"],
        logger=False,
        engineio_logger=False,
    )
    server = socketio.server  # this app's server, even if another app is created later
    socket_api.name_literal_star_events(server)
    app.extensions[SOCKET_SERVER] = server
    app.extensions[RUNNER] = Runner(
        store,
        settings.limits,
        emit=lambda event, payload, sid: server.emit(event, payload, to=sid, namespace="/"),
        start_task=server.start_background_task,
        sleep=server.sleep,
    )
    routes.register(app)
    security.init_app(app, settings.frame_ancestors, settings.embed_frame_ancestors)
    return app


def configured_app(test_config: dict[str, Any] | None = None) -> tuple[Flask, Settings]:
    """The Flask app with its configuration read and checked, before anything is started (no
    store, no threads): `sagascope serve` checks the settings this way before it listens."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(asset_folder("templates")),
        static_folder=str(asset_folder("static")),
        static_url_path="/static",
    )
    config.load(app.config, test_config)
    if app.config["SAGASCOPE_TEMPLATE_FOLDER"]:
        app.template_folder = str(app.config["SAGASCOPE_TEMPLATE_FOLDER"])
    return app, config.check(app.config)


def asset_folder(name: str) -> Path:
    """`templates` or `static`: inside the package when it was installed from a wheel, else at
    the top of the checkout this package sits in (an editable install, or the source tree)."""
    for folder in (PACKAGE / name, PACKAGE.parent / name):
        if folder.is_dir():
            return folder
    raise FileNotFoundError(f"SagaScope's {name}/ folder is missing from {PACKAGE} and from "
                            f"{PACKAGE.parent}; reinstall the package (pip install .)")
