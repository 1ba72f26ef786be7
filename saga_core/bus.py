"""An in-process message bus with at-least-once delivery.

A message that is not acknowledged (lost in transit, or its consumer crashed or asked for a retry)
is delivered again; consumers dedupe by message id, so at-least-once delivery never applies an
effect twice. `drop` and `duplicate` failures act here, on the messages a step publishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import service_events
from .narrate import sentence

if TYPE_CHECKING:
    from .definition import Step
    from .simulation import Simulation

Consumer = Callable[["Message", str, int], None]


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    name: str
    source: str
    step: str | None
    """The step whose service published it (drop and duplicate failures are keyed by it)."""


class Bus:
    """Routes each published message to its subscribers, redelivering until it is handled."""

    def __init__(
        self, sim: Simulation, on_terminal: Callable[[Message], None] | None = None
    ) -> None:
        self.sim = sim
        self.subscribers: dict[str, list[tuple[str, Consumer]]] = {}
        self.on_terminal = on_terminal
        self._next_id = 0

    def subscribe(self, name: str, target: str, consumer: Consumer) -> None:
        self.subscribers.setdefault(name, []).append((target, consumer))

    def publish(self, name: str, source: str, step: str | None) -> Message:
        sim = self.sim
        self._next_id += 1
        message = Message(f"m-{self._next_id}", name, source, step)
        targets = [t for t, _ in self.subscribers.get(name, [])]
        service_events.message_published(sim, message, targets)
        for target, consumer in self.subscribers.get(name, []):
            sim.at(sim.draw(sim.saga.timing.bus_hop_ms), self.deliver, message, target, consumer, 1)
        if not targets and self.on_terminal is not None:
            self.on_terminal(message)
        return message

    def publish_domain_event(self, step: Step) -> None:
        """Hybrid mode: a committed step's service announces it to the side subscribers."""
        self.publish(step.event_names().succeeded, step.service, step.name)

    def deliver(self, message: Message, target: str, consumer: Consumer, delivery: int) -> None:
        sim = self.sim
        ack_timeout = sim.saga.timing.ack_timeout_ms
        if message.step is not None and sim.plan.take(message.step, "drop"):
            service_events.message_dropped(
                sim, message, target, sim.now + ack_timeout,
                sentence(
                    f"{message.name} is lost on its way to {target}; with no ack, the bus "
                    f"redelivers it after {ack_timeout} ms"
                ),
            )
            sim.at(ack_timeout, self.deliver, message, target, consumer, delivery + 1)
            return
        if sim.world[target].down:
            service_events.message_dropped(
                sim, message, target, sim.now + ack_timeout,
                sentence(f"{target} is down, so {message.name} waits for redelivery"),
                reason=f"{target} is down",
            )
            sim.at(ack_timeout, self.deliver, message, target, consumer, delivery + 1)
            return
        again = " again" if delivery > 1 else ""
        service_events.message_delivered(
            sim, message, target, delivery, f"The bus delivers {message.name} to {target}{again}."
        )
        if delivery == 1 and message.step is not None and sim.plan.take(message.step, "duplicate"):
            sim.at(sim.draw(sim.saga.timing.bus_hop_ms), self.deliver, message, target, consumer, 2)
        consumer(message, target, delivery)

    def redeliver_later(self, message: Message, target: str, delay_ms: int, delivery: int) -> None:
        """The consumer did not ack: deliver again after `delay_ms`."""
        for name, consumer in self.subscribers.get(message.name, []):
            if name == target:
                self.sim.at(delay_ms, self.deliver, message, target, consumer, delivery + 1)

    def ignore_duplicate(self, message: Message, target: str) -> None:
        service_events.duplicate_ignored(
            self.sim, message, target,
            sentence(
                f"{target} has already processed {message.name} ({message.id}) and ignores "
                "the duplicate"
            ),
        )
