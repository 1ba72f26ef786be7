"""Recovery: how long a crashed run takes to rebuild from its SQLite history, and what it stores.

A long history comes from a retry storm: a generated saga (built with the definition API) whose
every step fails transiently many times before it commits, then the coordinator crashes after
the last step. A child process records the run on a `SQLiteHistory` and really dies at that
crash (`os._exit`, nothing closed); recovery is then timed as a new process does it: open the
file, read the run's record, services and events, replay them against the definition (checking
every event) and stand ready to carry on. Goal: under 100 ms for 1 k events, under 1 s for 10 k.

Bytes per step: many checkout runs recorded in one file; the file's size once checkpointed,
divided by the steps committed, against the "~1 KB per saga step persisted" figure.

`python -m bench.recovery` prints the figures; `sagascope bench` includes them.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from saga_core import (
    MODES,
    Action,
    Move,
    RetryPolicy,
    Run,
    Saga,
    SQLiteHistory,
    Step,
    load_scenario,
)

TARGET_MS = {1_000: 100.0, 10_000: 1_000.0}
STEPS = {1_000: 10, 10_000: 50}
"""Steps of the generated saga for each history size; retries make up the rest."""
CRASHES = frozenset({"orchestrator.crashed", "consumer.crashed"})


def retry_storm_saga(steps: int, retries: int) -> Saga:
    """`steps` ledger services in a row, each step allowed `retries` retries, 10 ms apart."""
    services = {f"Ledger{i}": {"free": 1, "held": 0} for i in range(steps)}
    return Saga(
        "retry-storm",
        [
            Step(
                f"s{i}",
                f"Ledger{i}",
                Action(f"hold_{i}", f"hold unit {i}", moves=(Move("free", "held", 1),)),
                compensate=Action(f"release_{i}", f"release unit {i}") if i < steps - 1 else None,
                retry=RetryPolicy(max_attempts=retries + 1, initial_interval_ms=10,
                                  backoff_coefficient=1, max_interval_ms=10),
            )
            for i in range(steps)
        ],
        services=services,
        subject="a long-running ledger transfer",
    )


def storm_failures(steps: int, retries: int) -> list[str]:
    return [f"s{i}:transient:{retries}" for i in range(steps)] + [f"s{steps - 1}:crash"]


def storm_for(events: int, mode: str) -> tuple[Saga, list[str]]:
    """The generated saga and failures whose history reaches about `events` events."""
    steps = STEPS[events]
    probe = _history_length(steps, 1, mode)
    per_retry = _history_length(steps, 2, mode) - probe
    retries = max(1, min(100, round(1 + (events - probe) / per_retry)))
    return retry_storm_saga(steps, retries), storm_failures(steps, retries)


def _history_length(steps: int, retries: int, mode: str) -> int:
    run = Run(retry_storm_saga(steps, retries), mode, failures=storm_failures(steps, retries))
    return len(run.run_to_end())


DIED = 3


def record_until_crash(saga: Saga, mode: str, failures: list[str], path: Path) -> str:
    """Record a run on SQLite in a child process that really dies at the crash point."""
    child = multiprocessing.get_context("spawn").Process(
        target=_record_and_die, args=(saga, mode, failures, str(path))
    )
    child.start()
    child.join(300)
    if child.exitcode != DIED:
        child.kill()
        raise RuntimeError(f"the recording process ended with {child.exitcode}, not a crash")
    with SQLiteHistory(path, create=False) as store:
        (record,) = store.runs()
        return record.run_id


def _record_and_die(saga: Saga, mode: str, failures: list[str], path: str) -> None:
    store = SQLiteHistory(path)
    run = Run(saga, mode, failures=failures, store=store)
    while not run.finished:
        if any(e.kind in CRASHES for e in run.step()):
            os._exit(DIED)  # no close, no cleanup: the SQLite file is all that is left


def time_recovery(saga: Saga, path: Path, run_id: str, repeats: int) -> dict[str, Any]:
    """Median wall time to open the file and rebuild the run, and the replay's share of it."""
    totals, replays = [], []
    events = 0
    for _ in range(repeats):
        began = time.perf_counter()
        with SQLiteHistory(path, create=False) as store:
            run = Run.resume(saga, store, run_id)
            totals.append((time.perf_counter() - began) * 1000)
            replays.append(run.last_replay_wall_ms or 0.0)
            events = len(run.events)
    with SQLiteHistory(path, create=False) as store:
        resumed = Run.resume(saga, store, run_id)
        resumed.run_to_end()
        assert resumed.outcome == "completed", "the resumed run must finish"
    return {
        "events": events,
        "ms": round(statistics.median(totals), 1),
        "replay_ms": round(statistics.median(replays), 1),
        "file_kb": round(path.stat().st_size / 1024, 1),
    }


