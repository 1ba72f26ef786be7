"""The Socket.IO API: four messages a client sends, three the server sends back.

Client → server, each answered by an ack `{ok: true, ...}` or `{ok: false, error: {code,
reason}}`: `start`, `control`, `inject`, `reattach`. Server → client: `saga_event` (one per engine
event, in `seq` order), `run_state`, `error`. A bad message is answered both ways: its ack says
what was wrong, and an `error` event (carrying `message`, the name of the message it answers)
reaches clients that did not ask for an ack. The server never falls over on a bad message.
docs/API.md is the reference; each handler's docstring names who sends it and what it emits.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request

from .errors import ApiError
from .extensions import get_runner, get_socket_server, socketio
from .params import (
    DEFAULT_MODE,
    SPEEDS,
    RunInputs,
    check_bool,
    check_failures,
    check_mode,
    check_scenario,
    check_seed,
    check_speed,
    default_scenario,
)
from .runner import ACTIONS, random_seed

log = logging.getLogger(__name__)

MESSAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (required fields, optional fields)
    "start": ((), ("mode", "scenario", "failures", "seed", "speed", "autoplay")),
    "control": (("run_id", "action"), ("speed",)),
    "inject": (("run_id", "failure"), ()),
    "reattach": (("run_id", "token", "last_seq"), ()),
}
MAX_ID_LENGTH = 100


def message(name: str) -> Callable:
    """Register a handler for `name`: rate, size and shape are checked before it runs, and
    whatever it raises becomes an error ack plus an `error` event."""
    required, optional = MESSAGES[name]

    def decorate(handle: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable:
        @socketio.on(name)
        @wraps(handle)
        def handler(*args: Any) -> dict[str, Any]:
            return answer(name, lambda: handle(read_payload(name, args, required, optional)))

        return handle

    return decorate


def answer(name: str, act: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    runner, sid = get_runner(), request.sid
    try:
        runner.admit(sid)
        return {"ok": True, **act()}
    except ApiError as exc:
        error = exc
    except Exception:  # noqa: BLE001 - a bug answers this client; everyone else goes on
        log.exception("handling %r failed", name)
        error = ApiError("internal", f"the server failed while handling {name!r}; it carries on")
    runner.emit("error", error.event(name), sid)
    return {"ok": False, "error": error.to_dict()}


def read_payload(
    name: str, args: tuple, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Any]:
    """The message's one object argument, checked for size, unknown and missing fields."""
    fields = ", ".join((*required, *optional))
    limit = get_runner().limits.message_bytes
    size = len(json.dumps(args, default=_measure))
    if size > limit:
        raise ApiError("too_large", f"{name!r} is {size} bytes; messages are at most {limit} "
                       "bytes")
    if len(args) != 1 or not isinstance(args[0], dict):
        raise ApiError("bad_payload", f"{name!r} takes one object with the fields: {fields}")
    payload = args[0]
    unknown = sorted(str(k)[:40] for k in payload if k not in (*required, *optional))
    if unknown:
        raise ApiError("bad_payload", f"unknown field {unknown[0]!r} in {name!r}; valid fields: "
                       f"{fields}")
    missing = [f for f in required if f not in payload]
    if missing:
        raise ApiError("bad_payload", f"{name!r} needs the field {missing[0]!r}; fields: "
                       f"{fields}")
    return payload


@message("start")
def start(p: dict[str, Any]) -> dict[str, Any]:
    """Client → server: start a run {mode, scenario, failures, seed, speed, autoplay}.
    Emits `run_state` (ready, then playing with autoplay) and, as it plays, `saga_event`s.
    Acks {run_id, token, seed, run_state}: keep the token to `reattach` after a reconnect."""
    scenario = p.get("scenario", default_scenario())
    saga = check_scenario(scenario)
    mode = check_mode(p.get("mode", DEFAULT_MODE))
    failures = check_failures(p.get("failures", []), saga)
    seed = check_seed(p.get("seed"))
    speed = check_speed(p.get("speed", SPEEDS["default"]))
    autoplay = check_bool(p.get("autoplay", False), "autoplay")
    inputs = RunInputs(scenario, mode, failures, random_seed() if seed is None else seed)
    live = get_runner().start(request.sid, inputs, speed, autoplay)
    return {"run_id": live.run_id, "token": live.token, "seed": inputs.seed,
            "run_state": live.state_payload()}


