"""The failure-spec grammar `STEP[:KIND[:N]]`, shared by the CLI, URLs and socket payloads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidFailureSpec

KINDS: dict[str, str] = {
    "fail": "business failure of the step; not retried",
    "transient": "fails N times with a retryable error, then succeeds",
    "timeout": "exceeds its start-to-close timeout N times",
    "compensate": "the step's compensation fails N times, then succeeds on retry",
    "crash": "the coordinator (or the consuming service) crashes right after the step commits",
    "drop": "the message the step publishes is lost N times, then redelivered",
    "duplicate": "the message the step publishes is delivered twice",
}
MAX_COUNT = 100
_SPEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)(?::([a-z]+)(?::(\d+))?)?$")


@dataclass(frozen=True, slots=True)
class FailureSpec:
    """One injected failure: which step, what goes wrong, how many times."""

    step: str
    kind: str = "fail"
    count: int = 1

    def __str__(self) -> str:
        return f"{self.step}:{self.kind}:{self.count}"


def parse_failure(text: object, steps: Iterable[str]) -> FailureSpec:
    """Parse one spec against the scenario's step names, or say what is valid."""
    names = list(steps)
    valid = (
        f"valid steps: {', '.join(names)}; valid kinds: {', '.join(KINDS)}; N is 1 to {MAX_COUNT}"
    )
    if not isinstance(text, str):
        raise InvalidFailureSpec(f"a failure spec is a string STEP[:KIND[:N]] ({valid})")
    match = _SPEC.match(text.strip())
    if not match:
        raise InvalidFailureSpec(
            f"failure spec {text[:80]!r} does not parse as STEP[:KIND[:N]] ({valid})"
        )
    step, kind, count = match.group(1), match.group(2) or "fail", match.group(3)
    if step not in names:
        raise InvalidFailureSpec(f"unknown step {step!r} in failure spec ({valid})")
    if kind not in KINDS:
        raise InvalidFailureSpec(f"unknown failure kind {kind!r} in {text!r} ({valid})")
    n = int(count) if count is not None else 1
    if not 1 <= n <= MAX_COUNT:
        raise InvalidFailureSpec(f"count {n} in {text!r} is out of range ({valid})")
    return FailureSpec(step, kind, n)


def parse_failures(texts: Iterable[object], steps: Iterable[str]) -> list[FailureSpec]:
    names = list(steps)
    return [parse_failure(t, names) for t in texts]


class FailurePlan:
    """What is still armed: the engine asks it, at each decision point, whether to misbehave."""

    __slots__ = ("_left",)

    def __init__(self, specs: Iterable[FailureSpec] = ()) -> None:
        self._left: dict[tuple[str, str], int] = {}
        for spec in specs:
            self.arm(spec)

    def arm(self, spec: FailureSpec) -> None:
        key = (spec.step, spec.kind)
        self._left[key] = self._left.get(key, 0) + spec.count

    def take(self, step: str, kind: str) -> bool:
        """Consume one occurrence of `kind` at `step`; False when none is armed."""
        if not self._left:
            return False
        key = (step, kind)
        left = self._left.get(key, 0)
        if left <= 0:
            return False
        self._left[key] = left - 1
        return True

    def armed(self, step: str, kind: str) -> bool:
        return self._left.get((step, kind), 0) > 0
