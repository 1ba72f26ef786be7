"""Timing helpers: calibrated batches, subject and baseline interleaved, medians.

A subject and its baseline are timed in alternation (subject, baseline, subject, …) so that a
noisy neighbour on a shared machine slows both alike, and the ratio stays meaningful even when
the absolute figures drift. Batches are timed in CPU time of this process
(`time.process_time`): on a shared machine, wall time also counts the time other jobs held the
core, while CPU time is what the work itself cost. Both agree on an idle machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

Batch = Callable[[int], object]
"""Runs `n` units of work (sagas, events, …); its return value is ignored."""


class Unavailable(Exception):
    """A subject or peer cannot run here; the message is the reason its figures are null."""


@dataclass(frozen=True)
class Budget:
    """How long one measurement may take and how many times it is repeated."""

    seconds: float
    repeats: int

    @classmethod
    def for_run(cls, quick: bool) -> Budget:
        return cls(seconds=0.07, repeats=3) if quick else cls(seconds=0.8, repeats=3)


CLOCK = time.process_time
CLOCK_NAME = "CPU time of the benchmark process (time.process_time)"


def timed(batch: Batch, n: int) -> float:
    began = CLOCK()
    batch(n)
    return max(CLOCK() - began, 1e-6)


def calibrate(batch: Batch, seconds: float, *, at_least: int = 1, at_most: int = 10**8) -> int:
    """How many units fill about `seconds`, found by doubling from one (also warms caches)."""
    n = at_least
    while True:
        elapsed = timed(batch, n)
        if elapsed >= seconds / 4 or n >= at_most:
            break
        n *= 2
    per_unit = elapsed / n
    return max(at_least, min(at_most, int(seconds / per_unit) if per_unit > 0 else at_most))


def rate(batch: Batch, n: int, repeats: int) -> float:
    """Median units per second over `repeats` timed batches of `n`."""
    return statistics.median(n / timed(batch, n) for _ in range(repeats))


def paired_rates(
    subject: Batch, baseline: Batch, budget: Budget, *, at_most: int = 10**8
) -> tuple[float, float]:
    """Median units/s of subject and baseline, each batch filling the budget, interleaved."""
    rates = interleaved_rates({"subject": subject, "baseline": baseline}, budget, at_most=at_most)
    return rates["subject"], rates["baseline"]


def interleaved_rates(
    batches: dict[str, Batch],
    budget: Budget,
    *,
    at_most: int | dict[str, int] = 10**8,
    at_least: dict[str, int] | None = None,
) -> dict[str, float]:
    """Median units/s of each batch; one round times each once, rounds repeat `budget.repeats`."""
    caps = at_most if isinstance(at_most, dict) else dict.fromkeys(batches, at_most)
    floors = at_least or {}
    sizes = {
        name: calibrate(
            batch, budget.seconds, at_least=floors.get(name, 1), at_most=caps.get(name, 10**8)
        )
        for name, batch in batches.items()
    }
    samples: dict[str, list[float]] = {name: [] for name in batches}
    for _ in range(budget.repeats):
        for name, batch in batches.items():
            samples[name].append(sizes[name] / timed(batch, sizes[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return value / reference


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank; samples need not be sorted."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def rounded(value: float | None, digits: int = 3) -> float | None:
    """Figures rounded to `digits` significant digits, so the JSON stays readable."""
    if value is None:
        return None
    if value == 0:
        return 0.0
    from math import floor, log10

    return round(value, max(0, digits - 1 - floor(log10(abs(value)))))
