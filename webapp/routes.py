"""HTTP routes: the explainer page, its embeddable twin, and the JSON API.

The pages never answer 400: a bad parameter falls back to its default and the page says why
(`config.error`), so a mistyped link still teaches. The API answers 400 with the valid values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, jsonify, render_template, request
from werkzeug.datastructures import MultiDict

from saga_core import MODES, HistoryError, Run, SagaDidNotTerminate

from .catalog import catalog
from .errors import ApiError
from .extensions import get_runner
from .params import (
    DEFAULT_MODE,
    MAX_FAILURES,
    SPEEDS,
    bool_from_text,
    check_failure,
    check_mode,
    check_scenario,
    default_scenario,
    speed_from_text,
    whole_from_text,
)

PAGE_MODES = (*MODES, "compare")
"""`compare` shows the modes side by side; it is a page layout, not an engine mode."""
TRACE_PARAMETERS = ("mode", "fail", "seed", "scenario")
RUNS_LISTED = 200
MAX_CURSOR = 1_000_000

pages = Blueprint("pages", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


# -- pages --------------------------------------------------------------------------------------
@pages.get("/")
def index():
    return render_template("index.html", config_json=config_json(page_config(request.args, False)))


@pages.get("/embed")
def embed():
    return render_template("embed.html", config_json=config_json(page_config(request.args, True)))


def page_config(args: MultiDict, embedded: bool) -> dict[str, Any]:
    """The page's whole starting state; each bad parameter keeps its default and adds a
    sentence to `error`."""
    problems: list[str] = []

    def read(name: str, parse: Callable[[str], Any], default: Any) -> Any:
        if name not in args:
            return default
        try:
            return parse(args[name])
        except ApiError as exc:
            problems.append(_sentence(exc.reason))
            return default

    scenario = read("scenario", _scenario_name, default_scenario())
    saga = check_scenario(scenario)
    failures = []
    for text in args.getlist("fail")[:MAX_FAILURES]:
        try:
            failures.append(check_failure(text, saga))
        except ApiError as exc:
            problems.append(_sentence(f"ignored a failure: {exc.reason}"))
    if len(args.getlist("fail")) > MAX_FAILURES:
        problems.append(_sentence(f"only the first {MAX_FAILURES} failures were kept"))
    return {
        "mode": read("mode", _page_mode, DEFAULT_MODE),
        "scenario": scenario,
        "failures": failures,
        "seed": read("seed", lambda v: whole_from_text(v, "seed"), None),
        "speed": read("speed", speed_from_text, SPEEDS["default"]),
        "autoplay": read("autoplay", lambda v: bool_from_text(v, "autoplay"), False),
        "cursor": read("cursor", lambda v: whole_from_text(v, "cursor", MAX_CURSOR), 0),
        "embed": embedded,
        "error": " ".join(problems) or None,
        "scenarios": catalog(),
    }


def config_json(config: dict[str, Any]) -> str:
    """JSON that is also safe inside an HTML attribute or a `<script type=application/json>`:
    the characters HTML gives meaning to are written as JSON escapes."""
    text = json.dumps(config, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return text


def _scenario_name(value: str) -> str:
    check_scenario(value)
    return value


def _page_mode(value: str) -> str:
    if value in PAGE_MODES:
        return value
    raise ApiError("bad_payload", f"mode {value[:60]!r} is not a mode; valid modes: "
                   f"{', '.join(PAGE_MODES)}")


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- API ----------------------------------------------------------------------------------------
@api.get("/scenarios")
def scenarios():
    return jsonify(catalog())


@api.get("/trace")
def trace():
    """The whole run's events, the same dicts as `sagascope trace --json`."""
    args = request.args
    unknown = sorted(set(args) - set(TRACE_PARAMETERS))
    if unknown:
        raise ApiError("bad_payload", f"unknown parameter {unknown[0]!r}; valid parameters: "
                       f"{', '.join(TRACE_PARAMETERS)}")
    scenario = args.get("scenario", default_scenario())
    saga = check_scenario(scenario)
    mode = check_mode(args.get("mode", DEFAULT_MODE))
    seed = whole_from_text(args["seed"], "seed") if "seed" in args else 0
    texts = args.getlist("fail")
    if len(texts) > MAX_FAILURES:
        raise ApiError("bad_payload", f"{len(texts)} failures given; at most {MAX_FAILURES}")
    failures = [check_failure(text, saga) for text in texts]
    limits = get_runner().limits
    run = Run(saga, mode, seed=seed, failures=failures, scenario=scenario,
              max_transitions=limits.transitions_per_run)
    try:
        run.run_to_end()
    except SagaDidNotTerminate as exc:
        raise ApiError("transition_limit", str(exc)) from None
    return jsonify({"events": [e.to_dict() for e in run.events], "outcome": run.outcome})


@api.get("/runs")
def runs():
    """The runs in the history store (they survive a restart with the SQLite store)."""
    runner = get_runner()
    records = runner.store.runs()[-RUNS_LISTED:]
    return jsonify({"runs": [
        {**r.to_dict(), "live": runner.get(r.run_id) is not None} for r in records
    ]})


@api.get("/runs/<run_id>")
def run_history(run_id: str):
    """One recorded run and its events, to replay it."""
    store = get_runner().store
    try:
        record, events = store.record(run_id), store.events(run_id)
    except HistoryError:
        return _error(ApiError("unknown_run", f"there is no run {run_id[:40]!r} in the history; "
                               "GET /api/runs lists the recorded runs"), 404)
    return jsonify({"run": record.to_dict(), "events": [e.to_dict() for e in events]})


def healthz():
    return jsonify({"status": "ok", "live_runs": len(get_runner())})


def _error(exc: ApiError, status: int = 400):
    return jsonify({"error": exc.to_dict()}), status


def register(app: Flask) -> None:
    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.add_url_rule("/healthz", "healthz", healthz)

    @app.errorhandler(ApiError)
    def refuse(exc: ApiError):
        return _error(exc)

    @app.errorhandler(404)
    def not_found(exc):
        if request.path.startswith("/api/"):
            return _error(ApiError("bad_payload", f"there is no API route {request.path[:80]}; "
                                   "routes: /api/scenarios, /api/trace, /api/runs, "
                                   "/api/runs/<run_id>"), 404)
        return exc
