"""What every history store offers. The engine appends every event before the next transition
runs, so a coordinator can always be rebuilt from the store alone.

`HistoryStore` is the interface: eight methods every store implements, and the optional
capabilities below, each declared here with the default that suits a store without it, so a
caller asks the store directly and never probes for a feature:

- `commits_per_transition`: False; True when the store wants each transition's events in one
  `append` (one commit holding them and the services' state they leave behind).
- `share_events(run_id, events)`: False; a store in the run's own process may keep the run's
  event list as the history itself, and answers True.
- `append_many(transitions)`: appends each transition in turn; a store that can commit several
  runs' transitions in one transaction (group commit) overrides it.
- `grouped()`: a context that does nothing; a store that groups commits lets the appends made
  inside it share one.
- `close()`: nothing to release.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..events import Event
    from ..world import World

Transition = tuple[str, list["Event"], "World"]
"""(run_id, the events of one transition, the services' state they leave behind)"""


@dataclass
class RunRecord:
    """Everything needed to rebuild a run besides its events."""

    run_id: str
    scenario: str
    mode: str
    seed: int
    failures: list[str] = field(default_factory=list)
    status: str = "running"
    """running | completed | compensated | crashed"""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class HistoryStore(ABC):
    """Where a run's history lives (see the module docstring for the optional capabilities)."""

    commits_per_transition: bool = False
    """Whether a run hands this store each transition's events in one `append`."""

    @abstractmethod
    def create_run(self, record: RunRecord, world: World) -> None: ...

    @abstractmethod
    def append(self, run_id: str, events: list[Event], world: World) -> None:
        """Record events and the services' state they leave behind, in one commit."""

    @abstractmethod
    def events(self, run_id: str) -> list[Event]: ...

    @abstractmethod
    def record(self, run_id: str) -> RunRecord: ...

    @abstractmethod
    def world(self, run_id: str) -> dict[str, Any]: ...

    @abstractmethod
    def set_status(self, run_id: str, status: str) -> None: ...

    @abstractmethod
    def runs(self) -> list[RunRecord]: ...

    @abstractmethod
    def load(self, run_id: str) -> tuple[RunRecord, list[Event], dict[str, Any]]:
        """A run's record, events and services' state, read as one consistent snapshot."""

    # -- optional capabilities, with the defaults of a store that lacks them ------------------
    def share_events(self, run_id: str, events: list[Event]) -> bool:
        """Offer the run's own event list as its history; True when the store keeps that very
        list, so that appending to it is recording. By default the store declines."""
        return False

    def append_many(self, transitions: Sequence[Transition]) -> list[Exception | None]:
        """Several runs' transitions, (run_id, events, world) as for `append`; answers, per
        transition, None once it is recorded or the error that refused it. By default each is
        appended alone, in order."""
        refused: list[Exception | None] = []
        for run_id, events, world in transitions:
            try:
                self.append(run_id, events, world)
            except Exception as exc:  # noqa: BLE001 - refuses this run's transition alone
                refused.append(exc)
            else:
                refused.append(None)
        return refused

    def grouped(self) -> AbstractContextManager[None]:
        """The calling thread's appends may share a commit with other grouped appends. By
        default every append commits alone."""
        return nullcontext()

    def close(self) -> None:  # noqa: B027 - optional, with nothing to release by default
        """Release what the store holds open. By default there is nothing to release."""

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
