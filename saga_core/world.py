"""The services' own databases: real balances, records and idempotency ledgers.

Each service owns its state. An action is a local transaction keyed by an idempotency key:
applying it twice does nothing the second time, undoing it is "undo if present", and every
change is logged so the invariants can check order and exactly-once afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .definition import Action, Saga


class InsufficientBalance(Exception):
    """A move would overdraw an account: the service refuses the transaction."""


class Service:
    """One service's database."""

    __slots__ = (
        "name",
        "accounts",
        "records",
        "effects",
        "processed",
        "received",
        "down",
        "outbox",
    )

    def __init__(self, name: str, accounts: dict[str, int] | None = None) -> None:
        self.name = name
        self.accounts: dict[str, int] = dict(accounts or {})
        self.records: dict[str, str] = {}
        self.effects: dict[str, list[int]] = {}
        """Idempotency key → [times applied, times undone]."""
        self.processed: set[str] = set()
        """Message ids already handled (consumers dedupe by these)."""
        self.received: list[str] = []
        """Names of messages consumed (side subscribers)."""
        self.down = False
        self.outbox: list[str] = []
        """Events committed with a local transaction but not yet published."""

    def present(self, key: str) -> bool:
        counts = self.effects.get(key)
        return counts is not None and counts[0] > counts[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "accounts": dict(self.accounts),
            "records": dict(self.records),
            "effects": {k: list(v) for k, v in self.effects.items()},
            "processed": sorted(self.processed),
            "received": list(self.received),
            "down": self.down,
            "outbox": list(self.outbox),
        }

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> Service:
        svc = cls(name, data["accounts"])
        svc.records = dict(data["records"])
        svc.effects = {k: list(v) for k, v in data["effects"].items()}
        svc.processed = set(data["processed"])
        svc.received = list(data["received"])
        svc.down = bool(data["down"])
        svc.outbox = list(data["outbox"])
        return svc


class World:
    """All services of one run, plus the log of every local transaction in commit order."""

    def __init__(self, services: dict[str, Service], opening: dict[str, dict[str, int]]) -> None:
        self.services = services
        self.opening = opening
        self.log: list[tuple[str, str]] = []
        """("apply" | "undo", step name), in the order the transactions committed."""

    @classmethod
    def open(cls, saga: Saga, side_subscribers: bool = True) -> World:
        names = saga.all_services()
        if side_subscribers:
            names = names + saga.all_side_subscribers()
        opening = {n: dict(saga.services.get(n, {})) for n in names}
        return cls({n: Service(n, opening[n]) for n in names}, opening)

    def __getitem__(self, name: str) -> Service:
        return self.services[name]

    def apply(self, service: str, key: str, step: str, action: Action) -> bool:
        """Run an action once per key; False when it had already been applied (a no-op)."""
        svc = self.services[service]
        counts = svc.effects.get(key)
        if counts is not None and counts[0] > 0:
            return False
        for move in action.moves:
            if svc.accounts[move.source] < move.amount:
                raise InsufficientBalance(f"{move.source} holds only {svc.accounts[move.source]}")
        for move in action.moves:
            svc.accounts[move.source] -= move.amount
            svc.accounts[move.target] += move.amount
        if action.record is not None:
            svc.records[action.record[0]] = action.record[1]
        svc.effects[key] = [1, 0]
        self.log.append(("apply", step))
        return True

    def undo(
        self, service: str, key: str, step: str, action: Action, compensation: Action | None
    ) -> bool:
        """Undo if present: reverse the moves once; False when there was nothing to undo."""
        svc = self.services[service]
        if not svc.present(key):
            return False
        for move in action.moves:
            svc.accounts[move.target] -= move.amount
            svc.accounts[move.source] += move.amount
        if compensation is not None and compensation.record is not None:
            svc.records[compensation.record[0]] = compensation.record[1]
        svc.effects[key][1] += 1
        self.log.append(("undo", step))
        return True

    def set_record(self, service: str, record: tuple[str, str]) -> None:
        self.services[service].records[record[0]] = record[1]

    def snapshot(self) -> dict[str, Any]:
        return {
            "services": {n: s.to_dict() for n, s in self.services.items()},
            "opening": {n: dict(a) for n, a in self.opening.items()},
            "log": [list(entry) for entry in self.log],
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> World:
        services = {n: Service.from_dict(n, d) for n, d in data["services"].items()}
        world = cls(services, {n: dict(a) for n, a in data["opening"].items()})
        world.log = [(op, step) for op, step in data["log"]]
        return world

    def applied_count(self, step: str) -> int:
        """How many times the effect of `step` was really applied (the side-effect counter)."""
        return sum(1 for op, s in self.log if op == "apply" and s == step)
