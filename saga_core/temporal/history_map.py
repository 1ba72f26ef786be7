"""A Temporal workflow history, as SagaScope events.

Reads the history JSON (`WorkflowHistory.to_json_dict()`, the same document `--raw` prints and
the Temporal CLI/UI export), so it needs no SDK. Each SagaScope event keeps the Temporal event it
came from in `detail.temporal` (`event_id`, `event_type`, `time`, and the worker `identity` or
`attempt` when the event has them); `t_ms` is real time since WorkflowExecutionStarted.

What the history holds decides what can be shown. Temporal writes one ActivityTaskStarted per
activity, for its last attempt, carrying the attempt number and the last failure: the failed
attempts before it leave no event of their own. So a retried activity becomes "attempt k-1
failed" and "attempt k started", both from that one ActivityTaskStarted. Workflow tasks (the
worker's turns at running workflow code) are shown only where they tell of a crash: a task that
timed out on a dead worker, and the first task another worker completes after it, by replaying.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..events import Event
from ..failures import parse_failures
from ..narrate import sentence
from .plan import activity_names

if TYPE_CHECKING:
    from ..definition import Saga

ACTOR = "orchestrator"
MODE = "orchestration"


def short_type(event_type: str) -> str:
    """EVENT_TYPE_ACTIVITY_TASK_SCHEDULED → ActivityTaskScheduled (as the Temporal UI names it)."""
    words = event_type.removeprefix("EVENT_TYPE_").split("_")
    return "".join(word.capitalize() for word in words)


def decode_payloads(payloads: dict[str, Any] | None) -> list[Any]:
    """JSON payloads (`json/plain`) to Python values; anything else is kept as its encoding."""
    values = []
    for payload in (payloads or {}).get("payloads", []):
        encoding = base64.b64decode(payload.get("metadata", {}).get("encoding", "")).decode()
        data = base64.b64decode(payload.get("data", ""))
        values.append(json.loads(data) if encoding == "json/plain" else {"encoding": encoding})
    return values


def _time(text: str) -> datetime:
    """RFC 3339 with up to nanoseconds (Python parses microseconds)."""
    head, dot, rest = text.rstrip("Z").partition(".")
    fraction = f".{(rest + '000000')[:6]}" if dot else ""
    return datetime.fromisoformat(f"{head}{fraction}+00:00")


def _attributes(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventAttributes"):
            return value
    return {}


def _pid(identity: str | None) -> int | None:
    head = (identity or "").partition("@")[0]
    return int(head) if head.isdigit() else None


class _Mapper:
    """One pass over the history, emitting SagaScope events in history order."""

    def __init__(self, saga: Saga, run_id: str, server_version: str | None) -> None:
        self.saga = saga
        self.run_id = run_id
        self.server_version = server_version
        by_name = activity_names(saga)
        self.activities = {name: key for key, name in by_name.items()}
        self.events: list[Event] = []
        self.scheduled: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.started_attempt: dict[str, int] = {}
        self.succeeded: list[str] = []
        self.task_identity: str | None = None
        self.crashed_identity: str | None = None
        self.recovering: dict[str, Any] | None = None
        self.origin: datetime | None = None
        self.last_t = 0
        self.raw: dict[str, Any] = {}

    # -- emitting -------------------------------------------------------------------------------
    def emit(self, kind: str, actor: str, step: str | None, detail: dict[str, Any],
             narration: str) -> None:
        raw, attrs = self.raw, _attributes(self.raw)
        when = _time(raw["eventTime"])
        self.origin = self.origin or when
        t_ms = max(self.last_t, round((when - self.origin).total_seconds() * 1000))
        self.last_t = t_ms
        temporal = {"event_id": int(raw["eventId"]), "event_type": short_type(raw["eventType"]),
                    "time": raw["eventTime"]}
        for key in ("identity", "attempt"):
            if key in attrs:
                temporal[key] = attrs[key]
        self.events.append(Event(len(self.events) + 1, t_ms, self.run_id, MODE, kind, actor, step,
                                 {**detail, "temporal": temporal}, sentence(narration)))

    def map(self, history: dict[str, Any]) -> list[Event]:
        for raw in history.get("events", []):
            self.raw = raw
            handler = getattr(self, "on_" + short_type(raw["eventType"]), None)
            if handler is not None:
                handler(_attributes(raw))
        return self.events

    # -- the workflow ---------------------------------------------------------------------------
    def on_WorkflowExecutionStarted(self, attrs: dict[str, Any]) -> None:
        (plan,) = decode_payloads(attrs.get("input")) or [{}]
        saga = self.saga
        self.emit("saga.started", ACTOR, None, {
            "saga": saga.name, "mode": MODE, "seed": plan.get("seed", 0),
            "failures": [str(spec) for spec in parse_failures(plan.get("failures", []),
                                                              saga.step_names)],
            "steps": [{"name": s.name, "service": s.service} for s in saga.steps],
            "engine": "temporal", "temporal_server": self.server_version,
            "time_scale": plan.get("time_scale", 1.0),
            "task_queue": attrs.get("taskQueue", {}).get("name"),
        }, f"Temporal starts workflow {self.run_id} ({attrs['workflowType']['name']}): the "
           f"{saga.name} saga for {saga.subject}, each step's compensation registered before the "
           "step runs")

    def on_WorkflowExecutionCompleted(self, attrs: dict[str, Any]) -> None:
        (result,) = decode_payloads(attrs.get("result")) or [{}]
        outcome = result.get("outcome")
        detail = {"committed": result.get("committed", []),
                  "compensated": result.get("compensated", [])}
        if outcome == "completed":
            first, completion = self.saga.steps[0], self.saga.completion
            text = f"{first.service} marked it done ({completion.text})" if completion else \
                "nothing is left to do"
            self.emit("saga.completed", ACTOR, None, detail,
                      f"Every step committed and {text}: the workflow completes, and so does the "
                      "saga")
        elif outcome == "compensated":
            undone = detail["compensated"]
            what = f"undid {' then '.join(undone)}, newest first" if undone else \
                "had nothing to undo"
            self.emit("saga.compensated", ACTOR, None, detail,
                      f"The workflow {what}, and returns: the saga is compensated (the execution "
                      "itself completes, it does not fail)")

    # -- crashes: a workflow task that timed out, then another worker's replay --------------------
    def on_WorkflowTaskStarted(self, attrs: dict[str, Any]) -> None:
        identity = attrs.get("identity")
        if self.crashed_identity and identity != self.crashed_identity and not self.recovering:
            self.recovering = {"identity": identity, "started": _time(self.raw["eventTime"]),
                               "history_events": int(self.raw["eventId"])}
        self.task_identity = identity

    def on_WorkflowTaskTimedOut(self, attrs: dict[str, Any]) -> None:
        identity = self.task_identity
        after = self.succeeded[-1] if self.succeeded else None
        self.crashed_identity = identity
        self.recovering = None
        pid = _pid(identity)
        who = f"worker pid {pid}" if pid else f"worker {identity}"
        carries = f"{after}'s result" if after else "the next decision"
        self.emit("orchestrator.crashed", ACTOR, after, {
            "after_step": after, "worker": identity, "worker_pid": pid,
            "timeout_type": attrs.get("timeoutType"),
        }, f"The {who} took the workflow task that carries {carries} and never answered: it "
           "died; Temporal times the task out and offers it to the next worker that polls")

    def on_WorkflowTaskCompleted(self, attrs: dict[str, Any]) -> None:
        rec = self.recovering
        if rec is None or attrs.get("identity") != rec["identity"]:
            return
        self.recovering, self.crashed_identity = None, None
        replay_ms = round((_time(self.raw["eventTime"]) - rec["started"]).total_seconds() * 1000)
        pid = _pid(rec["identity"])
        n = rec["history_events"]
        self.emit("orchestrator.recovered", ACTOR, None, {
            "replayed_events": n, "replay_ms": replay_ms, "next_step": self._resumes_at(),
            "worker": rec["identity"], "worker_pid": pid,
        }, f"Worker pid {pid} replays the history's {n} events through the workflow code, which "
           f"rebuilds its state and decides what comes next (the workflow task took {replay_ms} "
           "ms); no completed activity runs again")

    def _resumes_at(self) -> str:
        """Where the workflow goes on, in the engine's words ("at step inventory")."""
        names = self.saga.step_names
        after = self.succeeded[-1] if self.succeeded else None
        index = names.index(after) + 1 if after in names else 0
        return f"at step {names[index]}" if index < len(names) else "by completing the saga"

    # -- activities -----------------------------------------------------------------------------
    def on_ActivityTaskScheduled(self, attrs: dict[str, Any]) -> None:
        name = attrs["activityType"]["name"]
        if name not in self.activities:
            return  # the completion: saga.completed tells of it
        step_name, phase = self.activities[name]
        self.scheduled[self.raw["eventId"]] = (step_name, phase, attrs)
        step = self.saga.step(step_name)
        retry = attrs.get("retryPolicy", {})
        attempts = retry.get("maximumAttempts", 0)
        base = {"service": step.service, "attempt": 1, "activity_type": name}
        if phase == "step":
            self.emit("step.started", ACTOR, step_name, {**base, "max_attempts": attempts},
                      f"The workflow schedules activity {name}: {step.service} is to "
                      f"{step.action.text} (up to {attempts} attempts, each allowed "
                      f"{_ms(attrs.get('startToCloseTimeout'))} ms)")
        else:
            unsure = "" if step_name in self.succeeded else \
                f" ({step_name} never reported success, so this undoes it only if present)"
            self.emit("compensation.started", ACTOR, step_name, base,
                      f"The workflow runs the compensation it registered before {step_name} ran: "
                      f"activity {name} asks {step.service} to {step.compensate.text}{unsure}")

    def on_ActivityTaskStarted(self, attrs: dict[str, Any]) -> None:
        found = self.scheduled.get(attrs["scheduledEventId"])
        attempt = int(attrs.get("attempt", 1))
        if found is None:
            return
        self.started_attempt[attrs["scheduledEventId"]] = attempt
        if attempt > 1:
            self._retried(found, attempt, attrs.get("lastFailure", {}))

    def _retried(self, found: tuple[str, str, dict[str, Any]], attempt: int,
                 failure: dict[str, Any]) -> None:
        step_name, phase, scheduled = found
        step = self.saga.step(step_name)
        message = failure.get("message", "an error")
        earlier = "" if attempt == 2 else (
            "; attempt 1 failed before it and left no event of its own" if attempt == 3 else
            f"; attempts 1 to {attempt - 2} failed before it and left no event of their own")
        kept = f"Temporal's history keeps only this last failure{earlier}"
        base = {"service": step.service, "attempt": attempt - 1}
        if phase == "undo":
            self.emit("compensation.failed", step.service, step_name,
                      {**base, "error": message},
                      f"{step.service} could not {step.compensate.text} on attempt {attempt - 1}: "
                      f"{message} ({kept})")
            self.emit("compensation.retry_scheduled", ACTOR, step_name,
                      {**base, "attempt": attempt},
                      f"Compensations must succeed, so Temporal's retry policy starts attempt "
                      f"{attempt}; the workflow code waits and does nothing")
            return
        if "timeoutFailureInfo" in failure:
            timeout = _ms(scheduled.get("startToCloseTimeout"))
            self.emit("step.timed_out", ACTOR, step_name,
                      {**base, "timeout_ms": timeout, "final": False},
                      f"Attempt {attempt - 1} of {scheduled['activityType']['name']} overran its "
                      f"start-to-close timeout of {timeout} ms ({kept})")
        else:
            self.emit("step.failed", step.service, step_name,
                      {**base, "error": message, "retryable": True, "final": False},
                      f"{step.service} could not {step.action.text} on attempt {attempt - 1}: "
                      f"{message} ({kept})")
        self.emit("step.retry_scheduled", ACTOR, step_name, {**base, "attempt": attempt},
                  f"Temporal's retry policy, not the workflow code, starts attempt {attempt} of "
                  f"{scheduled.get('retryPolicy', {}).get('maximumAttempts', '?')}")

    def on_ActivityTaskCompleted(self, attrs: dict[str, Any]) -> None:
        found = self.scheduled.get(attrs["scheduledEventId"])
        if found is None:
            return
        step_name, phase, _ = found
        step = self.saga.step(step_name)
        (result,) = decode_payloads(attrs.get("result")) or [{}]
        attempt = self.started_attempt.get(attrs["scheduledEventId"], 1)
        detail = {"service": step.service, "attempt": attempt, "worker_pid": result.get("pid")}
        if phase == "step":
            self.succeeded.append(step_name)
            text = step.sentences.succeeded if result.get("applied", True) else (
                f"{step.service} finds {step_name}'s idempotency key already applied (an earlier "
                "attempt committed it) and changes nothing; Temporal records the activity "
                "completed")
            self.emit("step.succeeded", step.service, step_name,
                      {**detail, "applied": result.get("applied", True)}, text)
        else:
            undone = bool(result.get("undone"))
            text = step.sentences.compensated if undone else (
                f"{step.service} finds nothing to undo for {step_name}: it never took effect")
            self.emit("compensation.succeeded", step.service, step_name,
                      {**detail, "undone": undone}, text)

    def on_ActivityTaskFailed(self, attrs: dict[str, Any]) -> None:
        self._gave_up(attrs, timed_out=False)

    def on_ActivityTaskTimedOut(self, attrs: dict[str, Any]) -> None:
        self._gave_up(attrs, timed_out=True)

    def _gave_up(self, attrs: dict[str, Any], timed_out: bool) -> None:
        found = self.scheduled.get(attrs["scheduledEventId"])
        if found is None:
            return
        step_name, phase, scheduled = found
        step = self.saga.step(step_name)
        failure = attrs.get("failure", {})
        attempt = self.started_attempt.get(attrs["scheduledEventId"], 1)
        message = failure.get("message", "an error")
        non_retryable = bool(failure.get("applicationFailureInfo", {}).get("nonRetryable"))
        why = ("the error is non-retryable" if non_retryable
               else f"attempt {attempt} was the last ({attrs.get('retryState', '?')})")
        base = {"service": step.service, "attempt": attempt, "final": True,
                "retry_state": attrs.get("retryState")}
        if phase == "undo":
            self.emit("compensation.failed", step.service, step_name,
                      {**base, "error": message},
                      f"{step.service} could not {step.compensate.text}: {message}; {why}")
        elif timed_out:
            timeout = _ms(scheduled.get("startToCloseTimeout"))
            self.emit("step.timed_out", ACTOR, step_name, {**base, "timeout_ms": timeout},
                      f"{step.service} did not answer within {timeout} ms and {why}: Temporal "
                      "times the activity out and the workflow starts compensating")
        else:
            self.emit("step.failed", step.service, step_name,
                      {**base, "error": message, "retryable": not non_retryable},
                      f"{step.service} could not {step.action.text}: {message}; {why}, so "
                      "Temporal fails the activity and the workflow starts compensating")


def _ms(duration: str) -> int | None:
    """Protobuf JSON durations look like "0.500s"."""
    try:
        return round(float(duration.rstrip("s")) * 1000)
    except (AttributeError, ValueError):
        return None


def history_events(history: dict[str, Any], saga: Saga, *, run_id: str,
                   server_version: str | None = None) -> list[Event]:
    """The SagaScope events a Temporal history tells of, in history order."""
    return _Mapper(saga, run_id, server_version).map(history)
