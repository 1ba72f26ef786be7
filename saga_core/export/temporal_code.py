"""A saga as a Python Temporal module: workflow, activities and a worker that runs one saga.

The workflow is written the way Temporal's samples write sagas: before each step runs, its
compensation is pushed onto a list, and on a failure the list runs newest first. Registering
before the step is what also undoes an uncertain step (an activity that timed out may have
committed), so every compensation is "undo if present". Each step keeps its own timeout and
retry policy from the definition; business failures are non-retryable `ApplicationError`s.

The activities change an in-memory stand-in of each service's database, keyed by idempotency
key, so the module runs as it is (`python module.py --address HOST:PORT [--fail-at STEP]`);
replace their bodies with calls to the real services. The module needs only `temporalio`.
"""

from __future__ import annotations

import keyword
import pprint
import re
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..temporal.plan import BUSINESS_FAILURE, COMPLETE_ACTIVITY, saga_plan

if TYPE_CHECKING:
    from ..definition import Action, Saga

RESERVED = {"activity", "workflow", "asyncio", "argparse", "json", "os", "sys", "uuid",
            "timedelta", "main",
            "dataclass", "asdict", "field", "Client", "Worker", "RetryPolicy", "ActivityError",
            "ApplicationError", "SagaInput", "SagaResult", "apply_action", "undo_action",
            "ACCOUNTS", "RECORDS", "APPLIED", "LOG", "TASK_QUEUE", "COMPENSATION_RETRY",
            "COMPLETION_RETRY"}

HEADER = '''"""The {name} saga as a Temporal workflow, exported by SagaScope.

{title}.

Run a worker and one saga on a Temporal server:

    pip install temporalio
    python {module}.py --address 127.0.0.1:7233 [--fail-at STEP]

{rehearse}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.worker import Worker

TASK_QUEUE = {queue!r}

# Retry policies from the saga definition; business failures are never retried.
{policies}

@dataclass
class SagaInput:
    saga_id: str
    fail_at: str | None = None


@dataclass
class SagaResult:
    outcome: str
    committed: list[str] = field(default_factory=list)
    compensated: list[str] = field(default_factory=list)


# -- a stand-in for each service's own database ----------------------------------------------
ACCOUNTS: dict[str, dict[str, int]] = {accounts}
RECORDS: dict[str, dict[str, str]] = {records}
APPLIED: dict[str, bool] = {{}}
"""Idempotency key -> whether its effect is present now."""
LOG: list[tuple[str, str]] = []


def apply_action(key: str, step: str, service: str, moves: list[tuple[str, str, int]],
                 record: tuple[str, str] | None) -> bool:
    """One local transaction, once per key: a retry finds the key and changes nothing."""
    if key in APPLIED:
        return False
    accounts = ACCOUNTS[service]
    for source, _, amount in moves:
        if accounts[source] < amount:
            raise ApplicationError(f"{{source}} holds only {{accounts[source]}}",
                                   type="InsufficientBalance", non_retryable=True)
    for source, target, amount in moves:
        accounts[source] -= amount
        accounts[target] += amount
    if record is not None:
        RECORDS[service][record[0]] = record[1]
    APPLIED[key] = True
    LOG.append(("apply", step))
    return True


def undo_action(key: str, step: str, service: str, moves: list[tuple[str, str, int]],
                record: tuple[str, str] | None) -> bool:
    """Undo if present: reverse the moves once; False when there was nothing to undo."""
    if not APPLIED.get(key):
        return False
    accounts = ACCOUNTS[service]
    for source, target, amount in moves:
        accounts[target] -= amount
        accounts[source] += amount
    if record is not None:
        RECORDS[service][record[0]] = record[1]
    APPLIED[key] = False
    LOG.append(("undo", step))
    return True
'''

FOOTER = '''

async def main() -> None:
    parser = argparse.ArgumentParser(description={description!r})
    parser.add_argument("--address", default="127.0.0.1:7233", help="the Temporal server")
    parser.add_argument("--fail-at", default=None, help="rehearse a business failure at this step",
                        choices=[{steps}])
    args = parser.parse_args()
    client = await Client.connect(args.address)
    saga = SagaInput(saga_id=f"{name}-{{uuid.uuid4().hex[:8]}}", fail_at=args.fail_at)
    activities = [{activities}]
    async with Worker(client, task_queue=TASK_QUEUE, workflows=[{cls}],
                      activities=activities):
        result = await client.execute_workflow({cls}.run, saga, id=saga.saga_id,
                                               task_queue=TASK_QUEUE)
    print(json.dumps({{"workflow_id": saga.saga_id, **asdict(result), "accounts": ACCOUNTS,
                      "records": RECORDS, "log": LOG}}))


if __name__ == "__main__":  # the workflow sandbox re-imports this module: run only as a script
    asyncio.run(main())
    # Leave without interpreter teardown: the SDK's native threads can abort a process that
    # finalizes right after running a worker (temporalio/sdk-python issue 300).
    sys.stdout.flush()
    os._exit(0)
'''


