"""End-to-end fixtures: a real SagaScope server on a free loopback port, and Debian's Chromium
driven by Playwright. Without Chromium the suite is skipped (and fails under CI, where `.ci/run`
installs it). Every page is watched: a console error or an uncaught exception fails the test."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("playwright", reason="pip install playwright pytest-playwright")
webapp = pytest.importorskip("webapp", reason="the web app is needed for browser tests")

from werkzeug.serving import make_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NETWORK_NOISE = re.compile(r"WebSocket connection|ERR_CONNECTION_REFUSED|net::ERR_")


def chromium_path() -> str | None:
    candidates = (os.environ.get("CHROMIUM_PATH"), shutil.which("chromium"), "/usr/bin/chromium")
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if path is None:
        message = "Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def server_url():
    """The app in this process, on Werkzeug's threaded server (real websockets)."""
    app = webapp.create_app({"TESTING": True, "SAGASCOPE_HISTORY": ":memory:"})
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    webapp.get_runner(app).shutdown()
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def base_url(server_url):
    return server_url


class Watch:
    """What went wrong on a page: console errors and uncaught exceptions."""

    def __init__(self, page) -> None:
        self.problems: list[str] = []
        self.allow_network_errors = False
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        if self.allow_network_errors and NETWORK_NOISE.search(message.text):
            return
        self.problems.append(f"console error: {message.text}")


@pytest.fixture
def watch(page):
    watcher = Watch(page)
    yield watcher
    assert not watcher.problems, "\n".join(watcher.problems)


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where screenshots go: $SAGASCOPE_SCREENSHOTS when set (to look at them), else tmp."""
    target = Path(os.environ.get("SAGASCOPE_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


class ServeProcess:
    """`sagascope serve` in a child process, so a test can kill it and start it again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "SAGASCOPE_HISTORY": ":memory:", "PYTHONUNBUFFERED": "1"}
        code = "import sys; from webapp.cli import main; sys.exit(main(sys.argv[1:]))"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("sagascope serve exited at start") from None
                time.sleep(0.05)
        raise TimeoutError(f"sagascope serve did not listen on port {self.port}")

    def stop(self) -> None:
        """The server dies at once: gunicorn's master and its worker, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def restartable_server():
    serve = ServeProcess(free_port())
    serve.start()
    yield serve
    serve.stop()
