"""The saga's activities: one per step action, one per compensation, one for the completion.

Each changes the services' shared state (`SharedWorld`) in one transaction keyed by the
idempotency key the workflow passes, so a retry never applies twice, and a compensation is
"undo if present" (it may be asked to undo a step that never took effect). Injected failures are
real Temporal behaviour: a business failure raises a non-retryable `ApplicationError`, a
transient error a retryable one that Temporal's retry policy retries, a timeout is an attempt
that overruns its start-to-close timeout, a lost completion commits and then overruns.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from ..service_events import TRANSIENT_ERROR
from ..world import InsufficientBalance
from .plan import (
    BUSINESS_FAILURE,
    INSUFFICIENT_BALANCE,
    LATE_ANSWER,
    TRANSIENT_FAILURE,
    Fates,
    latency_ms,
)

if TYPE_CHECKING:
    from ..definition import Saga, Step
    from .shared_world import SharedWorld

Activity = Callable[[dict[str, Any]], Any]


class SagaActivities:
    """Builds the activity functions of one saga for one worker process."""

    def __init__(self, saga: Saga, plan: dict[str, Any], shared: SharedWorld) -> None:
        self.saga = saga
        self.plan = plan
        self.shared = shared
        self.fates = Fates.of(saga, plan["failures"])
        self.scale = plan["time_scale"]

    def all(self) -> list[Activity]:
        found: list[Activity] = []
        for entry in self.plan["steps"]:
            step = self.saga.step(entry["name"])
            found.append(self.step_activity(step, entry))
            if entry["compensation"] is not None:
                found.append(self.undo_activity(step, entry["compensation"]))
        if self.plan["completion"] is not None:
            found.append(self.complete_activity(self.plan["completion"]))
        return found

    async def _work(self, step: Step, name: str, attempt: int) -> None:
        """The service's simulated work time (seeded, the same on every worker process)."""
        ms = latency_ms(step, self.plan["seed"], name, attempt, self.scale)
        await asyncio.sleep(ms / 1000)

    async def _overrun(self, timeout_ms: int) -> None:
        """Keep the attempt busy well past its start-to-close timeout."""
        await asyncio.sleep(2 * timeout_ms / 1000 + 0.5)
        raise ApplicationError("the answer came after the start-to-close timeout", type=LATE_ANSWER)

    def step_activity(self, step: Step, entry: dict[str, Any]) -> Activity:
        name, timeout_ms = entry["activity"], entry["timeout_ms"]

        async def run_step(request: dict[str, Any]) -> dict[str, Any]:
            attempt = activity.info().attempt
            fate = self.fates.step(step.name, attempt)
            await self._work(step, name, attempt)
            if fate == "timeout":
                await asyncio.to_thread(self.shared.note, name, step.name, attempt,
                                        "hung past its start-to-close timeout; nothing applied")
                await self._overrun(timeout_ms)
            if fate == "fail":
                await asyncio.to_thread(self.shared.note, name, step.name, attempt,
                                        f"business failure: {step.failure_reason}")
                raise ApplicationError(step.failure_reason, type=BUSINESS_FAILURE,
                                       non_retryable=True)
            if fate == "transient":
                await asyncio.to_thread(self.shared.note, name, step.name, attempt,
                                        f"transient failure: {TRANSIENT_ERROR}")
                raise ApplicationError(TRANSIENT_ERROR, type=TRANSIENT_FAILURE)
            applied = await asyncio.to_thread(self._apply, step, name, request["key"], attempt,
                                              fate == "drop")
            if fate == "drop":
                await self._overrun(timeout_ms)
            return {"step": step.name, "phase": "step", "applied": applied, "pid": os.getpid()}

        return activity.defn(name=name)(run_step)

    def _apply(self, step: Step, name: str, key: str, attempt: int, lost: bool) -> bool:
        def change(world):
            try:
                applied = world.apply(step.service, key, step.name, step.action)
            except InsufficientBalance as exc:
                return exc, f"refused: {exc}"
            effect = "applied" if applied else "already applied: nothing to do"
            return applied, effect + ("; its completion is lost" if lost else "")

        result = self.shared.transact(name, step.name, attempt, change)
        if isinstance(result, InsufficientBalance):
            raise ApplicationError(str(result), type=INSUFFICIENT_BALANCE, non_retryable=True)
        return result

    def undo_activity(self, step: Step, entry: dict[str, Any]) -> Activity:
        name = entry["activity"]

        async def undo_step(request: dict[str, Any]) -> dict[str, Any]:
            attempt = activity.info().attempt
            await self._work(step, name, attempt)
            if self.fates.compensation_fails(step.name, attempt):
                await asyncio.to_thread(self.shared.note, name, step.name, attempt,
                                        "compensation failed: a transient error")
                raise ApplicationError("a transient error", type=TRANSIENT_FAILURE)

            def change(world):
                undone = world.undo(step.service, request["key"], step.name, step.action,
                                    step.compensate)
                return undone, "undone" if undone else "nothing to undo"

            undone = await asyncio.to_thread(self.shared.transact, name, step.name, attempt,
                                             change)
            return {"step": step.name, "phase": "undo", "undone": undone, "pid": os.getpid()}

        return activity.defn(name=name)(undo_step)

    def complete_activity(self, entry: dict[str, Any]) -> Activity:
        completion, service = self.saga.completion, entry["service"]
        assert completion is not None

        async def complete_saga(request: dict[str, Any]) -> dict[str, Any]:
            attempt = activity.info().attempt

            def change(world):
                if completion.record is not None:
                    world.set_record(service, completion.record)
                return None, f"completed: {completion.text}"

            await asyncio.to_thread(self.shared.transact, entry["activity"], None, attempt,
                                    change)
            return {"step": None, "phase": "complete", "pid": os.getpid()}

        return activity.defn(name=entry["activity"])(complete_saga)
