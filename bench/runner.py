"""Runs the sections in order, each one isolated: a section that cannot run (a peer or a subject
missing, an error) leaves its figures null with the reason, and the others still run."""

from __future__ import annotations

import os
import platform
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from . import engine
from .chart import TITLE, throughput_svg
from .measure import CLOCK_NAME, Budget, Unavailable
from .report import fill_missing

Section = Callable[[Budget, bool], dict[str, Any]]


def _engine(budget: Budget, quick: bool) -> dict[str, Any]:
    return engine.measure(budget)


def _durable(budget: Budget, quick: bool) -> dict[str, Any]:
    from . import durable

    return durable.measure(budget, quick)


def _recovery(budget: Budget, quick: bool) -> dict[str, Any]:
    try:
        from . import recovery
    except ImportError as exc:
        reason = f"the recovery measurement (bench/recovery.py) is missing: {exc}"
        raise Unavailable(reason) from exc
    return recovery.measure(quick)


def _server(budget: Budget, quick: bool) -> dict[str, Any]:
    from . import server

    return server.measure(quick)


def _browser(budget: Budget, quick: bool) -> dict[str, Any]:
    from . import browser

    return browser.measure(quick)


RUNNERS: dict[str, Section] = {
    "engine": _engine,
    "durable": _durable,
    "recovery": _recovery,
    "server": _server,
    "browser": _browser,
}
SECTIONS = tuple(RUNNERS)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "cpu": model or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def run_all(
    *, quick: bool, only: list[str] | None, chart: Path | None, log: TextIO
) -> dict[str, Any]:
    budget = Budget.for_run(quick)
    results: dict[str, Any] = {
        "quick": quick,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rates_timed_by": {
            "engine, durable": CLOCK_NAME,
            "recovery, server, browser": "wall-clock time",
        },
        "seconds": {},
    }
    why_missing: dict[str, str] = {}
    for name, section in RUNNERS.items():
        if only and name not in only:
            why_missing[name] = f"the {name} section was not run (--only {' '.join(only)})"
            continue
        print(f"bench: {name}…", file=log, flush=True)
        began = time.perf_counter()
        try:
            results[name] = section(budget, quick)
        except Unavailable as exc:
            why_missing[name] = str(exc)
        except Exception as exc:  # one broken section must not hide the others' figures
            traceback.print_exc(file=log)
            why_missing[name] = f"the {name} section failed: {type(exc).__name__}: {exc}"
        results["seconds"][name] = round(time.perf_counter() - began, 1)
    fill_missing(results, why_missing)
    if chart is not None:
        chart.parent.mkdir(parents=True, exist_ok=True)
        chart.write_text(throughput_svg(results, TITLE), "utf-8")
        results["chart"] = str(chart)
    return results
