"""Reading a real server's stderr in tests: our code must never raise, library noise aside."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "Traceback (most recent call last):"


def our_tracebacks(log: str) -> list[str]:
    """Tracebacks that pass through SagaScope's own code. engineio's writer thread can race a
    closing socket ("Bad file descriptor" inside simple_websocket) when a connection is closed
    while it writes: that is the library's noise, not ours."""
    return [t for t in log.split(MARK)[1:]
            if f"{ROOT}/webapp/" in t or f"{ROOT}/saga_core/" in t]
