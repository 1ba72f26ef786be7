"""Amazon States Language (AWS Step Functions) JSON of the orchestration.

One Task state per step invokes the step's service as a Lambda function; its `Retry` comes from
the step's retry policy (transient errors and timeouts only: a business failure is never
retried), and its `Catch` enters the reverse chain of compensation Task states at the newest
committed step. The chain ends in a `Fail` state, so a compensated execution is visibly failed;
a completed one ends in `Succeed`. Step Functions counts retries, not attempts, and whole seconds,
so intervals are rounded up to at least one second.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ..retry import COMPENSATION_RETRY, RetryPolicy
from .model import COMPENSATED, COMPLETED, FlowNode, SagaFlow

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
TRANSIENT_ERRORS = ["States.Timeout", "Lambda.ServiceException", "Lambda.TooManyRequestsException",
                    "TransientError"]


def render_asl(flow: SagaFlow) -> str:
    """The state machine definition as pretty-printed JSON text."""
    return json.dumps(asl_definition(flow), indent=2, ensure_ascii=False) + "\n"


def asl_definition(flow: SagaFlow) -> dict[str, Any]:
    saga = flow.saga
    states: dict[str, Any] = {}
    for node in flow.steps:
        states[node.id] = _step_state(flow, node)
    for node in flow.compensations:
        states[node.id] = _compensation_state(flow, node)
    completion = flow.completion
    if completion is not None:
        states[completion.id] = {
            "Type": "Task",
            "Comment": f"{completion.service}: {saga.completion.text}",
            **_invoke(completion.service, "complete"),
            "ResultPath": "$.completion",
            "Next": COMPLETED,
        }
    states[COMPLETED] = {"Type": "Succeed", "Comment": "Every step committed."}
    states[COMPENSATED] = {
        "Type": "Fail",
        "Comment": "Every committed step was undone, newest first.",
        "Error": "SagaCompensated",
        "Cause": f"A step of the {saga.name} saga failed; its committed steps were compensated.",
    }
    return {
        "Comment": f"{saga.title or saga.name}: {saga.description}".rstrip(": "),
        "StartAt": flow.steps[0].id,
        "States": states,
    }


def _step_state(flow: SagaFlow, node: FlowNode) -> dict[str, Any]:
    step = node.step
    assert step is not None
    state: dict[str, Any] = {
        "Type": "Task",
        "Comment": f"{step.service}: {step.action.text}",
        **_invoke(step.service, step.action.name),
        "TimeoutSeconds": _seconds(step.timeout_ms),
        "ResultPath": f"$.results.{node.id}",
    }
    if step.retry.max_attempts > 1:
        state["Retry"] = [_retrier(TRANSIENT_ERRORS, step.retry)]
    state["Catch"] = [{
        "ErrorEquals": ["States.ALL"],
        "ResultPath": "$.error",
        "Next": flow.after(node.id, "failed"),
    }]
    state["Next"] = flow.after(node.id, "next")
    return state


def _compensation_state(flow: SagaFlow, node: FlowNode) -> dict[str, Any]:
    step = node.step
    assert step is not None and step.compensate is not None
    return {
        "Type": "Task",
        "Comment": f"{step.service}: {step.compensate.text} (compensates {step.name})",
        **_invoke(step.service, step.compensate.name),
        "ResultPath": f"$.compensations.{node.id}",
        "Retry": [_retrier(["States.ALL"], COMPENSATION_RETRY)],
        "Next": flow.after(node.id, "compensated"),
    }


def _invoke(service: str, action: str) -> dict[str, Any]:
    return {
        "Resource": LAMBDA_INVOKE,
        "Parameters": {"FunctionName": f"{service}-{action}", "Payload.$": "$"},
    }


def _retrier(errors: list[str], policy: RetryPolicy) -> dict[str, Any]:
    return {
        "ErrorEquals": errors,
        "IntervalSeconds": _seconds(policy.initial_interval_ms),
        "MaxAttempts": policy.max_attempts - 1,
        "BackoffRate": float(policy.backoff_coefficient),
        "MaxDelaySeconds": _seconds(policy.max_interval_ms),
    }


def _seconds(ms: int) -> int:
    return max(1, math.ceil(ms / 1000))
