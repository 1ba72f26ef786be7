"""`sagascope serve` as a teacher types it (gunicorn's threaded worker in the process, or Werkzeug
where gunicorn cannot run), and the commands beside it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
import socketio as sio_client
from server_logs import our_tracebacks

from webapp.cli import main
from webapp.serving import check_free
from webapp.testing import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
SAGASCOPE = shutil.which("sagascope", path=str(Path(sys.executable).parent))
WITHOUT_GUNICORN = (
    "import sys; sys.modules['gunicorn'] = None  # as where gunicorn cannot be imported\n"
    "from webapp.cli import main; sys.exit(main(sys.argv[1:]))"
)
SERVERS = {
    "gunicorn": [SAGASCOPE or "sagascope"],
    "werkzeug": [sys.executable, "-c", WITHOUT_GUNICORN],
}
NOT_OURS = ("development server", "[INFO]", "Booting worker", "Listening at")


def serve(server: str, tmp_path: Path, *args: str, **env: str) -> subprocess.Popen:
    """`sagascope serve ARGS` in its own process group (as a shell runs it), history in tmp."""
    env = {**os.environ, "SAGASCOPE_HISTORY": str(tmp_path / "history.sqlite"), **env}
    return subprocess.Popen([*SERVERS[server], "serve", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def get(url: str) -> tuple[int, str, str]:
    """Status, body and the Server header (which says who served it)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode(), response.headers.get("Server", "")


def healthy(url: str) -> bool:
    try:
        return json.loads(get(f"{url}healthz")[1])["status"] == "ok"
    except OSError:
        return False


def finish(proc: subprocess.Popen) -> tuple[str, str]:
    """The rest of its output once it has exited (killed if it has not within 20 s)."""
    try:
        return proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=5)
        raise


class Student:
    """A python-socketio client on a real websocket, watching one run at speed max."""

    def __init__(self, url: str) -> None:
        self.events: list[dict] = []
        self.finished = threading.Event()
        self.gone = threading.Event()
        self.client = sio_client.Client(reconnection=False)
        self.client.on("saga_event", lambda payload: self.events.append(payload["event"]))
        self.client.on("run_state", lambda s: s["state"] == "finished" and self.finished.set())
        self.client.on("disconnect", lambda *reason: self.gone.set())
        self.client.connect(url, transports=["websocket"], wait_timeout=10)

    def start(self, **payload) -> dict:
        return self.client.call("start", payload, timeout=10)


@contextlib.contextmanager
def serving(server: str, tmp_path: Path):
    """`sagascope serve` on a free port, once it answers: (process, its first line, its URL).
    Whatever is left of it at the end is killed, worker included."""
    port = free_port()
    proc = serve(server, tmp_path, "--port", str(port))
    url = f"http://127.0.0.1:{port}/"
    try:
        line = proc.stdout.readline()
        wait_until(lambda: healthy(url) or proc.poll() is not None, timeout=20,
                   what="serve to answer /healthz")
        assert proc.poll() is None, proc.communicate(timeout=5)
        yield proc, line, url
    finally:
        with contextlib.suppress(ProcessLookupError):  # gone already, worker and all
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.returncode is None:
            proc.communicate(timeout=5)


@pytest.mark.parametrize("server", SERVERS)
def test_serve_prints_one_line_streams_runs_over_websockets_and_stops_on_sigterm(server,
                                                                                tmp_path):
    with serving(server, tmp_path) as (proc, line, url):
        assert line == f"SagaScope is running at {url} (Ctrl+C to stop)\n"
        status, page, software = get(url)
        assert status == 200 and '<script type="module" src="/static/js/main.js">' in page
        assert software.lower().startswith(server), software

        student = Student(url)
        assert student.client.transport() == "websocket"
        ack = student.start(mode="orchestration", failures=["inventory"], speed="max",
                            autoplay=True)
        assert ack["ok"] and student.finished.wait(15)
        assert student.events[0]["kind"] == "saga.started"
        assert student.events[-1]["kind"] == "saga.compensated"
        idle = Student(url)  # a connection still open when the server stops must not hold it
        idle.start(mode="choreography", speed=0.25, autoplay=True)

        proc.send_signal(signal.SIGTERM)
        out, err = finish(proc)
        assert proc.returncode == 0, err
        assert out == "", "serve prints one line and nothing more"
        assert not [noise for noise in NOT_OURS if noise in err], err
        assert not our_tracebacks(err), err
        assert idle.gone.wait(5), "the open websocket was not closed by the stop"
        assert not (tmp_path / "history.sqlite-wal").exists(), "the history was not closed"


def test_ctrl_c_stops_gunicorn_and_its_worker_cleanly(tmp_path):
    """A terminal sends SIGINT to the whole process group: the master and its worker at once."""
    with serving("gunicorn", tmp_path) as (proc, _, url):
        Student(url).start(mode="hybrid", speed=1, autoplay=True)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = finish(proc)
        assert proc.returncode == 0 and out == "", err
        assert "Traceback" not in err, err
        assert not (tmp_path / "history.sqlite-wal").exists(), "the history was not closed"


def test_a_worker_whose_master_is_killed_closes_its_websockets_and_frees_the_port(tmp_path):
    """gunicorn's master dies without a word (SIGKILL): its worker must not hold the students'
    websockets and the port for gunicorn's 30 s graceful timeout."""
    with serving("gunicorn", tmp_path) as (proc, _, url):
        student = Student(url)
        student.start(mode="orchestration", speed=1, autoplay=True)
        proc.kill()
        proc.communicate(timeout=10)
        assert student.gone.wait(10), "the orphaned worker kept the websocket open"
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        wait_until(lambda: port_is_free(port), timeout=10, what="the worker to free the port")


def port_is_free(port: int) -> bool:
    try:
        check_free("127.0.0.1", port)
    except OSError:
        return False
    return True


@pytest.mark.parametrize("server", SERVERS)
def test_serve_on_a_busy_port_says_so_and_exits_2(server, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = serve(server, tmp_path, "--port", str(taken.getsockname()[1]))
        out, err = finish(proc)
    assert proc.returncode == 2 and out == ""
    assert "cannot listen on 127.0.0.1" in err and "choose another --port" in err
    assert len(err.strip().splitlines()) == 1, err


def test_serve_with_a_bad_setting_says_which_before_it_listens(tmp_path):
    proc = serve("gunicorn", tmp_path, "--port", str(free_port()),
                 SAGASCOPE_LIMITS='{"runs_per_student": 4}')
    out, err = finish(proc)
    assert proc.returncode == 2 and out == ""
    assert err.startswith("sagascope serve: unknown limit(s) runs_per_student")
    assert "valid limits: runs_per_client" in err


def test_serve_refuses_a_port_that_is_not_a_port(tmp_path):
    proc = serve("gunicorn", tmp_path, "--port", "http")
    _, err = finish(proc)
    assert proc.returncode == 2 and "a port is a number 1 to 65535" in err


def test_the_command_line_does_not_load_the_benchmarks():
    check = ("import webapp.cli, sys; assert not any(m.split('.')[0] in "
             "{'bench','sagascope_bench','dbos'} for m in sys.modules)")
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_bench_from_the_checkout_hands_its_options_to_the_benchmarks(capsys):
    with pytest.raises(SystemExit) as shown:
        main(["bench", "--help"])
    assert shown.value.code == 0
    assert capsys.readouterr().out.startswith("usage: sagascope bench [-h] [--quick]")


def test_the_engine_commands_are_still_there(capsys):
    assert main(["trace", "--mode", "hybrid", "--fail", "payment", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["kind"] == "saga.compensated"
