"""Scenarios: the built-in sagas by name, scenario files (`files`: TOML or JSON), and `resolve`,
the one place that turns what a user typed (a name or a file) into a saga."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..definition import Saga
from ..errors import InvalidRequest
from .checkout import checkout
from .files import SUFFIXES, InvalidScenarioFile, load_scenario_file
from .onboarding import onboarding
from .travel import travel

BUILT_IN: dict[str, Callable[[], Saga]] = {
    "checkout": checkout,
    "travel": travel,
    "onboarding": onboarding,
}
DEFAULT = "checkout"

__all__ = ["BUILT_IN", "DEFAULT", "InvalidScenarioFile", "load_scenario", "load_scenario_file",
           "resolve", "scenario_names"]


def scenario_names() -> list[str]:
    return list(BUILT_IN)


def load_scenario(name: str) -> Saga:
    """A built-in scenario by name, or an error naming the valid ones."""
    try:
        return BUILT_IN[name]()
    except KeyError:
        raise InvalidRequest(
            f"unknown scenario {name!r}; valid scenarios: {', '.join(BUILT_IN)}"
        ) from None


def resolve(name_or_file: str | None) -> Saga:
    """A `.toml`/`.json` scenario file, or a built-in scenario by name (None: the default)."""
    name = name_or_file or DEFAULT
    path = Path(name)
    if path.suffix in SUFFIXES:
        return load_scenario_file(path)
    return load_scenario(name)
