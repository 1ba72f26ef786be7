"""What a service reports about its local transactions: the same events in every mode.

Who asked (the orchestrator, or a subscription) differs by mode; what the service did does not,
so orchestration, choreography and hybrid all report it through these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .narrate import sentence

if TYPE_CHECKING:
    from .definition import Step
    from .simulation import Simulation

TRANSIENT_ERROR = "a transient error (503 Service Unavailable)"


def saga_started(sim: Simulation, actor: str, failures: list[str], how: str) -> None:
    saga = sim.saga
    sim.emit(
        "saga.started",
        actor,
        None,
        {
            "saga": saga.name,
            "mode": sim.mode,
            "seed": sim.seed,
            "failures": failures,
            "steps": [{"name": s.name, "service": s.service} for s in saga.steps],
        },
        sentence(f"The {saga.name} saga for {saga.subject} starts; {how}"),
    )


def step_succeeded(sim: Simulation, step: Step, attempt: int) -> None:
    sim.emit(
        "step.succeeded",
        step.service,
        step.name,
        {"service": step.service, "attempt": attempt},
        step.sentences.succeeded,
    )


def step_failed(
    sim: Simulation, step: Step, attempt: int, error: str, retryable: bool, final: bool
) -> None:
    sim.emit(
        "step.failed",
        step.service,
        step.name,
        {
            "service": step.service,
            "attempt": attempt,
            "error": error,
            "retryable": retryable,
            "final": final,
        },
        sentence(f"{step.service} could not {step.action.text}: {error}"),
    )


def compensation_succeeded(sim: Simulation, step: Step, attempt: int) -> None:
    assert step.compensate is not None
    sim.emit(
        "compensation.succeeded",
        step.service,
        step.name,
        {"service": step.service, "attempt": attempt},
        step.sentences.compensated,
    )


def compensation_failed(sim: Simulation, step: Step, attempt: int) -> None:
    assert step.compensate is not None
    sim.emit(
        "compensation.failed",
        step.service,
        step.name,
        {"service": step.service, "attempt": attempt, "error": "a transient error"},
        sentence(f"{step.service} could not {step.compensate.text}: a transient error"),
    )


def retry_scheduled(
    sim: Simulation, kind: str, actor: str, step: Step, attempt: int, delay_ms: int, why: str
) -> None:
    """`step.retry_scheduled` or `compensation.retry_scheduled`: `attempt` is the next one."""
    sim.emit(
        kind,
        actor,
        step.name,
        {"service": step.service, "attempt": attempt, "delay_ms": delay_ms},
        sentence(why),
    )


def timed_out(sim: Simulation, actor: str, step: Step, attempt: int, final: bool, why: str) -> None:
    sim.emit(
        "step.timed_out",
        actor,
        step.name,
        {
            "service": step.service,
            "attempt": attempt,
            "timeout_ms": step.timeout_ms,
            "final": final,
        },
        sentence(why),
    )
