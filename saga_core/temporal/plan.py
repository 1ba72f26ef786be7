"""A saga definition as a Temporal workflow plan, and the failure grammar as Temporal behaviour.

Plain data, no temporalio import: the workflow receives the plan as its input (so the history
shows exactly what it was asked to run), the worker builds its activities from the same plan,
and the `temporal` export renders it as code.

Failures are decided by Temporal's own attempt counter (`activity.info().attempt`), never by a
counter a worker keeps, so a replacement worker process decides exactly as the dead one would.
The order per attempt is the SagaScope orchestrator's: timeouts first, then a business failure,
then transient errors; a lost completion (`drop`) comes after the effect committed.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidFailureSpec, InvalidRequest
from ..failures import FailureSpec, parse_failure
from ..retry import COMPENSATION_RETRY, RetryPolicy

if TYPE_CHECKING:
    from ..definition import Saga, Step

BUSINESS_FAILURE = "BusinessFailure"
TRANSIENT_FAILURE = "TransientError"
LATE_ANSWER = "AnsweredTooLate"
INSUFFICIENT_BALANCE = "InsufficientBalance"
COMPLETE_ACTIVITY = "complete_saga"
MIN_TIME_SCALE, MAX_TIME_SCALE = 0.5, 20.0

DUPLICATE_REFUSAL = (
    "duplicate has no Temporal meaning: the server records each activity result once in the "
    "workflow's history and rejects a second completion of the same attempt, so no reply can "
    "reach a workflow twice (use drop to see an activity run twice)"
)


def retry_fields(policy: RetryPolicy, scale: float = 1.0) -> dict[str, Any]:
    """Temporal's RetryPolicy fields for one of ours (both count attempts, first included)."""
    initial = max(1, round(policy.initial_interval_ms * scale))
    return {
        "initial_interval_ms": initial,
        "backoff_coefficient": policy.backoff_coefficient,
        "maximum_interval_ms": max(initial, round(policy.max_interval_ms * scale)),
        "maximum_attempts": policy.max_attempts,
        "non_retryable_error_types": [BUSINESS_FAILURE, INSUFFICIENT_BALANCE],
    }


def activity_names(saga: Saga) -> dict[tuple[str, str], str]:
    """(step, "step" | "undo") → activity type: the action's own name, made unique if need be."""
    wanted: dict[tuple[str, str], str] = {}
    for step in saga.steps:
        wanted[(step.name, "step")] = step.action.name
        if step.compensate is not None:
            wanted[(step.name, "undo")] = step.compensate.name
    counts = Counter(wanted.values())
    counts[COMPLETE_ACTIVITY] += 1
    return {
        key: name if counts[name] == 1 else _word(f"{key[0]}_{name}")
        for key, name in wanted.items()
    }


def _word(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


@dataclass(frozen=True)
class Fates:
    """How many times each (step, kind) misbehaves, read against Temporal's attempt number."""

    counts: dict[tuple[str, str], int]

    @classmethod
    def of(cls, saga: Saga, specs: Iterable[str | FailureSpec]) -> Fates:
        counts: Counter[tuple[str, str]] = Counter()
        for spec in specs:
            parsed = spec if isinstance(spec, FailureSpec) else parse_failure(spec, saga.step_names)
            counts[(parsed.step, parsed.kind)] += parsed.count
        fates = cls(dict(counts))
        fates.check(saga)
        return fates

    def n(self, step: str, kind: str) -> int:
        return self.counts.get((step, kind), 0)

    def step(self, step: str, attempt: int) -> str:
        """timeout | fail | transient | drop | ok, for this attempt of the step's activity."""
        timeouts, transients = self.n(step, "timeout"), self.n(step, "transient")
        if attempt <= timeouts:
            return "timeout"
        if self.n(step, "fail"):
            return "fail"
        if attempt <= timeouts + transients:
            return "transient"
        if attempt <= timeouts + transients + self.n(step, "drop"):
            return "drop"
        return "ok"

    def compensation_fails(self, step: str, attempt: int) -> bool:
        return attempt <= self.n(step, "compensate")

    def crash_steps(self) -> list[str]:
        return [step for (step, kind) in self.counts if kind == "crash"]

    def check(self, saga: Saga) -> None:
        """Refuse what has no honest Temporal meaning, saying why."""
        for (step_name, kind), n in self.counts.items():
            if kind == "duplicate":
                raise InvalidFailureSpec(f"{step_name}:duplicate: {DUPLICATE_REFUSAL}")
            if kind != "drop":
                continue
            step = saga.step(step_name)
            used = n + self.n(step_name, "timeout") + self.n(step_name, "transient")
            if used >= step.retry.max_attempts:
                raise InvalidFailureSpec(
                    f"{step_name}:drop:{n}: a lost completion is a timed-out attempt whose effect "
                    f"committed, and {step_name} has {step.retry.max_attempts} attempts in all; "
                    f"with {used} of them failing none is left to report the committed effect "
                    "(lower the counts so Temporal's retry can recover, as SagaScope's "
                    "redelivery does)"
                )


def saga_plan(saga: Saga, failures: Iterable[str | FailureSpec] = (), *, seed: int = 0,
              time_scale: float = 1.0) -> dict[str, Any]:
    """The workflow's input: every activity with its timeout and retry policy, in saga order."""
    if not MIN_TIME_SCALE <= time_scale <= MAX_TIME_SCALE:
        raise InvalidRequest(
            f"time scale {time_scale} is out of range; it is {MIN_TIME_SCALE} to {MAX_TIME_SCALE} "
            "(real milliseconds per definition millisecond)"
        )
    specs = [str(s) for s in failures]
    Fates.of(saga, specs)
    names = activity_names(saga)
    steps = []
    for step in saga.steps:
        entry: dict[str, Any] = {
            "name": step.name,
            "service": step.service,
            "activity": names[(step.name, "step")],
            "timeout_ms": _scaled(step.timeout_ms, time_scale),
            "retry": retry_fields(step.retry, time_scale),
            "compensation": None,
        }
        if step.compensate is not None:
            entry["compensation"] = {
                "activity": names[(step.name, "undo")],
                "timeout_ms": _scaled(step.timeout_ms, time_scale),
                "retry": retry_fields(COMPENSATION_RETRY, time_scale),
            }
        steps.append(entry)
    completion = None
    if saga.completion is not None:
        first = saga.steps[0]
        completion = {
            "activity": COMPLETE_ACTIVITY,
            "service": first.service,
            "timeout_ms": _scaled(first.timeout_ms, time_scale),
            "retry": retry_fields(RetryPolicy(), time_scale),
        }
    return {
        "saga": saga.name,
        "failures": specs,
        "seed": seed,
        "time_scale": time_scale,
        "steps": steps,
        "completion": completion,
    }


def _scaled(ms: int, scale: float) -> int:
    return max(1, round(ms * scale))


def latency_ms(step: Step, seed: int, activity: str, attempt: int, scale: float) -> int:
    """The simulated work time of one attempt: drawn from the step's range, the same on any
    worker process for the same seed, activity and attempt."""
    low, high = step.latency_ms
    return round(random.Random(f"{seed}:{activity}:{attempt}").randint(low, high) * scale)
