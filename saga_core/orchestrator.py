"""Orchestration: one coordinator calls each service in turn and compensates in reverse.

Its runtime state is tiny (a step index, a direction, the committed steps); everything else is
derived. Transient errors and timeouts are retried with the step's backoff policy on the virtual
clock; compensations are idempotent ("undo if present") and retried until they succeed. When it
crashes, the coordinator is rebuilt by replaying the run's history (see `run.Run`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import service_events
from .bus import Message
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
        service_events.saga_started(
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
        service_events.step_started(sim, ACTOR, step, attempt, step.sentences.asked[attempt - 1])
        if sim.plan.take(step.name, "timeout"):
            sim.at(step.timeout_ms, self._timed_out, i, attempt)
        else:
            sim.at(sim.draw(step.latency_ms), self._outcome, i, attempt)

    def _outcome(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        if sim.plan.take(step.name, "fail"):
            return self._failed(i, attempt, step.failure_reason, retryable=False)
        if sim.plan.take(step.name, "transient"):
            return self._failed(i, attempt, service_events.TRANSIENT_ERROR, True)
        try:
            sim.world.apply(step.service, self.key(step), step.name, step.action)
        except InsufficientBalance as exc:
            return self._failed(i, attempt, str(exc), retryable=False)
        if self.bus is None and sim.plan.take(step.name, "drop"):
            service_events.message_dropped(
                sim, _reply(step, attempt), ACTOR, sim.now + self.saga.timing.ack_timeout_ms,
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
            service_events.message_delivered(
                sim, _reply(step, attempt), ACTOR, 2,
                sentence(f"{step.service}'s reply is redelivered to the orchestrator"),
            )
        service_events.step_succeeded(sim, step, attempt)
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
        service_events.duplicate_ignored(
            self.sim, _reply(step, attempt), ACTOR,
            sentence(
                f"{step.service}'s reply arrives a second time; the orchestrator has already "
                "recorded it and ignores the duplicate"
            ),
        )

    def _timed_out(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        final = attempt >= step.retry.max_attempts
        service_events.step_timed_out(
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
        service_events.step_failed(sim, step, attempt, error, retryable, final)
        self._retry_or_give_up(i, attempt, final)

    def _retry_or_give_up(self, i: int, attempt: int, final: bool) -> None:
        sim, step = self.sim, self.saga.steps[i]
        if final:
            self.forward = False
            self._decide()
            return
        delay = step.retry.delay_ms(attempt)
        service_events.retry_scheduled(
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
        service_events.saga_finished(
            sim, "completed", ACTOR, [self.saga.steps[i].name for i in self.committed], [],
            sentence(f"Every step committed and {text}: the saga completed"),
        )

    # -- backward -----------------------------------------------------------------------------
    def _compensate(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        assert step.compensate is not None
        service_events.compensation_started(
            sim, ACTOR, step, attempt, step.sentences.asked_to_compensate
        )
        sim.at(sim.draw(step.latency_ms), self._compensation_outcome, i, attempt)

    def _compensation_outcome(self, i: int, attempt: int) -> None:
        sim, step = self.sim, self.saga.steps[i]
        assert step.compensate is not None
        if sim.plan.take(step.name, "compensate"):
            delay = COMPENSATION_RETRY.delay_ms(attempt)
            service_events.compensation_failed(sim, step, attempt)
            service_events.retry_scheduled(
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
        service_events.compensation_succeeded(sim, step, attempt)
        self._decide()

    def _finish_compensated(self) -> None:
        undone = [self.saga.steps[i].name for i in self.compensated]
        what = f"undid {' then '.join(undone)}, newest first" if undone else "had nothing to undo"
        service_events.saga_finished(
            self.sim, "compensated", ACTOR, [self.saga.steps[i].name for i in self.committed],
            undone, f"The orchestrator {what}: the saga is compensated.",
        )

    # -- crash and recovery -------------------------------------------------------------------
    def _crash(self, step: Step) -> None:
        sim = self.sim
        service_events.orchestrator_crashed(sim, ACTOR, step)
        sim.crashed = True
        sim.at_recovery(self.saga.timing.restart_ms, self.recover)

    def recover(self) -> None:
        """Runs in a coordinator freshly rebuilt from the history (the Run swaps it in first:
        it is scheduled with `at_recovery`)."""
        replayed = self.sim.seq
        self.sim.crashed = False
        service_events.orchestrator_recovered(
            self.sim, ACTOR, replayed, replay_cost_ms(replayed), self._next_label()
        )
        self._decide()

    def _next_label(self) -> str:
        if self.forward:
            if self.index == len(self.saga.steps):
                return "by completing the saga"
            return f"at step {self.saga.steps[self.index].name}"
        return "the compensations"


def _reply(step: Step, attempt: int) -> Message:
    """A service's reply to the orchestrator, as a message (drop and duplicate act on it)."""
    return Message(f"reply-{step.name}-{attempt}", f"{step.name} reply", step.service, step.name)


def replay_cost_ms(events: int) -> int:
    """Virtual time charged for replaying a history (measured wall time is reported apart)."""
    return 1 + events // 50
