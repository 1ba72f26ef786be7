"""docs/API.md is the reference a client author reads: each of its tables lists exactly the
messages, error codes, limits and configuration keys the server has, no more and no fewer."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from webapp import DEFAULTS
from webapp.errors import CODES
from webapp.limits import Limits
from webapp.socket_api import MESSAGES

API = (Path(__file__).resolve().parent.parent / "docs" / "API.md").read_text()


def section(heading: str) -> str:
    """The text under `heading`, up to the next heading of any level."""
    body = API.split(f"\n{heading}\n", 1)[1]
    return re.split(r"^#+ ", body, maxsplit=1, flags=re.M)[0]


def first_column(heading: str) -> list[str]:
    """The names in backticks that start the rows of the section's tables, in order."""
    cells = re.findall(r"^\| (`[^|]*) \|", section(heading), re.M)
    return [name for cell in cells for name in re.findall(r"`(\w+)`", cell)]


def test_the_api_reference_lists_every_error_code_and_nothing_else():
    assert first_column("### Errors") == list(CODES)


def test_the_api_reference_lists_every_message_and_nothing_else():
    assert first_column("### Client → server") == list(MESSAGES)


def test_the_api_reference_lists_every_limit_with_its_default_and_nothing_else():
    assert first_column("### Ownership and limits") == [f.name for f in fields(Limits)]
    for limit in fields(Limits):
        default = getattr(Limits(), limit.name)
        assert re.search(rf"`{limit.name}`[^|]*\| [^|]*{default:g}", API), limit.name


def test_the_api_reference_lists_every_setting_and_nothing_else():
    assert first_column("## Configuration") == list(DEFAULTS)
