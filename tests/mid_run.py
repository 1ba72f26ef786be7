"""Arming failures part way through a run, as a client does between transitions."""

from __future__ import annotations

from collections.abc import Iterable

from saga_core import Run


def arm_along_the_way(run: Run, late: Iterable[tuple[int, str]]) -> None:
    """Step `run` until it holds `after` events, then arm `spec`, for each (after, spec) in
    order; stop arming once the run has finished."""
    for after, spec in late:
        while len(run.events) < after and not run.finished:
            run.step()
        if run.finished:
            break
        run.inject(spec)
