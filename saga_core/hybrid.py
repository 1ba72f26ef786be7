"""Hybrid: the orchestrator drives the critical path; each committed step also publishes a domain
event that side subscribers (analytics, fraud, audit, notifications) consume off the critical path.
Side subscribers never affect the outcome; they dedupe by message id like any consumer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bus import Bus, Message
from .orchestrator import Orchestrator

if TYPE_CHECKING:
    from .simulation import Simulation


class Hybrid(Orchestrator):
    def __init__(self, sim: Simulation) -> None:
        bus = Bus(sim)
        for event, subscribers in sim.saga.side_subscribers.items():
            for subscriber in subscribers:
                bus.subscribe(event, subscriber, self._side_consumer)
        super().__init__(sim, bus)

    def _side_consumer(self, message: Message, target: str, delivery: int) -> None:
        subscriber = self.sim.world[target]
        if message.id in subscriber.processed:
            assert self.bus is not None
            self.bus.ignore_duplicate(message, target)
            return
        subscriber.processed.add(message.id)
        subscriber.received.append(message.name)
