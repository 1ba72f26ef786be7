"""DBOS Transact running the same checkout saga, on SQLite with the same settings as ours.

Each step is a `@DBOS.step()` that changes the same kind of service state as the engine's
services (an order record, a card balance, stock, a carrier slot); a failing step makes the
workflow run the compensations of the committed steps in reverse, each a step of its own.
DBOS checkpoints every step's output in its system database (SQLite here), which is what makes
it durable, and what we compare against.

SQLite settings: DBOS's default is a rollback journal with full sync; a SQLAlchemy `connect`
listener sets WAL and synchronous=NORMAL so both engines commit under the same rule.
"""

from __future__ import annotations

import logging
from pathlib import Path

NOT_INSTALLED = "DBOS is not installed: pip install -e '.[bench]' (dbos 3.4) to compare with it"


def available() -> str | None:
    """None when DBOS can run here, otherwise the reason it cannot."""
    try:
        import dbos  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError:
        return NOT_INSTALLED
    return None


class DbosCheckout:
    """A launched DBOS with the checkout workflow; `batch(n)` runs n sagas, one after another."""

    def __init__(self, database: Path, *, wal_normal: bool = True) -> None:
        from dbos import DBOS
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self._dbos = DBOS
        self._wal_normal = wal_normal
        self._listener = _set_wal_normal
        if wal_normal:
            event.listen(Engine, "connect", self._listener)
        self.state = {"orders": {}, "card": 50_000, "merchant": 0, "stock": 10, "slots": 5}
        self.workflow = _define(DBOS, self.state)
        for name in ("dbos", "sqlalchemy"):
            logging.getLogger(name).setLevel(logging.ERROR)
        DBOS(
            config={
                "name": "sagascope-bench",
                "system_database_url": f"sqlite:///{database}",
                "run_admin_server": False,
                "log_level": "ERROR",
            }
        )
        DBOS.launch()
        self._runs = 0

    def batch(self, n: int, fail_at: str | None = None) -> None:
        for _ in range(n):
            self._runs += 1
            outcome = self.workflow(f"o-{self._runs}", fail_at)
            if outcome not in ("completed", "compensated"):
                raise RuntimeError(f"DBOS checkout ended {outcome!r}")

    def close(self) -> None:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        self._dbos.destroy(destroy_registry=True)
        if self._wal_normal:
            event.remove(Engine, "connect", self._listener)


def _set_wal_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class BusinessFailure(Exception):
    """A step refused (out of stock, card declined): compensate, do not retry."""


def _define(DBOS, state: dict):  # noqa: N803 - DBOS is the library's class name
    steps = [
        (_step(DBOS, "order", _record(state, "PENDING")),
         _undo(DBOS, "order", _record(state, "CANCELLED"))),
        (_step(DBOS, "payment", _move(state, "card", "merchant", 4200)),
         _undo(DBOS, "payment", _move(state, "merchant", "card", 4200))),
        (_step(DBOS, "inventory", _move(state, "stock", None, 1)),
         _undo(DBOS, "inventory", _move(state, "stock", None, -1))),
        (_step(DBOS, "shipping", _move(state, "slots", None, 1)),
         _undo(DBOS, "shipping", _move(state, "slots", None, -1))),
    ]

    @DBOS.workflow(name="checkout")
    def checkout(order: str, fail_at: str | None) -> str:
        done = []
        for action, compensation in steps:
            try:
                action(order, fail_at)
            except BusinessFailure:
                for undo_step in reversed(done):
                    undo_step(order)
                return "compensated"
            done.append(compensation)
        complete(order)
        return "completed"

    @DBOS.step(name="complete")
    def complete(order: str) -> None:
        state["orders"][order] = "COMPLETE"

    return checkout


def _step(DBOS, name: str, change):  # noqa: N803 - DBOS is the library's class name
    """A forward step as a DBOS step: checkpointed, raising BusinessFailure where it fails."""
    def run(order: str, fail_at: str | None) -> str:
        if fail_at == name:
            raise BusinessFailure(f"{name} failed for {order}")
        change(order)
        return name

    run.__name__ = f"do_{name}"
    return DBOS.step(name=f"do_{name}")(run)


def _undo(DBOS, name: str, change):  # noqa: N803 - DBOS is the library's class name
    """A compensation, a DBOS step of its own."""
    def run(order: str) -> str:
        change(order)
        return name

    run.__name__ = f"undo_{name}"
    return DBOS.step(name=f"undo_{name}")(run)


def _move(state: dict, key_from: str, key_to: str | None, amount: int):
    def change(_order: str) -> None:
        state[key_from] -= amount
        if key_to:
            state[key_to] += amount

    return change


def _record(state: dict, status: str):
    def change(order: str) -> None:
        state["orders"][order] = status

    return change
