"""Built-in scenarios, by name."""

from __future__ import annotations

from collections.abc import Callable

from ..definition import Saga
from ..errors import InvalidRequest
from .checkout import checkout
from .onboarding import onboarding
from .travel import travel

BUILT_IN: dict[str, Callable[[], Saga]] = {
    "checkout": checkout,
    "travel": travel,
    "onboarding": onboarding,
}
DEFAULT = "checkout"


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
