"""Choreography: no coordinator; each service reacts to the events it subscribes to.

The flow and the compensation chain live only in the subscriptions (`graph.subscriptions`). Each
consumer's local transaction records the message id it processed and the event it will publish
(its outbox) in the same commit, then acks: so a crash before the ack, or a duplicate, never
applies an effect twice, and a crashed consumer publishes what its outbox holds when it restarts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import service_events
from .bus import Bus, Message
from .graph import Handler, subscriptions, terminal_events
from .narrate import attempt_note, sentence, third_person
from .retry import COMPENSATION_RETRY
from .world import InsufficientBalance

if TYPE_CHECKING:
    from .definition import Step
    from .simulation import Simulation


class Choreography:
    """Wires every service's handlers to the bus and runs them."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.saga = sim.saga
        self.bus = Bus(sim, on_terminal=self._terminal)
        self.ends = terminal_events(self.saga)
        self.attempts: dict[str, int] = {}
        self.inflight: set[str] = set()
        """Message ids a consumer is working on: a duplicate arriving meanwhile is ignored too."""
        self.committed: list[str] = []
        self.compensated: list[str] = []
        for name, handler in subscriptions(self.saga).items():
            self.bus.subscribe(name, handler.service, self._consumer(handler))

    def key(self, step: Step) -> str:
        return f"{self.sim.run_id}:{step.name}"

    def start(self, failures: list[str]) -> None:
        service_events.saga_started(
            self.sim,
            "client",
            failures,
            "no coordinator, each service reacts to the events it subscribes to",
        )
        self.bus.publish(self.saga.start_message, "client", None)

    # -- receiving ----------------------------------------------------------------------------
    def _consumer(self, handler: Handler):
        def consume(message: Message, target: str, delivery: int) -> None:
            self._receive(handler, message, delivery)

        return consume

    def _receive(self, handler: Handler, message: Message, delivery: int) -> None:
        sim = self.sim
        service = sim.world[handler.service]
        if message.id in service.processed or message.id in self.inflight:
            self.bus.ignore_duplicate(message, handler.service)
            return
        self.inflight.add(message.id)
        step = self.saga.steps[handler.step]
        attempt = self.attempts[message.id] = self.attempts.get(message.id, 0) + 1
        if handler.kind == "do":
            service_events.step_started(
                sim, step.service, step, attempt,
                sentence(
                    f"On {message.name}, {step.service} starts to {step.action.text}"
                    f"{attempt_note(attempt, step.retry.max_attempts)}"
                ),
            )
            if sim.plan.take(step.name, "timeout"):
                sim.at(step.timeout_ms, self._timed_out, handler, message, delivery, attempt)
            else:
                sim.at(sim.draw(step.latency_ms), self._do, handler, message, delivery, attempt)
        elif handler.kind == "undo":
            assert step.compensate is not None
            service_events.compensation_started(
                sim, step.service, step, attempt,
                f"On {message.name}, {step.service} starts to {step.compensate.text}.",
            )
            sim.at(sim.draw(step.latency_ms), self._undo, handler, message, delivery, attempt)
        else:
            sim.at(sim.draw(step.latency_ms), self._complete, handler, message)

    # -- forward ------------------------------------------------------------------------------
    def _do(self, handler: Handler, message: Message, delivery: int, attempt: int) -> None:
        self.inflight.discard(message.id)
        sim = self.sim
        step = self.saga.steps[handler.step]
        if sim.plan.take(step.name, "fail"):
            return self._give_up(step, message, attempt, step.failure_reason, retryable=False)
        if sim.plan.take(step.name, "transient"):
            error = service_events.TRANSIENT_ERROR
            if attempt >= step.retry.max_attempts:
                return self._give_up(step, message, attempt, error, retryable=True)
            service_events.step_failed(sim, step, attempt, error, retryable=True, final=False)
            return self._retry(step, message, delivery, attempt)
        try:
            sim.world.apply(step.service, self.key(step), step.name, step.action)
        except InsufficientBalance as exc:
            return self._give_up(step, message, attempt, str(exc), retryable=False)
        self._commit(step, message, step.event_names().succeeded)
        self.committed.append(step.name)
        service_events.step_succeeded(sim, step, attempt)
        if sim.plan.take(step.name, "crash"):
            return self._crash(step, message, delivery)
        self._relay(step.service)

    def _timed_out(self, handler: Handler, message: Message, delivery: int, attempt: int) -> None:
        self.inflight.discard(message.id)
        sim = self.sim
        step = self.saga.steps[handler.step]
        final = attempt >= step.retry.max_attempts
        service_events.step_timed_out(
            sim,
            step.service,
            step,
            attempt,
            final,
            f"{step.service} exceeded its {step.timeout_ms} ms deadline and rolled its "
            "local transaction back",
        )
        if final:
            return self._publish_failure(step, message)
        self._retry(step, message, delivery, attempt)

    def _retry(self, step: Step, message: Message, delivery: int, attempt: int) -> None:
        delay = step.retry.delay_ms(attempt)
        service_events.retry_scheduled(
            self.sim,
            "step.retry_scheduled",
            step.service,
            step,
            attempt + 1,
            delay,
            f"{step.service} does not ack {message.name}, so the bus redelivers it in {delay} ms",
        )
        self.bus.redeliver_later(message, step.service, delay, delivery)

    def _give_up(
        self, step: Step, message: Message, attempt: int, error: str, retryable: bool
    ) -> None:
        service_events.step_failed(self.sim, step, attempt, error, retryable, final=True)
        self._publish_failure(step, message)

    def _publish_failure(self, step: Step, message: Message) -> None:
        self._commit(step, message, step.event_names().failed)
        self._relay(step.service)

    # -- backward -----------------------------------------------------------------------------
    def _undo(self, handler: Handler, message: Message, delivery: int, attempt: int) -> None:
        self.inflight.discard(message.id)
        sim = self.sim
        step = self.saga.steps[handler.step]
        assert step.compensate is not None
        if sim.plan.take(step.name, "compensate"):
            delay = COMPENSATION_RETRY.delay_ms(attempt)
            service_events.compensation_failed(sim, step, attempt)
            service_events.retry_scheduled(
                sim,
                "compensation.retry_scheduled",
                step.service,
                step,
                attempt + 1,
                delay,
                f"{step.service} does not ack {message.name}; the bus redelivers it in "
                f"{delay} ms so the compensation is tried again",
            )
            self.bus.redeliver_later(message, step.service, delay, delivery)
            return
        sim.world.undo(step.service, self.key(step), step.name, step.action, step.compensate)
        self._commit(step, message, step.event_names().compensated)
        self.compensated.append(step.name)
        service_events.compensation_succeeded(sim, step, attempt)
        self._relay(step.service)

    def _complete(self, handler: Handler, message: Message) -> None:
        self.inflight.discard(message.id)
        completion = self.saga.completion
        assert completion is not None
        if completion.record is not None:
            self.sim.world.set_record(handler.service, completion.record)
        self._commit(self.saga.steps[0], message, completion.event)
        self._relay(handler.service)

    # -- the outbox ---------------------------------------------------------------------------
    def _commit(self, step: Step, message: Message, outgoing: str) -> None:
        """Same local transaction as the effect: remember the message and what to publish."""
        service = self.sim.world[step.service]
        service.processed.add(message.id)
        service.outbox.append(outgoing)

    def _relay(self, service_name: str) -> None:
        """Publish what the outbox holds (the consumer's ack follows)."""
        service = self.sim.world[service_name]
        while service.outbox:
            name = service.outbox.pop(0)
            self.bus.publish(name, service_name, self._step_publishing(name))

    def _step_publishing(self, name: str) -> str | None:
        for step in self.saga.steps:
            ev = step.event_names()
            if name in (ev.succeeded, ev.failed, ev.compensated):
                return step.name
        return None

    def _crash(self, step: Step, message: Message, delivery: int) -> None:
        sim = self.sim
        sim.world[step.service].down = True
        service_events.consumer_crashed(sim, step, message)
        sim.at(sim.saga.timing.restart_ms, self._restart, step)
        self.bus.redeliver_later(message, step.service, sim.saga.timing.ack_timeout_ms, delivery)

    def _restart(self, step: Step) -> None:
        sim = self.sim
        service = sim.world[step.service]
        service.down = False
        service_events.consumer_recovered(sim, step, service.outbox)
        self._relay(step.service)

    def _terminal(self, message: Message) -> None:
        outcome = self.ends.get(message.name)
        if outcome is None:
            return
        if outcome == "completed":
            done = self.saga.completion
            did = f"{message.source} {third_person(done.text)} and " if done else ""
            text = f"{did}{message.name} ends the chain: the saga completed"
        else:
            undone = ", ".join(self.compensated) or "nothing"
            text = f"{message.name} ends the chain: the saga is compensated (undone: {undone})"
        service_events.saga_finished(
            self.sim, outcome, message.source, self.committed, self.compensated, sentence(text)
        )
