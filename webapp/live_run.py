"""One run on the server: the engine's `Run` plus who owns it, how fast it plays and whether it
is playing. The engine knows nothing of this; the runner drives it."""

from __future__ import annotations

import math
import threading
from typing import Any

from saga_core import Run

from .params import MAX_SPEED, RunInputs, Speed

READY, PLAYING, PAUSED, FINISHED = "ready", "playing", "paused", "finished"
STATES = (READY, PLAYING, PAUSED, FINISHED)
TEACHING_PACE_S = 1.0
"""Speed 1 plays one transition a second."""


class LiveRun:
    """A run, its owner and its play state. Every change happens under `lock`, so the events a
    client receives are in order whoever (pacer, control, reattach) sends them."""

    def __init__(
        self, inputs: RunInputs, engine: Run, token: str, owner: str, speed: Speed, now: float
    ) -> None:
        self.run_id = engine.run_id
        self.inputs = inputs
        self.engine = engine
        self.token = token
        self.owner: str | None = owner
        self.speed = speed
        self.state = READY
        self.generation = 0
        """Bumped whenever the current pacer must stop (pause, step, finish, retire)."""
        self.lock = threading.RLock()
        self.wake = threading.Event()
        """Set by every control, so a sleeping pacer looks again at once."""
        self.last_active = now
        self.orphaned_at: float | None = None
        self.last_step_at = -math.inf
        self.injected = 0
        self.retired = False

    @property
    def outcome(self) -> str | None:
        """completed | compensated once the saga ended; None while running or if stopped early."""
        return self.engine.outcome if self.state == FINISHED else None

    @property
    def last_seq(self) -> int:
        events = self.engine.events
        return events[-1].seq if events else 0

    def interval(self) -> float:
        """Seconds between two transitions at the current speed (0 at max)."""
        return 0.0 if self.speed == MAX_SPEED else TEACHING_PACE_S / float(self.speed)

    def state_payload(self) -> dict[str, Any]:
        """The `run_state` message."""
        return {
            "run_id": self.run_id,
            "state": self.state,
            "outcome": self.outcome,
            "speed": self.speed,
            "last_seq": self.last_seq,
        }

    def events_after(self, seq: int) -> list[dict[str, Any]]:
        """The wire form of every event later than `seq` (seqs are 1, 2, 3… per run)."""
        return [e.to_dict() for e in self.engine.events[max(0, seq):]]
