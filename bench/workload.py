"""The sagas every section runs: the checkout scenario, per mode, with seeded failures.

"10% injected failures" means one saga in ten (chosen by a seeded RNG) gets one failure spec,
also drawn by the RNG, from every kind of the grammar except `crash`: a crash is a recovery,
which has its own section (and on a durable store in the CLI, a real process death).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from saga_core import MODES, Run, load_scenario

SCENARIO = "checkout"
FAILURE_RATE = 0.10
FAILURE_KINDS = ("fail", "transient", "timeout", "compensate", "drop", "duplicate")
MIXES = {"success": 0.0, "failures_10pct": FAILURE_RATE}


LONG_RUN_MODE = "choreography"
LONG_RUN_FAILURES = (
    "order:compensate:100",
    "payment:compensate:100",
    "inventory:compensate:100",
    "shipping:fail",
)
"""A long run (about 1.2 k events, 600 transitions): shipping fails, and three compensations
each fail 100 times before they succeed. What a server or a page must stream without stalling."""


@dataclass(frozen=True)
class Case:
    """One saga to run: its seed and the failure specs armed before it starts."""

    seed: int
    failures: tuple[str, ...]


def cases(count: int, failure_rate: float, *, seed: int = 2026) -> list[Case]:
    """`count` sagas, a `failure_rate` share of them with one random failure."""
    saga = load_scenario(SCENARIO)
    rng = random.Random(seed)
    out = []
    for i in range(count):
        failures: tuple[str, ...] = ()
        if rng.random() < failure_rate:
            failures = (f"{rng.choice(saga.step_names)}:{rng.choice(FAILURE_KINDS)}",)
        out.append(Case(seed=i, failures=failures))
    return out


def cycle(pool: list[Case], n: int) -> list[Case]:
    """`n` cases taken round-robin from `pool` (batches of any size share one workload)."""
    return [pool[i % len(pool)] for i in range(n)]


def run_case(case: Case, mode: str, **kwargs) -> Run:
    run = Run(load_scenario(SCENARIO), mode, seed=case.seed, failures=case.failures, **kwargs)
    run.run_to_end()
    return run


__all__ = [
    "FAILURE_KINDS",
    "FAILURE_RATE",
    "LONG_RUN_FAILURES",
    "LONG_RUN_MODE",
    "MIXES",
    "MODES",
    "SCENARIO",
    "Case",
    "cases",
]
