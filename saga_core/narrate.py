"""Plain-English sentences for events, built from the definition's verb phrases."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .definition import Step


@lru_cache(maxsize=4096)
def third_person(phrase: str) -> str:
    """'charge $42.00 to card c-1' → 'charges $42.00 to card c-1'."""
    verb, _, rest = phrase.partition(" ")
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        verb += "es"
    elif verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        verb = verb[:-1] + "ies"
    else:
        verb += "s"
    return f"{verb} {rest}" if rest else verb


def attempt_note(attempt: int, max_attempts: int) -> str:
    return "" if max_attempts == 1 else f" (attempt {attempt} of {max_attempts})"


def sentence(text: str) -> str:
    """Capitalise and end with a full stop, as the schema wants."""
    if text[:1].isupper() and text[-1:] == "." and not text[-2:-1].isspace():
        return text
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!")) else text + "."


@dataclass(frozen=True, slots=True)
class StepSentences:
    """The sentences that depend only on the step, built once per step, not once per event."""

    succeeded: str
    compensated: str
    asked: tuple[str, ...]
    """The orchestrator's request, per attempt (index 0 is attempt 1)."""
    asked_to_compensate: str


def step_sentences(step: Step) -> StepSentences:
    n = step.retry.max_attempts
    asks = tuple(
        sentence(f"The orchestrator asks {step.service} to {step.action.text}"
                 f"{attempt_note(a, n)}")
        for a in range(1, n + 1)
    )
    undo = step.compensate.text if step.compensate else f"undo {step.name}"
    return StepSentences(
        succeeded=sentence(f"{step.service} {third_person(step.action.text)}"),
        compensated=sentence(f"{step.service} {third_person(undo)}"),
        asked=asks,
        asked_to_compensate=sentence(f"The orchestrator asks {step.service} to {undo}"),
    )