def bytes_per_step(mode: str, runs: int, folder: Path) -> dict[str, Any]:
    """Checkout runs recorded in one file: its checkpointed size per committed step."""
    saga = load_scenario("checkout")
    path = folder / f"checkout-{mode}.db"
    with SQLiteHistory(folder / f"empty-{mode}.db"):
        pass
    empty = (folder / f"empty-{mode}.db").stat().st_size
    events = 0
    with SQLiteHistory(path) as store:
        for seed in range(runs):
            events += len(Run(saga, mode, seed=seed, store=store).run_to_end())
    size = path.stat().st_size - empty
    steps = runs * len(saga.steps)
    return {
        "bytes_per_step": round(size / steps),
        "bytes_per_event": round(size / events),
        "events_per_step": round(events / steps, 1),
    }


def measure(quick: bool) -> dict[str, Any]:
    """The recovery section of `sagascope bench` (ms_1k and ms_10k: the worst mode)."""
    repeats, runs = (3, 60) if quick else (7, 400)
    out: dict[str, Any] = {"modes": {}}
    with tempfile.TemporaryDirectory(prefix="sagascope-recovery-") as tmp:
        folder = Path(tmp)
        for mode in MODES:
            figures: dict[str, Any] = {}
            for size in TARGET_MS:
                saga, failures = storm_for(size, mode)
                path = folder / f"{mode}-{size}.db"
                run_id = record_until_crash(saga, mode, failures, path)
                figures[f"history_{size // 1000}k"] = time_recovery(saga, path, run_id, repeats)
            figures["checkout"] = bytes_per_step(mode, runs, folder)
            out["modes"][mode] = figures
    for size in TARGET_MS:
        label = f"history_{size // 1000}k"
        out[f"ms_{size // 1000}k"] = max(m[label]["ms"] for m in out["modes"].values())
    out["bytes_per_step"] = max(m["checkout"]["bytes_per_step"] for m in out["modes"].values())
    out["bytes_per_step_claim"] = 1024
    return out


def report(results: dict[str, Any]) -> str:
    lines = [
        "| mode | history | events | recovery (ms) | of which replay (ms) | file (KB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for mode, figures in results["modes"].items():
        for size in TARGET_MS:
            f = figures[f"history_{size // 1000}k"]
            lines.append(f"| {mode} | {size // 1000} k | {f['events']} | {f['ms']} | "
                         f"{f['replay_ms']} | {f['file_kb']} |")
    lines += [
        "",
        "| mode | bytes per step | bytes per event | events per step |",
        "|---|---:|---:|---:|",
    ]
    for mode, figures in results["modes"].items():
        c = figures["checkout"]
        lines.append(f"| {mode} | {c['bytes_per_step']} | {c['bytes_per_event']} | "
                     f"{c['events_per_step']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    results = measure(quick)
    print(report(results))
    verdicts = [
        f"recovery of 1 k events: {results['ms_1k']} ms (goal < 100 ms)",
        f"recovery of 10 k events: {results['ms_10k']} ms (goal < 1000 ms)",
        f"stored per checkout step: {results['bytes_per_step']} bytes (claim: ~1 KB)",
    ]
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
