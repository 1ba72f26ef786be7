"""The deterministic core: a virtual clock, an agenda of transitions and a seeded RNG.

Everything a run does is a transition scheduled at a virtual time; the next transition is always
the earliest (ties in scheduling order), so the same inputs give the same events byte for byte.
Nothing here sleeps: pacing belongs to whoever drives the run.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .events import TERMINAL_KINDS, Event

if TYPE_CHECKING:
    from .definition import Saga
    from .failures import FailurePlan
    from .world import World


_MASK = (1 << 64) - 1


class SeededRandom:
    """A tiny 64-bit LCG: deterministic across Python versions and cheap to seed per run."""

    __slots__ = ("_state",)

    def __init__(self, seed: int) -> None:
        self._state = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        self._state = state = (self._state * 6364136223846793005 + 1442695040888963407) & _MASK
        return low + (state >> 33) % (high - low + 1)


class Simulation:
    """The volatile part of a run: what a crash destroys and replay rebuilds."""

    def __init__(
        self,
        saga: Saga,
        mode: str,
        seed: int,
        run_id: str,
        plan: FailurePlan,
        world: World,
        sink: Callable[[Event], None],
    ) -> None:
        self.saga = saga
        self.mode = mode
        self.run_id = run_id
        self.seed = seed
        self.plan = plan
        self.world = world
        self.sink = sink
        self.now = 0
        self.seq = 0
        self.outcome: str | None = None
        self.transitions = 0
        self._rng = SeededRandom(seed)
        self.crashed = False
        """Set by a coordinator crash until its replacement has recovered."""
        self._agenda: list[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._order = 0
        self._recoveries: set[int] = set()

    # -- scheduling -------------------------------------------------------------------------
    def at(self, delay_ms: int, transition: Callable[..., None], *args: Any) -> None:
        """Schedule `transition(*args)` `delay_ms` virtual ms from now."""
        self._order += 1
        heapq.heappush(self._agenda, (self.now + delay_ms, self._order, transition, args))

    def at_recovery(self, delay_ms: int, transition: Callable[..., None], *args: Any) -> None:
        """Schedule a crashed coordinator's recovery: whoever drives the run rebuilds the
        coordinator from the history right before it runs (`recovery_due`)."""
        self.at(delay_ms, transition, *args)
        self._recoveries.add(self._order)

    @property
    def recovery_due(self) -> bool:
        """Whether the next transition is a recovery scheduled with `at_recovery`."""
        return bool(self._agenda) and self._agenda[0][1] in self._recoveries

    def draw(self, bounds: tuple[int, int]) -> int:
        """A latency from the seeded RNG."""
        return self._rng.between(bounds[0], bounds[1])

    @property
    def idle(self) -> bool:
        return not self._agenda

    def advance(self) -> None:
        """Run exactly one transition."""
        t_ms, _, transition, args = heapq.heappop(self._agenda)
        self.now = t_ms
        self.transitions += 1
        transition(*args)

    # -- output -----------------------------------------------------------------------------
    def emit(
        self, kind: str, actor: str, step: str | None, detail: dict[str, Any], narration: str
    ) -> Event:
        self.seq += 1
        event = Event(
            self.seq, self.now, self.run_id, self.mode, kind, actor, step, detail, narration
        )
        if kind in TERMINAL_KINDS:
            self.outcome = TERMINAL_KINDS[kind]
        self.sink(event)
        return event
