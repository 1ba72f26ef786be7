"""Saga definitions from TOML or JSON files, and back.

A scenario file holds the same data as a `Saga` built in Python (see `examples/`): the saga's
names, each service's opening balances, the steps with their actions, compensations, retry
policies, timeouts and latencies, and optionally the events each step publishes (derived from the
step name when left out). Everything is checked before the saga is built, and every error names
the file, the field and what was expected, so a typo never becomes a traceback.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..definition import Action, Completion, Move, Saga, Step, StepEvents, Timing
from ..errors import InvalidDefinition
from ..retry import RetryPolicy

SUFFIXES = (".toml", ".json")

SAGA_FIELDS = ("name", "title", "subject", "description", "start_message", "services",
               "completion", "timing", "side_subscribers", "steps")
STEP_FIELDS = ("name", "service", "action", "compensate", "retry", "timeout_ms", "latency_ms",
               "failure_reason", "events")
ACTION_FIELDS = ("name", "text", "moves", "record")
COMPENSATION_FIELDS = ("name", "text", "record")
MOVE_FIELDS = ("source", "target", "amount")
RETRY_FIELDS = ("max_attempts", "initial_interval_ms", "backoff_coefficient", "max_interval_ms")
EVENT_FIELDS = ("succeeded", "failed", "compensated")
COMPLETION_FIELDS = ("text", "record", "event")
TIMING_FIELDS = ("bus_hop_ms", "decision_ms", "ack_timeout_ms", "restart_ms")


class InvalidScenarioFile(InvalidDefinition):
    """A scenario file cannot be read or does not describe a valid saga."""


def load_scenario_file(path: str | Path) -> Saga:
    """Read a `.toml` or `.json` scenario file into a validated `Saga`."""
    path = Path(path)
    return _Reader(str(path)).saga(_read(path))


def scenario_from_dict(data: Any, source: str = "<scenario>") -> Saga:
    """Build a saga from already-parsed scenario data; `source` names it in error messages."""
    return _Reader(source).saga(data)


def scenario_to_dict(saga: Saga) -> dict[str, Any]:
    """The scenario-file form of a saga: `scenario_from_dict` turns it back into an equal saga."""
    data: dict[str, Any] = {
        "name": saga.name,
        "title": saga.title,
        "subject": saga.subject,
        "description": saga.description,
        "start_message": saga.start_message,
        "services": {name: dict(accounts) for name, accounts in saga.services.items()},
    }
    if saga.completion is not None:
        data["completion"] = _drop_none({
            "text": saga.completion.text,
            "record": _list(saga.completion.record),
            "event": saga.completion.event,
        })
    timing = saga.timing
    data["timing"] = {
        "bus_hop_ms": list(timing.bus_hop_ms),
        "decision_ms": list(timing.decision_ms),
        "ack_timeout_ms": timing.ack_timeout_ms,
        "restart_ms": timing.restart_ms,
    }
    data["side_subscribers"] = {event: list(subs) for event, subs in saga.side_subscribers.items()}
    data["steps"] = [_step_to_dict(step) for step in saga.steps]
    return data


def _step_to_dict(step: Step) -> dict[str, Any]:
    events = step.event_names()
    data: dict[str, Any] = {
        "name": step.name,
        "service": step.service,
        "action": _drop_none({
            "name": step.action.name,
            "text": step.action.text,
            "moves": [
                {"source": m.source, "target": m.target, "amount": m.amount}
                for m in step.action.moves
            ],
            "record": _list(step.action.record),
        }),
    }
    if step.compensate is not None:
        data["compensate"] = _drop_none({
            "name": step.compensate.name,
            "text": step.compensate.text,
            "record": _list(step.compensate.record),
        })
    data.update(
        retry=step.retry.to_dict(),
        timeout_ms=step.timeout_ms,
        latency_ms=list(step.latency_ms),
        failure_reason=step.failure_reason,
        events={"succeeded": events.succeeded, "failed": events.failed,
                "compensated": events.compensated},
    )
    return data


def _list(pair: tuple[str, str] | None) -> list[str] | None:
    return None if pair is None else list(pair)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _read(path: Path) -> Any:
    if path.suffix not in SUFFIXES:
        raise InvalidScenarioFile(
            f"{path}: a scenario file must end in {' or '.join(SUFFIXES)}, not {path.suffix!r}"
        )
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidScenarioFile(f"{path}: no such scenario file") from None
    except OSError as exc:
        raise InvalidScenarioFile(f"{path}: cannot read it ({exc.strerror})") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidScenarioFile(f"{path}: expected UTF-8 text ({exc.reason})") from exc
    try:
        if path.suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidScenarioFile(f"{path}: not valid TOML: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InvalidScenarioFile(
            f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc


class _Reader:
    """Checks each field's type and range, naming the file and field path when one is wrong."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InvalidScenarioFile:
        return InvalidScenarioFile(f"{self.source}: {where}: {message}")

    def expected(self, where: str, what: str, value: Any) -> InvalidScenarioFile:
        return self.fail(where, f"expected {what}, got {_show(value)}")

    # -- shapes -------------------------------------------------------------------------------
    def table(self, value: Any, where: str, fields: tuple[str, ...],
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.expected(where, "a table", value)
        for key in value:
            if key not in fields:
                raise self.fail(
                    f"{where}.{key}" if where else key,
                    f"unknown field; valid fields here: {', '.join(fields)}",
                )
        for key in required:
            if key not in value:
                raise self.fail(where or "top level", f"missing required field {key!r}")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.expected(where, "a non-empty string", value)
        return value

    def integer(self, value: Any, where: str, minimum: int = 0) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise self.expected(where, f"an integer ≥ {minimum}", value)
        return value

    def number(self, value: Any, where: str, minimum: float) -> float:
        if not isinstance(value, int | float) or isinstance(value, bool) or value < minimum:
            raise self.expected(where, f"a number ≥ {minimum:g}", value)
        return float(value)

    def span(self, value: Any, where: str) -> tuple[int, int]:
        what = "a range [low, high] of milliseconds with 0 ≤ low ≤ high"
        if not isinstance(value, list) or len(value) != 2:
            raise self.expected(where, what, value)
        low, high = (self.integer(v, f"{where}[{i}]") for i, v in enumerate(value))
        if low > high:
            raise self.expected(where, what, value)
        return low, high

    def record(self, value: Any, where: str) -> tuple[str, str]:
        what = 'a pair ["record key", "STATUS"] of strings'
        if not isinstance(value, list) or len(value) != 2:
            raise self.expected(where, what, value)
        return self.text(value[0], f"{where}[0]"), self.text(value[1], f"{where}[1]")

    def items(self, value: Any, where: str, what: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.expected(where, what, value)
        return value

    # -- the saga -----------------------------------------------------------------------------
    def saga(self, data: Any) -> Saga:
        data = self.table(data, "", SAGA_FIELDS, required=("name", "steps"))
        kwargs: dict[str, Any] = {}
        for key in ("title", "subject", "description", "start_message"):
            if key in data:
                kwargs[key] = self.text(data[key], key)
        if "services" in data:
            kwargs["services"] = self.services(data["services"])
        if "completion" in data:
            kwargs["completion"] = self.completion(data["completion"])
        if "timing" in data:
            kwargs["timing"] = self.timing(data["timing"])
        if "side_subscribers" in data:
            kwargs["side_subscribers"] = self.side_subscribers(data["side_subscribers"])
        steps = self.items(data["steps"], "steps", "a list of step tables ([[steps]])")
        if not steps:
            raise self.expected("steps", "at least one step", steps)
        name = self.text(data["name"], "name")
        built = [self.step(step, f"steps[{i}]") for i, step in enumerate(steps)]
        try:
            return Saga(name, built, **kwargs)
        except InvalidDefinition as exc:
            raise InvalidScenarioFile(f"{self.source}: {exc}") from exc

    def services(self, value: Any) -> dict[str, dict[str, int]]:
        if not isinstance(value, dict):
            raise self.expected("services", "a table of services, each a table of accounts", value)
        services: dict[str, dict[str, int]] = {}
        for name, accounts in value.items():
            where = f"services.{name}"
            if not isinstance(accounts, dict):
                raise self.expected(where, "a table of account = opening balance", accounts)
            services[name] = {
                account: self.integer(balance, f"{where}.{account}")
                for account, balance in accounts.items()
            }
        return services

    def completion(self, value: Any) -> Completion:
        data = self.table(value, "completion", COMPLETION_FIELDS, required=("text",))
        kwargs: dict[str, Any] = {"text": self.text(data["text"], "completion.text")}
        if "record" in data:
            kwargs["record"] = self.record(data["record"], "completion.record")
        if "event" in data:
            kwargs["event"] = self.text(data["event"], "completion.event")
        return Completion(**kwargs)

    def timing(self, value: Any) -> Timing:
        data = self.table(value, "timing", TIMING_FIELDS)
        kwargs: dict[str, Any] = {}
        for key in ("bus_hop_ms", "decision_ms"):
            if key in data:
                kwargs[key] = self.span(data[key], f"timing.{key}")
        for key in ("ack_timeout_ms", "restart_ms"):
            if key in data:
                kwargs[key] = self.integer(data[key], f"timing.{key}", minimum=1)
        return Timing(**kwargs)

    def side_subscribers(self, value: Any) -> dict[str, tuple[str, ...]]:
        what = "a table of event name = [subscriber, ...]"
        if not isinstance(value, dict):
            raise self.expected("side_subscribers", what, value)
        subscribers: dict[str, tuple[str, ...]] = {}
        for event, names in value.items():
            where = f"side_subscribers.{event}"
            names = self.items(names, where, "a list of subscriber names")
            subscribers[event] = tuple(self.text(n, f"{where}[{i}]") for i, n in enumerate(names))
        return subscribers

    def step(self, value: Any, where: str) -> Step:
        data = self.table(value, where, STEP_FIELDS, required=("name", "service", "action"))
        name = self.text(data["name"], f"{where}.name")
        kwargs: dict[str, Any] = {}
        if "compensate" in data:
            kwargs["compensate"] = self.compensation(data["compensate"], f"{where}.compensate")
        if "retry" in data:
            kwargs["retry"] = self.retry(data["retry"], f"{where}.retry")
        if "timeout_ms" in data:
            kwargs["timeout_ms"] = self.integer(data["timeout_ms"], f"{where}.timeout_ms", 1)
        if "latency_ms" in data:
            kwargs["latency_ms"] = self.span(data["latency_ms"], f"{where}.latency_ms")
        if "failure_reason" in data:
            kwargs["failure_reason"] = self.text(data["failure_reason"], f"{where}.failure_reason")
        step = Step(
            name,
            self.text(data["service"], f"{where}.service"),
            self.action(data["action"], f"{where}.action"),
            **kwargs,
        )
        if "events" in data:
            step = replace(step, events=self.events(data["events"], f"{where}.events", step))
        return step

    def action(self, value: Any, where: str) -> Action:
        data = self.table(value, where, ACTION_FIELDS, required=("name", "text"))
        moves = tuple(
            self.move(move, f"{where}.moves[{i}]")
            for i, move in enumerate(self.items(data.get("moves", []), f"{where}.moves",
                                                "a list of moves {source, target, amount}"))
        )
        record = self.record(data["record"], f"{where}.record") if "record" in data else None
        return Action(self.text(data["name"], f"{where}.name"),
                      self.text(data["text"], f"{where}.text"), moves, record)

    def compensation(self, value: Any, where: str) -> Action:
        if isinstance(value, dict) and "moves" in value:
            raise self.fail(
                f"{where}.moves",
                "a compensation has no moves of its own: it reverses its step's moves",
            )
        data = self.table(value, where, COMPENSATION_FIELDS, required=("name", "text"))
        record = self.record(data["record"], f"{where}.record") if "record" in data else None
        return Action(self.text(data["name"], f"{where}.name"),
                      self.text(data["text"], f"{where}.text"), record=record)

    def move(self, value: Any, where: str) -> Move:
        data = self.table(value, where, MOVE_FIELDS, required=MOVE_FIELDS)
        return Move(
            self.text(data["source"], f"{where}.source"),
            self.text(data["target"], f"{where}.target"),
            self.integer(data["amount"], f"{where}.amount", minimum=1),
        )

    def retry(self, value: Any, where: str) -> RetryPolicy:
        data = self.table(value, where, RETRY_FIELDS)
        kwargs: dict[str, Any] = {}
        if "max_attempts" in data:
            kwargs["max_attempts"] = self.integer(data["max_attempts"], f"{where}.max_attempts", 1)
        if "initial_interval_ms" in data:
            kwargs["initial_interval_ms"] = self.integer(
                data["initial_interval_ms"], f"{where}.initial_interval_ms"
            )
        if "backoff_coefficient" in data:
            kwargs["backoff_coefficient"] = self.number(
                data["backoff_coefficient"], f"{where}.backoff_coefficient", 1
            )
        if "max_interval_ms" in data:
            kwargs["max_interval_ms"] = self.integer(
                data["max_interval_ms"], f"{where}.max_interval_ms"
            )
        try:
            return RetryPolicy(**kwargs)
        except InvalidDefinition as exc:
            raise self.fail(where, str(exc)) from exc

    def events(self, value: Any, where: str, step: Step) -> StepEvents:
        """Events named in the file; any left out keep the name derived from the step's name."""
        data = self.table(value, where, EVENT_FIELDS)
        derived = step.event_names()
        return StepEvents(*(
            self.text(data[key], f"{where}.{key}") if key in data else getattr(derived, key)
            for key in EVENT_FIELDS
        ))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True
