"""Temporal's result next to SagaScope's own engine run of the same inputs.

Both runs start from the same opening balances and apply the same actions, so their outcome and
the services' final accounts, records and transaction order must agree; only idempotency keys
differ (they hold each run's own id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..run import Run

if TYPE_CHECKING:
    from ..definition import Saga
    from ..world import World


def final_state(world: World) -> dict[str, Any]:
    """What a run left behind, without its run-specific keys."""
    return {
        "services": {name: {"accounts": svc.accounts, "records": svc.records}
                     for name, svc in world.services.items()},
        "transactions": [list(entry) for entry in world.log],
    }


def engine_run(saga: Saga, failures: list[str], seed: int = 0) -> Run:
    """SagaScope's orchestrator on the same inputs (a Temporal workflow is an orchestrator)."""
    run = Run(saga, "orchestration", seed=seed, failures=failures)
    run.run_to_end()
    return run


def differences(engine: Run, outcome: str, world: World) -> list[str]:
    """Sentences naming each way the Temporal run differs from the engine's; empty if none."""
    found = []
    if engine.outcome != outcome:
        found.append(f"the engine's saga {engine.outcome}, Temporal's {outcome}")
    mine, theirs = final_state(engine.world), final_state(world)
    for name, state in mine["services"].items():
        if theirs["services"].get(name) != state:
            found.append(f"{name} ended as {theirs['services'].get(name)} on Temporal, "
                         f"{state} in the engine")
    if mine["transactions"] != theirs["transactions"]:
        found.append(f"transactions ran as {theirs['transactions']} on Temporal, "
                     f"{mine['transactions']} in the engine")
    return found
