"""Orchestration: one coordinator calls each service in turn and compensates in reverse.

Its runtime state is tiny (a step index, a direction, the committed steps); everything else is
derived. Transient errors and timeouts are retried with the step's backoff policy on the virtual
clock; compensations are idempotent ("undo if present") and retried until they succeed. When it
crashes, the coordinator is rebuilt by replaying the run's history (see `run.Run`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import reports
from .narrate import sentence, third_person
from .retry import COMPENSATION_RETRY
from .world import InsufficientBalance

if TYPE_CHECKING:
    from .bus import Bus
    from .definition import Step
    from .simulation import Simulation

ACTOR = "orchestrator"


class Orchestrator:
    """The saga's state machine: forward through the steps, or backward through compensations."""

    def __init__(self, sim: Simulation, bus: Bus | None = None) -> None:
        self.sim = sim
        self.saga = sim.saga
        self.bus = bus
        self.index = 0
        self.forward = True
        self.committed: list[int] = []
        self.compensated: list[int] = []

    def key(self, step: Step) -> str:
        return f"{self.sim.run_id}:{step.name}"

    # -- decisions ----------------------------------------------------------------------------
    def start(self, failures: list[str]) -> None:
        reports.saga_started(
            self.sim,
            ACTOR,
            failures,
            f"the orchestrator will call {len(self.saga.steps)} services in turn",
        )
        self._decide()

    def _decide(self) -> None:
        self.sim.at(self.sim.draw(self.saga.timing.decision_ms), self._next)

    def _next(self) -> None:
        if self.forward:
            if self.index == len(self.saga.steps):
                self._complete()
            else:
                self._invoke(self.index, 1)
        else:
            pending = [i for i in reversed(self.committed) if i not in self.compensated]
            if pending:
                self._compensate(pending[0], 1)
            else:
                self._finish_compensated()

    # -- forward ------------------------------------------------------------------------------
    def _invoke(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        sim.emit(
            "step.started",
            ACTOR,
            step.name,
            {"service": step.service, "attempt": attempt, "max_attempts": step.retry.max_attempts},
            step.sentences.asked[attempt - 1],
        )
        if sim.plan.take(step.name, "timeout"):
            sim.at(step.timeout_ms, self._timed_out, i, attempt)
        else:
            sim.at(sim.draw(step.latency_ms), self._outcome, i, attempt)

    def _outcome(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        if sim.plan.take(step.name, "fail"):
            return self._failed(i, attempt, step.failure_reason, retryable=False)
        if sim.plan.take(step.name, "transient"):
            return self._failed(i, attempt, reports.TRANSIENT_ERROR, True)
        try:
            sim.world.apply(step.service, self.key(step), step.name, step.action)
        except InsufficientBalance as exc:
            return self._failed(i, attempt, str(exc), retryable=False)
        if self.bus is None and sim.plan.take(step.name, "drop"):
            sim.emit(
                "message.dropped",
                "bus",
                step.name,
                {
                    "message_id": f"reply-{step.name}-{attempt}",
                    "name": f"{step.name} reply",
                    "source": step.service,
                    "target": ACTOR,
                    "redeliver_at_ms": sim.now + self.saga.timing.ack_timeout_ms,
                },
                sentence(
                    f"{step.service}'s reply is lost on the way back; its local transaction "
                    "committed, so the reply is redelivered after the ack timeout"
                ),
            )
            sim.at(self.saga.timing.ack_timeout_ms, self._succeeded, i, attempt, True)
            return None
        return self._succeeded(i, attempt)

    def _succeeded(self, i: int, attempt: int, redelivered: bool = False) -> None:
        sim, step = self.sim, self.saga.steps[i]
        if redelivered:
            sim.emit(
                "message.delivered",
                "bus",
                step.name,
                {
                    "message_id": f"reply-{step.name}-{attempt}",
                    "name": f"{step.name} reply",
                    "source": step.service,
                    "target": ACTOR,
                    "delivery": 2,
                },
                sentence(f"{step.service}'s reply is redelivered to the orchestrator"),
            )
        reports.step_succeeded(sim, step, attempt)
        self.committed.append(i)
        self.index = i + 1
        if self.bus is None and sim.plan.take(step.name, "duplicate"):
            sim.at(sim.draw(self.saga.timing.bus_hop_ms), self._duplicate_reply, i, attempt)
        if self.bus is not None:
            self.bus.publish_domain_event(step)
        if sim.plan.take(step.name, "crash"):
            self._crash(step)
        else:
            self._decide()

    def _duplicate_reply(self, i: int, attempt: int) -> None:
        step = self.saga.steps[i]
        self.sim.emit(
            "message.duplicate_ignored",
            ACTOR,
            step.name,
            {
                "message_id": f"reply-{step.name}-{attempt}",
                "name": f"{step.name} reply",
                "target": ACTOR,
            },
            sentence(
                f"{step.service}'s reply arrives a second time; the orchestrator has already "
                "recorded it and ignores the duplicate"
            ),
        )

    def _timed_out(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        final = attempt >= step.retry.max_attempts
        reports.timed_out(
            sim,
            ACTOR,
            step,
            attempt,
            final,
            f"{step.service} did not answer within {step.timeout_ms} ms; its transaction is "
            f"abandoned{' and no attempts are left' if final else ''}",
        )
        self._retry_or_give_up(i, attempt, final)

    def _failed(self, i: int, attempt: int, error: str, retryable: bool) -> None:
        sim, step = self.sim, self.saga.steps[i]
        final = not retryable or attempt >= step.retry.max_attempts
        reports.step_failed(sim, step, attempt, error, retryable, final)
        self._retry_or_give_up(i, attempt, final)

    def _retry_or_give_up(self, i: int, attempt: int, final: bool) -> None:
        sim, step = self.sim, self.saga.steps[i]
        if final:
            self.forward = False
            self._decide()
            return
        delay = step.retry.delay_ms(attempt)
        reports.retry_scheduled(
            sim,
            "step.retry_scheduled",
            ACTOR,
            step,
            attempt + 1,
            delay,
            f"The orchestrator will retry {step.service} in {delay} ms.",
        )
        sim.at(delay, self._invoke, i, attempt + 1)

    def _complete(self) -> None:
        sim, completion = self.sim, self.saga.completion
        first = self.saga.steps[0]
        text = "every step committed"
        if completion is not None:
            if completion.record is not None:
                sim.world.set_record(first.service, completion.record)
            text = f"{first.service} {third_person(completion.text)}"
            if self.bus is not None:
                self.bus.publish(completion.event, first.service, None)
        sim.emit(
            "saga.completed",
            ACTOR,
            None,
            {"committed": [self.saga.steps[i].name for i in self.committed], "compensated": []},
            sentence(f"Every step committed and {text}: the saga completed"),
        )

    # -- backward -----------------------------------------------------------------------------
    def _compensate(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        assert step.compensate is not None
        sim.emit(
            "compensation.started",
            ACTOR,
            step.name,
            {"service": step.service, "attempt": attempt},
            step.sentences.asked_to_compensate,
        )
        sim.at(sim.draw(step.latency_ms), self._compensation_outcome, i, attempt)

    def _compensation_outcome(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        assert step.compensate is not None
        if sim.plan.take(step.name, "compensate"):
            delay = COMPENSATION_RETRY.delay_ms(attempt)
            reports.compensation_failed(sim, step, attempt)
            reports.retry_scheduled(
                sim,
                "compensation.retry_scheduled",
                ACTOR,
                step,
                attempt + 1,
                delay,
                f"Compensations must succeed, so the orchestrator retries {step.service} "
                f"in {delay} ms",
            )
            sim.at(delay, self._compensate, i, attempt + 1)
            return
        sim.world.undo(step.service, self.key(step), step.name, step.action, step.compensate)
        self.compensated.append(i)
        reports.compensation_succeeded(sim, step, attempt)
        self._decide()

    def _finish_compensated(self) -> None:
        undone = [self.saga.steps[i].name for i in self.compensated]
        what = f"undid {' then '.join(undone)}, newest first" if undone else "had nothing to undo"
        self.sim.emit(
            "saga.compensated",
            ACTOR,
            None,
            {"committed": [self.saga.steps[i].name for i in self.committed], "compensated": undone},
            f"The orchestrator {what}: the saga is compensated.",
        )

    # -- crash and recovery -------------------------------------------------------------------
    def _crash(self, step: Step) -> None:
        sim = self.sim
        sim.emit(
            "orchestrator.crashed",
            ACTOR,
            step.name,
            {"after_step": step.name},
            sentence(
                f"The orchestrator crashes right after {step.name} committed; everything it held "
                "in memory is gone, only the history store remains"
            ),
        )
        sim.crashed = True
        sim.at(self.saga.timing.restart_ms, self.recover)

    def recover(self) -> None:
        """Runs in a coordinator freshly rebuilt from the history (the Run swaps it in first)."""
        replayed = self.sim.seq
        self.sim.crashed = False
        self.sim.emit(
            "orchestrator.recovered",
            ACTOR,
            None,
            {
                "replayed_events": replayed,
                "replay_ms": replay_cost_ms(replayed),
                "next_step": self._next_label(),
            },
            sentence(
                f"A new orchestrator replays {replayed} events from the history and resumes "
                f"{self._next_label()} without re-running any committed step"
            ),
        )
        self._decide()

    recover.rebuilds_coordinator = True  # type: ignore[attr-defined]

    def _next_label(self) -> str:
        if self.forward:
            if self.index == len(self.saga.steps):
                return "by completing the saga"
            return f"at step {self.saga.steps[self.index].name}"
        return "the compensations"


def replay_cost_ms(events: int) -> int:
    """Virtual time charged for replaying a history (measured wall time is reported apart)."""
    return 1 + events // 50
