"""Extensions are created once at import and bound to an app in `create_app` (Flask's pattern),
so handlers can be registered at import time."""

from flask_socketio import SocketIO

socketio = SocketIO()
