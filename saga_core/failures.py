"""The failure kinds, listed once (names, menu labels, per-mode meaning: the CLI help, the page's
menus and docs/ENGINE.md read them here), and the failure-spec grammar `STEP[:KIND[:N]]`, shared
by the CLI, URLs and socket payloads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import InvalidFailureSpec


@dataclass(frozen=True, slots=True)
class FailureKind:
    """One way to break a step on purpose: how the menus name it, what it does in each mode."""

    name: str
    label: str
    """Short menu text, after the step's name: "payment: times out"."""
    summary: str
    """What goes wrong, in one line."""
    counted: bool
    """Whether N means something (`transient:3`); the others happen once."""
    armed: str
    """What the step will do, as `failure.injected` narrates it ({times}: "once", "N times")."""
    modes: dict[str, str] = field(hash=False)
    """Per mode, one sentence: what the engine does when this failure fires."""

    def describe(self, count: int) -> str:
        """The `armed` phrase for a spec with this count: "time out 2 times"."""
        return self.armed.format(times="once" if count == 1 else f"{count} times")


def _kind(name: str, label: str, summary: str, counted: bool, armed: str, *,
          orchestration: str, choreography: str, hybrid: str) -> FailureKind:
    modes = {"orchestration": orchestration, "choreography": choreography, "hybrid": hybrid}
    return FailureKind(name, label, summary, counted, armed, modes)


FAILURE_KINDS: dict[str, FailureKind] = {kind.name: kind for kind in (
    _kind(
        "fail", "fails for good (business error)",
        "business failure of the step; not retried", False,
        "fail for good (a business failure)",
        orchestration="The service rejects the step (step.failed, final) and the orchestrator "
        "compensates the committed steps in reverse order.",
        choreography="The service publishes the step's failure event; the previous service's "
        "subscription runs its compensation, and so on back to the first step.",
        hybrid="As in orchestration, the orchestrator compensates the committed steps in reverse "
        "order; the side subscribers only hear of the steps that committed.",
    ),
    _kind(
        "transient", "fails, then succeeds on retry",
        "fails N times with a retryable error, then succeeds", True,
        "fail with a transient error {times}",
        orchestration="The step fails with a retryable error (step.failed) N times, each followed "
        "by a retry after the step's backoff (step.retry_scheduled); once its max_attempts are "
        "used up the failure is final and the orchestrator compensates.",
        choreography="The consumer does not ack, so the bus redelivers the message after the "
        "backoff delay; once the attempts are used up the service publishes the step's failure "
        "event.",
        hybrid="As in orchestration, the orchestrator retries the step with its backoff until it "
        "succeeds or its max_attempts are used up.",
    ),
    _kind(
        "timeout", "times out",
        "exceeds its start-to-close timeout N times", True,
        "time out {times}",
        orchestration="The attempt exceeds the step's start-to-close timeout (step.timed_out); "
        "the service's transaction is abandoned, committing nothing, and the orchestrator "
        "retries it like a transient error.",
        choreography="The consumer's deadline passes, so it rolls its local transaction back and "
        "does not ack; the bus redelivers the message like a transient error.",
        hybrid="As in orchestration, the timed-out attempt commits nothing and the orchestrator "
        "retries it like a transient error.",
    ),
    _kind(
        "compensate", "its undo fails, then succeeds on retry",
        "the step's compensation fails N times, then succeeds on retry", True,
        "fail its compensation {times}",
        orchestration="When the step is compensated, its compensation fails N times "
        "(compensation.failed) and the orchestrator retries it with backoff "
        "(compensation.retry_scheduled) until it succeeds.",
        choreography="When the step is compensated, its compensation fails N times; the service "
        "does not ack the triggering event, so the bus redelivers it until the compensation "
        "succeeds.",
        hybrid="As in orchestration, the orchestrator retries the failed compensation with "
        "backoff until it succeeds.",
    ),
    _kind(
        "crash", "coordinator crashes right after it commits",
        "the coordinator (or the consuming service) crashes right after the step commits", False,
        "crash its coordinator right after committing",
        orchestration="Right after the step commits the orchestrator crashes "
        "(orchestrator.crashed) and loses all it held in memory; after a restart delay a new one "
        "is rebuilt by replaying the history (orchestrator.recovered) and carries on without "
        "re-running a committed step.",
        choreography="The consuming service crashes after its local commit, before it acks or "
        "publishes (consumer.crashed); on restart it publishes what its outbox holds "
        "(consumer.recovered), and the unacked message, redelivered after the ack timeout, is "
        "ignored as a duplicate.",
        hybrid="As in orchestration, the orchestrator crashes right after the step commits and "
        "is rebuilt by replaying the history; the step's domain event is already on its way to "
        "the side subscribers.",
    ),
    _kind(
        "drop", "its event is lost, then redelivered",
        "the message the step publishes is lost N times, then redelivered", True,
        "lose the message it publishes {times}",
        orchestration="The service's reply is lost after its local transaction committed "
        "(message.dropped) and redelivered after the ack timeout; a step replies once, so an N "
        "above 1 loses it no more often.",
        choreography="The event the step's service publishes is lost on its way N times "
        "(message.dropped) and redelivered after the ack timeout each time.",
        hybrid="The step's domain event is lost on its way to the side subscribers N times in "
        "all and redelivered after the ack timeout; the orchestrator's reply is not affected.",
    ),
    _kind(
        "duplicate", "its event is delivered twice",
        "the message the step publishes is delivered twice", False,
        "deliver the message it publishes twice",
        orchestration="The service's reply arrives twice; the orchestrator has already recorded "
        "it and ignores the second (message.duplicate_ignored).",
        choreography="The event the step's service publishes is delivered twice; the consumer "
        "ignores the second by its message id (message.duplicate_ignored), also when it arrives "
        "while the first is still being processed.",
        hybrid="A side subscriber receives the step's domain event twice and ignores the second "
        "by its message id; the orchestrator's reply is not affected.",
    ),
)}
KINDS = FAILURE_KINDS
"""The same list under its older name: failure kind name → `FailureKind`, in menu order."""
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
        f"valid steps: {', '.join(names)}; valid kinds: {', '.join(FAILURE_KINDS)}; "
        f"N is 1 to {MAX_COUNT}"
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
    if kind not in FAILURE_KINDS:
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
