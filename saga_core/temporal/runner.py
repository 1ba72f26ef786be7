"""Run one saga on a real Temporal server: start (or reach) the server, start a worker process,
start the workflow, replace the worker whenever a crash kills it, then fetch the history.

Everything started here is stopped here, by pid: the worker processes and, unless an address
was given, the dev server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client, WorkflowHandle

from ..errors import SagaError
from ..invariants import check_invariants
from .crash import CRASH_LINE
from .devserver import DevServer
from .history_map import history_events
from .plan import Fates, saga_plan
from .shared_world import SharedWorld
from .worker import READY_LINE
from .workflow import WORKFLOW_NAME

if TYPE_CHECKING:
    from ..definition import Saga
    from ..events import Event
    from ..world import World

T = TypeVar("T")
WORKFLOW_TASK_TIMEOUT = timedelta(seconds=2)
"""Temporal's default is 10 s; a dead worker's workflow task is handed on after this."""
RUN_DEADLINE_S = 180.0
WORKER_READY_S = 60.0
ROOT = Path(__file__).resolve().parents[2]


class TemporalRunError(SagaError):
    """The run could not finish on Temporal; the message says what happened."""


@dataclass
class WorkerLife:
    """One worker process: its pid, and the step after which it was killed (if it was)."""

    pid: int
    killed_after: str | None = None
    exit_status: int | None = None


@dataclass
class TemporalRun:
    """What Temporal did with one saga: its history, mapped events and the services' state."""

    saga: Saga
    workflow_id: str
    address: str
    server_version: str
    plan: dict[str, Any]
    result: dict[str, Any]
    history: dict[str, Any]
    events: list[Event]
    world: World
    journal: list[dict[str, Any]]
    workers: list[WorkerLife] = field(default_factory=list)
    dev_server_pid: int | None = None
    outcome: str = ""


async def connect(address: str, deadline_s: float = 30.0) -> Client:
    """A client, retrying while a server finishes coming up (ours, or one just started)."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            client = await Client.connect(address)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return client
        except Exception as exc:  # the SDK raises RuntimeError / RPCError while it starts
            if time.monotonic() > end:
                reason = str(exc).splitlines()[0][:160]
                raise TemporalRunError(
                    f"cannot reach a Temporal server at {address} within {deadline_s:g} s "
                    f"({reason}); check --address, or leave it out to let sagascope start a "
                    "dev server of its own") from exc
            await asyncio.sleep(0.2)


class _Workers:
    """Starts worker processes for one run and notices when one dies."""

    def __init__(self, scenario: str, address: str, task_queue: str, work: Path,
                 say: Callable[[str], None]) -> None:
        self.args = [sys.executable, "-m", "saga_core.temporal.worker", "--address", address,
                     "--task-queue", task_queue, "--scenario", scenario,
                     "--plan", str(work / "plan.json"), "--state", str(work / "services.sqlite")]
        self.work = work
        self.say = say
        self.lives: list[WorkerLife] = []
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, crash_after: Iterable[str]) -> asyncio.subprocess.Process:
        args = list(self.args)
        for step in crash_after:
            args += ["--crash-after", step]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
        log = open(self.work / f"worker-{len(self.lives) + 1}.log", "wb")  # noqa: SIM115
        try:
            process = await asyncio.create_subprocess_exec(
                *args, stdout=asyncio.subprocess.PIPE, stderr=log, stdin=asyncio.subprocess.DEVNULL,
                env=env)
        finally:
            log.close()
        self.process = process
        self.lives.append(WorkerLife(process.pid))
        assert process.stdout is not None
        try:
            line = await asyncio.wait_for(process.stdout.readline(), WORKER_READY_S)
        except TimeoutError:
            line = b""
        if not line.startswith(READY_LINE.encode()):
            await self.stop()
            raise TemporalRunError(f"worker pid {process.pid} did not start: {self.log_tail()}")
        return process

    def log_tail(self) -> str:
        logs = sorted(self.work.glob("worker-*.log"))
        return logs[-1].read_text(errors="replace")[-600:] if logs else ""

    async def died(self) -> WorkerLife:
        """Wait for the current worker to exit; say whether it was the planned crash."""
        assert self.process is not None and self.process.stdout is not None
        status = await self.process.wait()
        rest = (await self.process.stdout.read()).decode(errors="replace")
        life = self.lives[-1]
        life.exit_status = status
        for line in rest.splitlines():
            if line.startswith(CRASH_LINE):
                life.killed_after = line.split()[1]
        if status != -signal.SIGKILL or life.killed_after is None:
            raise TemporalRunError(
                f"worker pid {life.pid} exited with status {status}: {self.log_tail()}")
        return life

    async def stop(self) -> None:
        """SIGTERM the current worker by pid, SIGKILL if it lingers."""
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            await process.wait()
        self.lives[-1].exit_status = process.returncode


def blocking(start: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end from synchronous code, on a thread of its own when this thread
    already runs an event loop (a notebook, Playwright's sync API in a test)."""
    def run() -> T:
        return asyncio.run(start())  # type: ignore[arg-type]

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run()
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


