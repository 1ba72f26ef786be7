"""The saga as a Temporal workflow, written the way Temporal's samples write sagas.

Before each step runs, its compensation is pushed onto a list; if any activity fails for good,
the workflow runs the registered compensations newest first and returns "compensated".
Registering before the step (not after it succeeded) is what undoes an uncertain step too: an
activity that timed out may have committed, so its "undo if present" compensation runs anyway.

Workflow code must be deterministic: it is re-run from the event history on any worker that
picks the workflow up (after a crash, a whole replay). So it decides only from its input and
the activities' recorded results, and imports nothing from the engine. A compensated saga is an
outcome the workflow handled, so the execution completes (with outcome "compensated") instead
of failing, which the samples' re-raise would make it do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

WORKFLOW_NAME = "SagaWorkflow"


def retry_policy(fields: dict[str, Any]) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(milliseconds=fields["initial_interval_ms"]),
        backoff_coefficient=fields["backoff_coefficient"],
        maximum_interval=timedelta(milliseconds=fields["maximum_interval_ms"]),
        maximum_attempts=fields["maximum_attempts"],
        non_retryable_error_types=fields["non_retryable_error_types"],
    )


@workflow.defn(name=WORKFLOW_NAME)
class SagaWorkflow:
    @workflow.run
    async def run(self, plan: dict[str, Any]) -> dict[str, Any]:
        compensations: list[dict[str, Any]] = []
        committed: list[str] = []
        try:
            for step in plan["steps"]:
                if step["compensation"] is not None:
                    compensations.append(step)
                await self.call(step, step["name"], step["name"])
                committed.append(step["name"])
            if plan["completion"] is not None:
                await self.call(plan["completion"], "complete", None)
        except ActivityError:
            undone = []
            for step in reversed(compensations):
                result = await self.call(step["compensation"], f"undo-{step['name']}",
                                         step["name"])
                if result["undone"]:
                    undone.append(step["name"])
            return {"outcome": "compensated", "committed": committed, "compensated": undone}
        return {"outcome": "completed", "committed": committed, "compensated": []}

    async def call(self, spec: dict[str, Any], activity_id: str, step: str | None) -> Any:
        """One activity with its own timeout and retry policy; the key makes it idempotent."""
        key = f"{workflow.info().workflow_id}:{step or 'complete'}"
        return await workflow.execute_activity(
            spec["activity"],
            {"key": key},
            activity_id=activity_id,
            start_to_close_timeout=timedelta(milliseconds=spec["timeout_ms"]),
            retry_policy=retry_policy(spec["retry"]),
        )
