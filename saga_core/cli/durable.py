"""The command line's durable side: `trace --store`, `resume` and `runs`.

With a history file a `crash` failure is a real crash: right after the crash is committed to
the file, the process dies (`os._exit`: no cleanup, no `finally`, a non-zero exit), so the file
is the only thing left. `sagascope resume` rebuilds the run from that file alone, in a new
process, and carries it on to the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from ..events import CRASH_KINDS, Event
from ..run import Run
from ..scenarios import resolve
from ..store import SQLiteHistory
from ..world import World
from .output import EXIT_OK, header, play_out, print_events

EXIT_CRASHED = 3
"""The exit status of a process that died at a staged crash."""


class DyingHistory(SQLiteHistory):
    """A history file whose process really dies at a crash, once the crash is on disk."""

    def __init__(self, path: str, *, create: bool, as_json: bool) -> None:
        super().__init__(path, create=create)
        self.as_json = as_json

    def append(self, run_id: str, events: list[Event], world: World) -> None:
        super().append(run_id, events, world)
        crash = next((e for e in events if e.kind in CRASH_KINDS), None)
        if crash is not None:
            self._die(run_id, events, crash)

    def _die(self, run_id: str, events: Sequence[Event], crash: Event) -> None:
        print_events(events, self.as_json)  # committed, and the last thing this process says
        who = "the orchestrator" if crash.kind == "orchestrator.crashed" else crash.actor
        sys.stderr.write(
            f"☠ the process dies here (exit {EXIT_CRASHED}): {who} crashed right after "
            f"{crash.step} committed.\n"
            f"  Run {run_id} survives only in {self.path}; carry it on with:\n"
            f"  sagascope resume --store {self.path} --run {run_id}\n"
        )
        sys.stderr.flush()
        os._exit(EXIT_CRASHED)


def open_store_for_trace(args: argparse.Namespace) -> SQLiteHistory:
    """The history file of `trace --store FILE`: created when missing, never overwritten."""
    return DyingHistory(args.store, create=True, as_json=args.json)


# -- sagascope resume ----------------------------------------------------------------------------
def cmd_resume(args: argparse.Namespace) -> int:
    store = DyingHistory(args.store, create=False, as_json=args.json)
    run_id = args.run or store.latest_run_id()
    record = store.record(run_id)
    saga = resolve(record.scenario)
    began = time.perf_counter()
    run = Run.resume(saga, store, run_id)
    rebuilt_ms = (time.perf_counter() - began) * 1000
    replayed = len(run.events)
    note = sys.stderr if args.json else sys.stdout
    if not args.json:
        print(f"{header(saga.name, record.mode, record.seed, record.failures)} · "
              f"run {run_id} from {store.path}")
    print_events(run.events, args.json)
    if run.finished:
        note.write(f"run {run_id} had already finished ({run.outcome}): nothing to resume, "
                   "nothing changed\n")
    else:
        note.write(
            f"── rebuilt from {store.path} in {rebuilt_ms:.1f} ms of wall-clock time "
            f"(replaying {replayed} events took {run.last_replay_wall_ms or 0:.1f} ms); "
            "carrying on live ──\n"
        )
        note.flush()
    return play_out(run, args.json)


def add_resume(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "resume",
        help="rebuild a run whose process crashed from its history file and carry it on",
        description="Replay a run's history from FILE to rebuild its coordinator, continue the "
        "saga to its end and print its whole history (each event once).",
    )
    p.add_argument("--store", required=True, metavar="FILE", help="the history file")
    p.add_argument("--run", default=None, metavar="ID",
                   help="which run (default: the most recent one; see `sagascope runs`)")
    p.add_argument("--json", action="store_true", help="print JSON lines, one per event")
    p.set_defaults(func=cmd_resume)


# -- sagascope runs ------------------------------------------------------------------------------
def cmd_runs(args: argparse.Namespace) -> int:
    with SQLiteHistory(args.store, create=False) as store:
        summaries = store.summaries()
    if not summaries:
        print(f"{store.path} holds no runs yet")
        return EXIT_OK
    rows = [("RUN", "SCENARIO", "MODE", "SEED", "STATUS", "EVENTS", "FAILURES")]
    rows += [
        (s.record.run_id, s.record.scenario, s.record.mode, str(s.record.seed), s.status,
         str(s.events), ", ".join(s.record.failures) or "none")
        for s in summaries
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    print(f"{len(summaries)} run(s) in {store.path}; `sagascope resume --store {store.path}` "
          f"carries on the newest ({summaries[-1].record.run_id})")
    return EXIT_OK


def add_runs(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("runs", help="list the runs recorded in a history file")
    p.add_argument("--store", required=True, metavar="FILE", help="the history file")
    p.set_defaults(func=cmd_runs)
