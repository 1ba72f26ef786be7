"""Where the app's settings come from, and the check that turns a bad one into a sentence
before anything starts: `test_config` when given, else instance/config.py and then environment
variables of the same names (JSON, or plain text)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Config

from . import security
from .limits import Limits

DEFAULTS: dict[str, Any] = {
    # A SQLite file for the run history; None: instance/history.sqlite; ":memory:": no file.
    "SAGASCOPE_HISTORY": None,
    # Overrides of webapp.limits.Limits, e.g. {"runs_per_client": 8}.
    "SAGASCOPE_LIMITS": {},
    # Who may frame the pages (a CSP source list): / and the API, then /embed.
    "SAGASCOPE_FRAME_ANCESTORS": security.DEFAULT_FRAME_ANCESTORS,
    "SAGASCOPE_EMBED_FRAME_ANCESTORS": security.DEFAULT_EMBED_FRAME_ANCESTORS,
    # Origins allowed to open a Socket.IO connection; None: only the page's own origin.
    "SAGASCOPE_CORS_ORIGINS": None,
    # Where index.html and embed.html live; None: the templates that ship with the app.
    "SAGASCOPE_TEMPLATE_FOLDER": None,
}


@dataclass(frozen=True)
class Settings:
    """The checked values the app is built from."""

    limits: Limits
    frame_ancestors: str
    embed_frame_ancestors: str


def load(config: Config, test_config: Mapping[str, Any] | None) -> None:
    """Fill `config`: the defaults, then `test_config`, or else the instance file and the
    environment."""
    config.from_mapping(DEFAULTS)
    if test_config is None:
        config.from_pyfile("config.py", silent=True)
        _read_environment(config)
    else:
        config.update(test_config)


def check(config: Mapping[str, Any]) -> Settings:
    """The settings, or a ValueError that names the bad key and what is valid."""
    return Settings(
        limits=Limits.from_config(config["SAGASCOPE_LIMITS"]),
        frame_ancestors=security.check_source_list(
            config["SAGASCOPE_FRAME_ANCESTORS"], "SAGASCOPE_FRAME_ANCESTORS"),
        embed_frame_ancestors=security.check_source_list(
            config["SAGASCOPE_EMBED_FRAME_ANCESTORS"], "SAGASCOPE_EMBED_FRAME_ANCESTORS"),
    )


def _read_environment(config: Config) -> None:
    for key in DEFAULTS:
        if key in os.environ:
            text = os.environ[key]
            try:
                config[key] = json.loads(text)
            except ValueError:
                config[key] = text
