"""What a run is made of (scenario, mode, failures, seed, speed) and how each value is checked,
for URL parameters and socket payloads alike. Every refusal names the valid values.

Only built-in scenarios are reachable from the web: a name is looked up, never opened as a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from saga_core import (
    MODES,
    InvalidFailureSpec,
    InvalidRequest,
    Saga,
    load_scenario,
    parse_failure,
    scenario_names,
)

from .errors import ApiError

SPEEDS: dict[str, float] = {"min": 0.25, "max": 8, "default": 1}
MAX_SPEED = "max"
MAX_SEED = 2**53 - 1
"""Seeds stay exact in JavaScript numbers."""
MAX_FAILURES = 10
DEFAULT_MODE = MODES[0]
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")

Speed = float | int | str


@dataclass(frozen=True)
class RunInputs:
    """Everything that determines a run's events: same inputs, same events."""

    scenario: str
    mode: str
    failures: tuple[str, ...]
    seed: int

    @property
    def saga(self) -> Saga:
        return load_scenario(self.scenario)


def default_scenario() -> str:
    return scenario_names()[0]


def check_mode(value: Any, field: str = "mode") -> str:
    if isinstance(value, str) and value in MODES:
        return value
    raise ApiError("bad_payload", f"{field} {_show(value)} is not a mode; valid modes: "
                   f"{', '.join(MODES)}")


def check_scenario(value: Any, field: str = "scenario") -> Saga:
    if isinstance(value, str):
        try:
            return load_scenario(value)
        except InvalidRequest:
            pass
    raise ApiError("bad_payload", f"{field} {_show(value)} is not a scenario; valid scenarios: "
                   f"{', '.join(scenario_names())}")


def check_failure(value: Any, saga: Saga) -> str:
    """One failure spec, returned as the text that was given (trimmed)."""
    try:
        parse_failure(value, saga.step_names)
    except InvalidFailureSpec as exc:
        raise ApiError("bad_failure_spec", str(exc)) from None
    return value.strip()


def check_failures(values: Any, saga: Saga, field: str = "failures") -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise ApiError("bad_payload", f"{field} must be a list of failure specs "
                       f"STEP[:KIND[:N]], not {_show(values)}")
    if len(values) > MAX_FAILURES:
        raise ApiError("bad_payload", f"{field} has {len(values)} failure specs; at most "
                       f"{MAX_FAILURES} are allowed")
    return tuple(check_failure(v, saga) for v in values)


def check_seed(value: Any, field: str = "seed") -> int | None:
    """A whole number 0 to 2**53-1, or None to let the server choose one."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SEED:
        return value
    raise ApiError("bad_payload", f"{field} {_show(value)} is not a seed; a seed is a whole "
                   f"number from 0 to {MAX_SEED} (or null to let the server choose)")


def check_speed(value: Any, field: str = "speed") -> Speed:
    """A multiple of the teaching pace (1 ≈ one transition a second) or "max"."""
    if value == MAX_SPEED:
        return MAX_SPEED
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and SPEEDS["min"] <= value <= SPEEDS["max"]
    ):
        return value
    raise ApiError("bad_payload", f"{field} {_show(value)} is not a speed; valid speeds: a "
                   f"number from {SPEEDS['min']:g} to {SPEEDS['max']:g}, or \"max\"")


def check_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ApiError("bad_payload", f"{field} must be true or false, not {_show(value)}")


# -- URL parameters are text --------------------------------------------------------------------
def speed_from_text(text: str) -> Speed:
    if text == MAX_SPEED:
        return MAX_SPEED
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if number.is_integer():
        number = int(number)
    try:
        return check_speed(number)
    except ApiError:
        raise ApiError("bad_payload", f"speed {_show(text)} is not a speed; valid speeds: a "
                       f"number from {SPEEDS['min']:g} to {SPEEDS['max']:g}, or max") from None


def whole_from_text(text: str, field: str, limit: int = MAX_SEED) -> int:
    if text.isdigit() and int(text) <= limit:
        return int(text)
    raise ApiError("bad_payload", f"{field} {_show(text)} is not a whole number from 0 to {limit}")


def bool_from_text(text: str, field: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ApiError("bad_payload", f"{field} {_show(text)} is not a yes or no; valid values: "
                   f"{', '.join(TRUE_WORDS)} or {', '.join(w for w in FALSE_WORDS if w)}")


def _show(value: Any) -> str:
    """A short, safe rendering of what the client sent, for error sentences."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
