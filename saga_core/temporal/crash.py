"""A real worker crash at a chosen point: the worker process SIGKILLs itself right after a
step's activity completed, when Temporal hands it the workflow task that carries the result.

The result is already durable in the history (ActivityTaskCompleted), and the dying worker has
taken the workflow task (WorkflowTaskStarted) but never answers it, so Temporal times the task
out and gives it to whichever worker polls next, which replays the whole history. The hook sits
in the worker's workflow runner, outside the workflow code and its sandbox: the workflow itself
stays deterministic and knows nothing of crashes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterable

from temporalio.bridge.proto.workflow_activation import WorkflowActivation
from temporalio.bridge.proto.workflow_completion import WorkflowActivationCompletion
from temporalio.worker import (
    WorkflowInstance,
    WorkflowInstanceDetails,
    WorkflowRunner,
)

CRASH_LINE = "crash-point"


def completed_step(activation: WorkflowActivation) -> str | None:
    """The step whose own activity (not a compensation) this activation reports completed."""
    for job in activation.jobs:
        if not job.HasField("resolve_activity"):
            continue
        resolution = job.resolve_activity.result
        if not resolution.HasField("completed"):
            continue
        try:
            result = json.loads(resolution.completed.result.data)
        except ValueError:
            continue
        if isinstance(result, dict) and result.get("phase") == "step":
            return result.get("step")
    return None


class CrashingRunner(WorkflowRunner):
    """Wraps the sandboxed runner; dies on the first new activation reporting a crash step."""

    def __init__(self, inner: WorkflowRunner, crash_after: Iterable[str]) -> None:
        self.inner = inner
        self.crash_after = set(crash_after)

    def prepare_workflow(self, defn) -> None:
        self.inner.prepare_workflow(defn)

    def set_worker_level_failure_exception_types(self, types) -> None:
        self.inner.set_worker_level_failure_exception_types(types)

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        return _CrashingInstance(self.inner.create_instance(det), self.crash_after)


class _CrashingInstance(WorkflowInstance):
    def __init__(self, inner: WorkflowInstance, crash_after: set[str]) -> None:
        self.inner = inner
        self.crash_after = crash_after

    def activate(self, act: WorkflowActivation) -> WorkflowActivationCompletion:
        step = None if act.is_replaying else completed_step(act)
        if step in self.crash_after:
            print(f"{CRASH_LINE} {step} {os.getpid()}", flush=True)
            sys.stderr.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return self.inner.activate(act)

    def get_serialization_context(self, command_info):
        return self.inner.get_serialization_context(command_info)

    def get_external_store_context(self, command_info):
        return self.inner.get_external_store_context(command_info)

    def get_info(self):
        return self.inner.get_info()

    def get_thread_id(self):
        return self.inner.get_thread_id()