def identifier(name: str, taken: set[str]) -> str:
    """A Python name for an action, unique in the module and clear of its own names."""
    word = re.sub(r"\W", "_", name) or "action"
    if word[0].isdigit() or keyword.iskeyword(word):
        word = f"_{word}"
    while word in taken or word in RESERVED:
        word += "_"
    taken.add(word)
    return word


def _moves(action: Action) -> str:
    return repr([(m.source, m.target, m.amount) for m in action.moves])


def _retry(constant: str, fields: dict[str, Any]) -> str:
    """A module-level RetryPolicy constant, one field a line."""
    return "".join([
        f"{constant} = RetryPolicy(\n",
        f"    initial_interval=timedelta(milliseconds={fields['initial_interval_ms']}),\n",
        f"    backoff_coefficient={fields['backoff_coefficient']!r},\n",
        f"    maximum_interval=timedelta(milliseconds={fields['maximum_interval_ms']}),\n",
        f"    maximum_attempts={fields['maximum_attempts']},\n",
        f"    non_retryable_error_types={fields['non_retryable_error_types']!r},\n",
        ")\n",
    ])


def _literal(value: object, indent: int) -> str:
    """A Python literal that fits the line, continued `indent` columns in."""
    text = pprint.pformat(value, width=100 - indent, sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


def _items(items: Iterable[str], indent: int) -> str:
    """Comma-separated items, continued on lines `indent` columns in."""
    pad = " " * indent
    return textwrap.fill(", ".join(items), 99, initial_indent=pad, subsequent_indent=pad,
                         break_long_words=False, break_on_hyphens=False).lstrip()


def _plain(text: str) -> str:
    """Safe inside a docstring or a comment."""
    return text.replace("\\", "/").replace('"""', "'''").replace("\n", " ")


class _Module:
    def __init__(self, saga: Saga) -> None:
        self.saga = saga
        self.plan = saga_plan(saga)
        taken: set[str] = set()
        self.py: dict[str, str] = {}
        for entry in self.plan["steps"]:
            self.py[entry["activity"]] = identifier(entry["activity"], taken)
            if entry["compensation"]:
                name = entry["compensation"]["activity"]
                self.py[name] = identifier(name, taken)
        if self.plan["completion"]:
            self.py[COMPLETE_ACTIVITY] = identifier(COMPLETE_ACTIVITY, taken)
        words = [p.capitalize() for p in re.split(r"[^A-Za-z0-9]", saga.name) if p]
        self.cls = identifier("".join(words) + "Saga", taken)
        self.retry = {e["name"]: identifier(f"{e['name'].upper()}_RETRY", taken)
                      for e in self.plan["steps"]}

    def text(self) -> str:
        saga = self.saga
        parts = [HEADER.format(
            title=_plain(saga.title or saga.name), name=saga.name, module=f"{saga.name}_saga",
            rehearse=textwrap.fill(
                f"--fail-at rehearses a business failure at one step "
                f"({', '.join(saga.step_names)}); the saga then compensates. The activities "
                "change an in-memory stand-in of each service's database; replace their bodies "
                "with calls to your services, and keep them idempotent by the key they are "
                "given.", 95),
            queue=f"{saga.name}-saga", policies=self.policies(),
            accounts=_literal({n: dict(a) for n, a in saga.services.items()}, 38),
            records=_literal({name: {} for name in saga.services}, 37))]
        parts += [self.step_activities(entry) for entry in self.plan["steps"]]
        if self.plan["completion"]:
            parts.append(self.completion_activity())
        parts.append(self.workflow())
        parts.append(FOOTER.format(
            description=f"Run one {saga.name} saga on Temporal.",
            steps=_items(map(repr, saga.step_names), 33), name=saga.name, cls=self.cls,
            activities=_items(self.py.values(), 18)))
        return "".join(parts)

    def policies(self) -> str:
        steps, completion = self.plan["steps"], self.plan["completion"]
        out = [_retry(self.retry[e["name"]], e["retry"]) for e in steps]
        undo = [e["compensation"] for e in steps if e["compensation"]]
        if undo:
            out.append(_retry("COMPENSATION_RETRY", undo[0]["retry"]))
        if completion:
            out.append(_retry("COMPLETION_RETRY", completion["retry"]))
        return "".join(out)

    def step_activities(self, entry: dict[str, Any]) -> str:
        step = self.saga.step(entry["name"])
        action, key = step.action, f'f"{{saga.saga_id}}:{step.name}"'
        out = (
            f"\n\n@activity.defn(name={entry['activity']!r})\n"
            f"async def {self.py[entry['activity']]}(saga: SagaInput) -> bool:\n"
            f'    """{step.service}: {_plain(action.text)}."""\n'
            f"    if saga.fail_at == {step.name!r}:\n"
            f"        raise ApplicationError({step.failure_reason!r},\n"
            f"                               type={BUSINESS_FAILURE!r}, non_retryable=True)\n"
            f"    return apply_action({key}, {step.name!r}, {step.service!r},\n"
            f"                        {_moves(action)}, {action.record!r})\n"
        )
        if entry["compensation"] is not None and step.compensate is not None:
            name = entry["compensation"]["activity"]
            out += (
                f"\n\n@activity.defn(name={name!r})\n"
                f"async def {self.py[name]}(saga: SagaInput) -> bool:\n"
                f'    """{step.service}: {_plain(step.compensate.text)} (undo if present)."""\n'
                f"    return undo_action({key}, {step.name!r}, {step.service!r},\n"
                f"                       {_moves(action)}, {step.compensate.record!r})\n"
            )
        return out

    def completion_activity(self) -> str:
        completion, first = self.saga.completion, self.saga.steps[0]
        assert completion is not None
        body = "    return None\n"
        if completion.record:
            key, status = completion.record
            body = f"    RECORDS[{first.service!r}][{key!r}] = {status!r}\n"
        return (
            f"\n\n@activity.defn(name={COMPLETE_ACTIVITY!r})\n"
            f"async def {self.py[COMPLETE_ACTIVITY]}(saga: SagaInput) -> None:\n"
            f'    """{first.service}: {_plain(completion.text)}."""\n' + body
        )

    def workflow(self) -> str:
        title = _plain(self.saga.title or self.saga.name)
        lines = [
            f"\n\n@workflow.defn\nclass {self.cls}:\n"
            f'    """{title}: each compensation is registered before its step runs."""\n\n'
            "    @workflow.run\n"
            "    async def run(self, saga: SagaInput) -> SagaResult:\n"
            "        compensations = []\n"
            "        committed: list[str] = []\n"
            "        try:\n"
        ]
        lines += [self.workflow_step(entry) for entry in self.plan["steps"]]
        if self.plan["completion"]:
            lines.append(_call(self.py[COMPLETE_ACTIVITY], self.plan["completion"]["timeout_ms"],
                               "COMPLETION_RETRY"))
        lines.append(
            "        except ActivityError:\n"
            "            compensated = []\n"
            "            for step, compensation, timeout in reversed(compensations):\n"
            "                if await workflow.execute_activity(\n"
            "                    compensation, saga, start_to_close_timeout=timeout,\n"
            "                    retry_policy=COMPENSATION_RETRY,\n"
            "                ):\n"
            "                    compensated.append(step)\n"
            '            return SagaResult("compensated", committed, compensated)\n'
            '        return SagaResult("completed", committed)\n'
        )
        return "".join(lines)

    def workflow_step(self, entry: dict[str, Any]) -> str:
        step = self.saga.step(entry["name"])
        out = textwrap.indent(textwrap.fill(
            f"{step.name}: {step.service} will {_plain(step.action.text)}", 86), "            # ")
        out += "\n"
        if entry["compensation"] is not None:
            undo = entry["compensation"]
            out += (f"            compensations.append(({step.name!r}, "
                    f"{self.py[undo['activity']]},\n"
                    f"                                  "
                    f"timedelta(milliseconds={undo['timeout_ms']})))\n")
        out += _call(self.py[entry["activity"]], entry["timeout_ms"], self.retry[step.name])
        return out + f"            committed.append({step.name!r})\n"


def _call(function: str, timeout_ms: int, retry: str) -> str:
    return (
        "            await workflow.execute_activity(\n"
        f"                {function}, saga,\n"
        f"                start_to_close_timeout=timedelta(milliseconds={timeout_ms}),\n"
        f"                retry_policy={retry},\n"
        "            )\n"
    )


def render_temporal(saga: Saga) -> str:
    """The saga as a runnable Python Temporal module (text)."""
    return _Module(saga).text()
