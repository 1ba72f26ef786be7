"""A Temporal worker process for one saga run: `python -m saga_core.temporal.worker …`.

The runner starts it as a child process (and after a crash, a new one), so a crash kills a
real process: its memory, its workflow cache and its gRPC connections all die with it, and only
Temporal's history and the services' shared SQLite file remain.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

READY_LINE = "worker-ready"


def worker_identity() -> str:
    """Temporal records this on every task the worker takes; the pid makes crashes visible."""
    return f"{os.getpid()}@sagascope-worker"


async def serve(args: argparse.Namespace) -> None:
    from temporalio.client import Client
    from temporalio.worker import Worker
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

    from ..scenarios import resolve as resolve_scenario
    from .activities import SagaActivities
    from .crash import CrashingRunner
    from .shared_world import SharedWorld
    from .workflow import SagaWorkflow

    saga = resolve_scenario(args.scenario)
    plan = json.loads(Path(args.plan).read_text("utf-8"))
    client = await Client.connect(args.address, identity=worker_identity())
    runner = CrashingRunner(SandboxedWorkflowRunner(), args.crash_after)
    worker = Worker(
        client,
        task_queue=args.task_queue,
        workflows=[SagaWorkflow],
        activities=SagaActivities(saga, plan, SharedWorld(args.state)).all(),
        workflow_runner=runner,
        sticky_queue_schedule_to_start_timeout=timedelta(seconds=1),
    )
    async with worker:
        print(f"{READY_LINE} {os.getpid()}", flush=True)
        await asyncio.Event().wait()  # until the runner stops this pid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m saga_core.temporal.worker")
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--plan", required=True, help="the workflow's input, as a JSON file")
    parser.add_argument("--state", required=True, help="the services' shared SQLite file")
    parser.add_argument("--crash-after", action="append", default=[], metavar="STEP")
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
