"""Every event the engine emits is built here: the wire contract, one function per kind.

Each function fixes its kind's `detail` payload (the fields, their order, their types), so the
CLI's JSON lines, the REST traces and the Socket.IO stream carry one shape per kind, the shape
`event.schema.json` pins. Who asked (the orchestrator, a subscription, the client) differs by
mode, so callers pass the actor and, where it differs by mode, the narration; what the event
says about the service, the message or the saga does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .narrate import sentence

if TYPE_CHECKING:
    from .definition import Step
    from .events import Event
    from .simulation import Simulation

TRANSIENT_ERROR = "a transient error (503 Service Unavailable)"


class MessageLike(Protocol):
    """A message on its way (`bus.Message`, or an orchestrator reply)."""

    id: str
    name: str
    source: str
    step: str | None


# -- the saga ---------------------------------------------------------------------------------
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


def saga_finished(sim: Simulation, outcome: str, actor: str, committed: list[str],
                  compensated: list[str], narration: str) -> None:
    """`saga.completed` or `saga.compensated` (`outcome`), with what was done and undone."""
    sim.emit(
        f"saga.{outcome}",
        actor,
        None,
        {"committed": list(committed), "compensated": list(compensated)},
        narration,
    )


def failure_injected(sim: Simulation, step: str, spec: str, what: str) -> Event:
    """A failure armed between transitions: `step` will `what` (the kind's armed phrase)."""
    return sim.emit(
        "failure.injected",
        "client",
        step,
        {"spec": spec},
        sentence(f"A failure is armed: {step} will {what}"),
    )


# -- a step's local transaction ---------------------------------------------------------------
def step_started(sim: Simulation, actor: str, step: Step, attempt: int, narration: str) -> None:
    sim.emit(
        "step.started",
        actor,
        step.name,
        {"service": step.service, "attempt": attempt, "max_attempts": step.retry.max_attempts},
        narration,
    )


def _service_reports(sim: Simulation, kind: str, step: Step, detail: dict, narration: str) -> None:
    """An event the step's own service reports about its local transaction, in every mode."""
    sim.emit(kind, step.service, step.name, detail, narration)


def step_succeeded(sim: Simulation, step: Step, attempt: int) -> None:
    _service_reports(sim, "step.succeeded", step, {"service": step.service, "attempt": attempt},
                     step.sentences.succeeded)


def step_failed(
    sim: Simulation, step: Step, attempt: int, error: str, retryable: bool, final: bool
) -> None:
    detail = {
        "service": step.service,
        "attempt": attempt,
        "error": error,
        "retryable": retryable,
        "final": final,
    }
    _service_reports(sim, "step.failed", step, detail,
                     sentence(f"{step.service} could not {step.action.text}: {error}"))


def step_timed_out(
    sim: Simulation, actor: str, step: Step, attempt: int, final: bool, why: str
) -> None:
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


def compensation_started(
    sim: Simulation, actor: str, step: Step, attempt: int, narration: str
) -> None:
    sim.emit(
        "compensation.started",
        actor,
        step.name,
        {"service": step.service, "attempt": attempt},
        narration,
    )


def compensation_succeeded(sim: Simulation, step: Step, attempt: int) -> None:
    _service_reports(sim, "compensation.succeeded", step,
                     {"service": step.service, "attempt": attempt}, step.sentences.compensated)


def compensation_failed(sim: Simulation, step: Step, attempt: int) -> None:
    assert step.compensate is not None
    _service_reports(
        sim, "compensation.failed", step,
        {"service": step.service, "attempt": attempt, "error": "a transient error"},
        sentence(f"{step.service} could not {step.compensate.text}: a transient error"),
    )


# -- messages ---------------------------------------------------------------------------------
def message_published(sim: Simulation, message: MessageLike, targets: list[str]) -> None:
    source = message.source
    listeners = f"for {', '.join(targets)}" if targets else "(nobody subscribes to it)"
    sim.emit(
        "message.published",
        source,
        message.step,
        {"message_id": message.id, "name": message.name, "source": source, "targets": targets},
        sentence(
            f"{'The client' if source == 'client' else source} publishes {message.name} "
            f"{listeners}"
        ),
    )


def message_delivered(sim: Simulation, message: MessageLike, target: str, delivery: int,
                      narration: str) -> None:
    """Delivery number `delivery` of `message` to `target` (2 and up: redelivered)."""
    sim.emit(
        "message.delivered",
        "bus",
        message.step,
        {
            "message_id": message.id,
            "name": message.name,
            "source": message.source,
            "target": target,
            "delivery": delivery,
        },
        narration,
    )


def message_dropped(sim: Simulation, message: MessageLike, target: str, redeliver_at_ms: int,
                    narration: str, reason: str | None = None) -> None:
    """Lost on its way to `target` (or `reason`: the target is down); redelivered later."""
    detail = {
        "message_id": message.id,
        "name": message.name,
        "source": message.source,
        "target": target,
        "redeliver_at_ms": redeliver_at_ms,
    }
    if reason is not None:
        detail["reason"] = reason
    sim.emit("message.dropped", "bus", message.step, detail, narration)


def duplicate_ignored(sim: Simulation, message: MessageLike, target: str,
                      narration: str) -> None:
    """`target` has already handled `message` and changes nothing."""
    sim.emit(
        "message.duplicate_ignored",
        target,
        message.step,
        {"message_id": message.id, "name": message.name, "target": target},
        narration,
    )


# -- crashes and recovery ---------------------------------------------------------------------
def orchestrator_crashed(sim: Simulation, actor: str, step: Step) -> None:
    sim.emit(
        "orchestrator.crashed",
        actor,
        step.name,
        {"after_step": step.name},
        sentence(
            f"The orchestrator crashes right after {step.name} committed; everything it held "
            "in memory is gone, only the history store remains"
        ),
    )


def orchestrator_recovered(sim: Simulation, actor: str, replayed: int, replay_ms: int,
                           next_step: str) -> None:
    """`next_step` says where it resumes: "at step payment", "the compensations"…"""
    sim.emit(
        "orchestrator.recovered",
        actor,
        None,
        {"replayed_events": replayed, "replay_ms": replay_ms, "next_step": next_step},
        sentence(
            f"A new orchestrator replays {replayed} events from the history and resumes "
            f"{next_step} without re-running any committed step"
        ),
    )


def consumer_crashed(sim: Simulation, step: Step, message: MessageLike) -> None:
    sim.emit(
        "consumer.crashed",
        step.service,
        step.name,
        {"message_id": message.id, "name": message.name},
        sentence(
            f"{step.service} crashes after committing, before it acks {message.name} or "
            "publishes its event; both wait in its database"
        ),
    )


def consumer_recovered(sim: Simulation, step: Step, waiting: list[str]) -> None:
    """Restarted; `waiting` is what its outbox holds, published next."""
    sim.emit(
        "consumer.recovered",
        step.service,
        step.name,
        {"republished": list(waiting)},
        sentence(
            f"{step.service} restarts and publishes what its outbox holds: "
            f"{', '.join(waiting) or 'nothing'}"
        ),
    )
