"""Retry policy: how often and how patiently a step is tried again."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidDefinition


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a step fails with a retryable error or times out, try again with backoff."""

    max_attempts: int = 3
    """Attempts in all, the first included; 1 means never retry."""
    initial_interval_ms: int = 100
    """Virtual delay before the second attempt."""
    backoff_coefficient: float = 2.0
    """Each further delay is the previous one times this."""
    max_interval_ms: int = 10_000
    """Delays never grow beyond this."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise InvalidDefinition(f"max_attempts must be at least 1, not {self.max_attempts}")
        if self.initial_interval_ms < 0:
            raise InvalidDefinition("initial_interval_ms must not be negative")
        if self.backoff_coefficient < 1:
            raise InvalidDefinition("backoff_coefficient must be at least 1")
        if self.max_interval_ms < self.initial_interval_ms:
            raise InvalidDefinition("max_interval_ms must be at least initial_interval_ms")

    def delay_ms(self, failed_attempt: int) -> int:
        """Delay after attempt number `failed_attempt` (1-based) failed."""
        delay = self.initial_interval_ms * self.backoff_coefficient ** (failed_attempt - 1)
        return int(min(delay, self.max_interval_ms))

    def to_dict(self) -> dict:
        return {
            "max_attempts": self.max_attempts,
            "initial_interval_ms": self.initial_interval_ms,
            "backoff_coefficient": self.backoff_coefficient,
            "max_interval_ms": self.max_interval_ms,
        }


#: Compensations are retried until they succeed, with this backoff.
COMPENSATION_RETRY = RetryPolicy(max_attempts=1_000, initial_interval_ms=100, max_interval_ms=2_000)
