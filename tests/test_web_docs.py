"""docs/API.md is the reference a client author reads: it names every message, error code,
limit and configuration key the server has."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from webapp import DEFAULTS
from webapp.errors import CODES
from webapp.limits import Limits
from webapp.socket_api import MESSAGES

API = (Path(__file__).resolve().parent.parent / "docs" / "API.md").read_text()


def table_rows(heading: str) -> list[str]:
    section = API.split(heading, 1)[1]
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_the_api_reference_lists_every_error_code_and_nothing_else():
    documented = [re.match(r"\| `(\w+)`", row).group(1) for row in table_rows("### Errors")
                  if not row.startswith("| `SAGASCOPE")][:len(CODES)]
    assert documented == list(CODES)


def test_the_api_reference_lists_every_message_limit_and_setting():
    for name in MESSAGES:
        assert f"| `{name}` |" in API
    for limit in fields(Limits):
        assert f"`{limit.name}`" in API, limit.name
        default = getattr(Limits(), limit.name)
        assert re.search(rf"`{limit.name}`[^|]*\| [^|]*{default:g}", API), limit.name
    for key in DEFAULTS:
        assert f"| `{key}` |" in API, key
