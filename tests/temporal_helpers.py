"""What the Temporal tests share: the skip-or-fail rule and a dev server of their own.

Without the `temporal` extra the tests skip, saying how to install it; under CI (`CI` set) they
fail instead, so CI can never pass without running Temporal for real.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

HOW = "the Temporal tests need the temporal extra: pip install -e '.[temporal]'"


def need_temporal() -> None:
    try:
        import temporalio  # noqa: F401

        from saga_core.temporal.devserver import temporal_binary

        temporal_binary()
    except Exception as exc:  # ImportError, or no binary (DevServerError)
        message = f"{HOW} ({exc})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def dev_server(tmp_path_factory) -> Iterator:
    """A dev server on a free loopback port, stopped by its pid afterwards."""
    need_temporal()
    from saga_core.temporal.devserver import DevServer

    server = DevServer.start(log=tmp_path_factory.mktemp("temporal") / "server.log")
    try:
        yield server
    finally:
        server.stop()
        assert not pid_alive(server.pid)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
