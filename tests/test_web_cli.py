"""`sagascope serve` as a teacher types it, and the engine commands still there beside it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from webapp.cli import main
from webapp.testing import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent


def serve(port: str, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "SAGASCOPE_HISTORY": str(tmp_path / "history.sqlite")}
    return subprocess.Popen([sys.executable, "-m", "webapp.cli", "serve", "--port", port],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}healthz", timeout=5) as response:
            return json.load(response)["status"] == "ok"
    except OSError:  # not listening yet: the URL is printed just before the server binds
        return False


def test_serve_prints_its_url_and_answers_there_until_interrupted(tmp_path):
    port = free_port()
    proc = serve(str(port), tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"SagaScope is running at http://127.0.0.1:{port}/")
        url = line.split()[4]
        wait_until(lambda: healthy(url) or proc.poll() is not None, timeout=20,
                   what="serve to answer /healthz")
        assert proc.poll() is None, proc.communicate(timeout=5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=5)


def test_serve_on_a_busy_port_says_so_and_exits_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = serve(str(taken.getsockname()[1]), tmp_path)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert "cannot listen on 127.0.0.1" in err and "choose another --port" in err


def test_serve_refuses_a_port_that_is_not_a_port(tmp_path):
    proc = serve("http", tmp_path)
    _, err = proc.communicate(timeout=30)
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