async def run_on_temporal(saga: Saga, scenario: str, failures: Iterable[str] = (), *,
                          seed: int = 0, time_scale: float = 1.0, address: str | None = None,
                          say: Callable[[str], None] = lambda line: None) -> TemporalRun:
    """Run `saga` as a Temporal workflow and check the invariants on what Temporal did."""
    plan = saga_plan(saga, failures, seed=seed, time_scale=time_scale)
    with tempfile.TemporaryDirectory(prefix="sagascope-temporal-") as tmp:
        work = Path(tmp)
        server = None
        if address is None:
            server = DevServer.start(log=work / "server.log")
            address = server.address
            say(f"Started a Temporal dev server (pid {server.pid}) on {address}.")
        try:
            run = await _run(saga, scenario, plan, address, work, say, server is not None)
        finally:
            if server is not None:
                server.stop()
                say(f"Stopped the dev server (pid {server.pid}).")
        run.dev_server_pid = server.pid if server else None
        return run


async def _run(saga: Saga, scenario: str, plan: dict[str, Any], address: str, work: Path,
               say: Callable[[str], None], own_server: bool) -> TemporalRun:
    client = await connect(address, 30.0 if own_server else 5.0)
    info = await client.workflow_service.get_system_info(GetSystemInfoRequest())
    shared = SharedWorld.create(work / "services.sqlite", saga)
    (work / "plan.json").write_text(json.dumps(plan), "utf-8")
    run_tag = uuid.uuid4().hex[:10]
    workflow_id, task_queue = f"sagascope-{saga.name}-{run_tag}", f"sagascope-{run_tag}"
    order = saga.step_names
    crashes = sorted(Fates.of(saga, plan["failures"]).crash_steps(), key=order.index)
    workers = _Workers(scenario, address, task_queue, work, say)
    try:
        process = await workers.start(crashes)
        say(f"Worker pid {process.pid} polls task queue {task_queue}.")
        handle = await client.start_workflow(
            WORKFLOW_NAME, plan, id=workflow_id, task_queue=task_queue,
            task_timeout=WORKFLOW_TASK_TIMEOUT, execution_timeout=timedelta(seconds=RUN_DEADLINE_S))
        result = await _await_result(handle, workers, crashes, say)
        history = (await handle.fetch_history()).to_json_dict()
    finally:
        await workers.stop()
    events = history_events(history, saga, run_id=workflow_id, server_version=info.server_version)
    world = shared.world()
    run = TemporalRun(saga, workflow_id, address, info.server_version, plan, result, history,
                      events, world, shared.journal(), workers.lives)
    run.outcome = check_invariants(saga, "orchestration", world, events)
    return run


async def _await_result(handle: WorkflowHandle, workers: _Workers, crashes: list[str],
                        say: Callable[[str], None]) -> dict[str, Any]:
    result = asyncio.ensure_future(handle.result())
    end = time.monotonic() + RUN_DEADLINE_S
    try:
        while True:
            died = asyncio.ensure_future(workers.died())
            done, _ = await asyncio.wait({result, died}, timeout=end - time.monotonic(),
                                         return_when=asyncio.FIRST_COMPLETED)
            if result in done:
                died.cancel()
                return result.result()
            if died not in done:
                died.cancel()
                raise TemporalRunError(f"workflow {handle.id} did not finish in {RUN_DEADLINE_S} s")
            life = died.result()
            crashes = [s for s in crashes if s != life.killed_after]
            process = await workers.start(crashes)
            say(f"Worker pid {life.pid} was killed with SIGKILL right after {life.killed_after} "
                f"completed; worker pid {process.pid} takes over, and Temporal replays the "
                "history to it.")
    finally:
        if not result.done():
            result.cancel()
            with contextlib.suppress(Exception):
                await handle.terminate("sagascope gave up waiting")