@message("control")
def control(p: dict[str, Any]) -> dict[str, Any]:
    """Client → server: {run_id, action, speed?} on a run it owns. play (optionally at a new
    speed), pause, step (exactly one engine transition, then paused), reset (the same inputs
    from the start under a new run_id and token, in the ack), speed (needs `speed`).
    Emits `run_state`, and `saga_event`s for what a step or the playing run produces."""
    run_id = _run_id(p["run_id"])
    action = p["action"]
    if action not in ACTIONS:
        raise ApiError("bad_payload", f"action {str(action)[:40]!r} is not an action; valid "
                       f"actions: {', '.join(ACTIONS)}", run_id)
    speed = None
    if "speed" in p:
        if action not in ("play", "speed"):
            raise ApiError("bad_payload", f"speed goes with the play or speed actions, not "
                           f"{action}", run_id)
        speed = check_speed(p["speed"])
    elif action == "speed":
        raise ApiError("bad_payload", "the speed action needs a speed: a number from "
                       f"{SPEEDS['min']:g} to {SPEEDS['max']:g}, or \"max\"", run_id)
    return get_runner().control(request.sid, run_id, action, speed)


@message("inject")
def inject(p: dict[str, Any]) -> dict[str, Any]:
    """Client → server: {run_id, failure} arms a failure spec STEP[:KIND[:N]] in a run it owns
    that has not finished. Emits the `failure.injected` `saga_event`; acks {run_id, seq}."""
    return get_runner().inject(request.sid, _run_id(p["run_id"]), p["failure"])


@message("reattach")
def reattach(p: dict[str, Any]) -> dict[str, Any]:
    """Client → server after a reconnect: {run_id, token, last_seq} takes the run over from the
    old connection. Re-emits every `saga_event` after `last_seq`, then `run_state`;
    acks {run_id, resent, run_state}."""
    run_id = _run_id(p["run_id"])
    token, last_seq = p["token"], p["last_seq"]
    if not isinstance(token, str) or not 0 < len(token) <= MAX_ID_LENGTH:
        raise ApiError("bad_payload", "token must be the string the start (or reset) ack gave",
                       run_id)
    if isinstance(last_seq, bool) or not isinstance(last_seq, int) or last_seq < 0:
        raise ApiError("bad_payload", "last_seq must be a whole number: the seq of the last "
                       "event received, 0 for none", run_id)
    return get_runner().reattach(request.sid, run_id, token, last_seq)


@socketio.on("*")
def unknown(event: str, *args: Any) -> dict[str, Any]:
    """Client → server, any other event name: answered with `unknown_message`."""
    def refuse() -> dict[str, Any]:
        raise ApiError("unknown_message", f"there is no message {str(event)[:40]!r}; valid "
                       f"messages: {', '.join(MESSAGES)}")

    return answer(str(event), refuse)


def name_literal_star_events(server: Any) -> None:
    """python-socketio hands an event literally named "*" to the catch-all handler without its
    name, so Flask-SocketIO's wrapper takes the payload for the connection id and fails before
    `unknown` runs. Give it its name back, so it is answered like any unknown message."""
    find = getattr(server, "_get_event_handler", None)
    if find is None:  # a python-socketio that resolves handlers some other way
        return

    def get_event_handler(event: Any, namespace: str, args: tuple) -> tuple[Any, tuple]:
        handler, args = find(event, namespace, args)
        if event == "*" and handler is not None:
            args = (event, *args)
        return handler, args

    server._get_event_handler = get_event_handler


@socketio.on("connect")
def connect(auth: Any = None) -> None:
    """A browser connects: nothing is emitted until it starts a run."""
    get_runner().ensure_reaper()


@socketio.on("disconnect")
def disconnect(*args: Any) -> None:
    """The connection closed: its runs wait for a `reattach` before they are reaped.
    (A client may also send an event named "disconnect": it is still connected, so it is
    ignored.)"""
    if get_socket_server().manager.is_connected(request.sid, "/"):
        return
    get_runner().disconnect(request.sid)


def _run_id(value: Any) -> str:
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH:
        return value
    raise ApiError("bad_payload", "run_id must be the string the start ack gave")


def _measure(value: Any) -> str:
    """Binary attachments count by their length."""
    return "?" * len(value) if isinstance(value, bytes | bytearray) else repr(value)
