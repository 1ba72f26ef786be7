"""The one error shape the server answers with, over HTTP and Socket.IO alike."""

from __future__ import annotations

from typing import Any

CODES: dict[str, str] = {
    "bad_payload": "the message is not an object, has an unknown or missing field, or a bad value",
    "bad_failure_spec": "a failure spec does not parse or names an unknown step or kind",
    "unknown_message": "the event name is not part of the API",
    "unknown_run": "no live run has this id (it never existed, finished long ago or was reaped)",
    "not_your_run": "the run belongs to another connection",
    "bad_token": "the reattach token does not match the run",
    "run_finished": "the run has finished; reset it or start a new one",
    "too_large": "the message is larger than the server accepts",
    "too_fast": "the connection sends messages faster than the server accepts",
    "too_many_failures": "the run already has as many injected failures as allowed",
    "server_busy": "the server already runs as many sagas as it allows",
    "transition_limit": "the run reached its transition budget and was stopped",
    "run_retired": "the server retired the run (its owner started more runs, or it sat idle)",
    "internal": "the server failed; the run was stopped and the server carries on",
}


class ApiError(Exception):
    """A request the server refuses: a machine-readable code and a sentence that says what is
    valid. `run_id` names the run concerned, when there is one."""

    def __init__(self, code: str, reason: str, run_id: str | None = None) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}; valid codes: {', '.join(CODES)}")
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.run_id = run_id

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "reason": self.reason}

    def event(self, message: str | None = None) -> dict[str, Any]:
        """The payload of the `error` event: the code, the reason, the run and the message."""
        payload: dict[str, Any] = {"code": self.code, "reason": self.reason}
        if self.run_id is not None:
            payload["run_id"] = self.run_id
        if message is not None:
            payload["message"] = message
        return payload
