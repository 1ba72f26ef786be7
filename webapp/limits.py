"""What one connection may ask of the server, so a hundred students share it fairly and a
misbehaving client only ever hurts itself."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Caps the server enforces; each is a config value (`SAGASCOPE_LIMITS`)."""

    runs_per_client: int = 8
    """Live runs one connection holds; starting another retires its least recently used run."""
    runs_total: int = 1_000
    """Live runs on the whole server; past this, `start` answers `server_busy`."""
    transitions_per_run: int = 5_000
    """Engine transitions one run may take before the server stops it."""
    failures_per_run: int = 20
    """Failures one run may have injected into it while it runs."""
    message_bytes: int = 4_096
    """Largest message (as JSON) a handler reads; larger ones get `too_large`."""
    transport_bytes: int = 65_536
    """Largest packet the transport accepts at all; a larger one closes the connection."""
    messages_per_second: float = 20.0
    """Sustained message rate per connection; faster ones get `too_fast`."""
    message_burst: int = 40
    """Messages a connection may send at once before the rate applies."""
    idle_seconds: float = 1_800.0
    """A run nobody touched (no control, no transition) for this long is reaped."""
    orphan_seconds: float = 120.0
    """A run whose connection went away is kept this long for `reattach`, then reaped."""

    @classmethod
    def from_config(cls, overrides: dict[str, Any] | None) -> Limits:
        """Defaults with `overrides` applied; an unknown name is a configuration error."""
        overrides = dict(overrides or {})
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(overrides) - set(names))
        if unknown:
            raise ValueError(f"unknown limit(s) {', '.join(unknown)} in SAGASCOPE_LIMITS; "
                             f"valid limits: {', '.join(names)}")
        limits = cls(**overrides)
        for f in fields(cls):
            value = getattr(limits, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"limit {f.name} must be a positive number, not {value!r}")
        return limits


class RateLimiter:
    """A token bucket per connection: `burst` messages at once, then `rate` a second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + max(0.0, now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            return allowed

    def forget(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)
