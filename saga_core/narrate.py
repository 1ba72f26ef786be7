"""Plain-English sentences for events, built from the definition's verb phrases."""

from __future__ import annotations

from functools import lru_cache


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
