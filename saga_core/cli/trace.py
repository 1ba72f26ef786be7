"""`sagascope trace`: run one saga and print its narrated trace (or its events as JSON lines)."""

from __future__ import annotations

import argparse

from ..failures import FAILURE_KINDS
from ..run import MODES, Run
from ..scenarios import DEFAULT, resolve
from .durable import open_store_for_trace
from .output import header, play_out

_KINDS = [*FAILURE_KINDS]


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", default="orchestration", help=f"one of: {', '.join(MODES)}")
    parser.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="SPEC",
        help=f"STEP[:KIND[:N]], repeatable; KIND is {', '.join(_KINDS[:-1])} or {_KINDS[-1]}",
    )
    parser.add_argument("--seed", type=int, default=0, help="RNG seed for latencies (default 0)")
    parser.add_argument("--scenario", default=None, help=f"a built-in name (default {DEFAULT})")
    parser.add_argument("--json", action="store_true", help="print JSON lines, one per event")


def cmd_trace(args: argparse.Namespace) -> int:
    saga = resolve(args.scenario)
    store = open_store_for_trace(args) if args.store else None
    run = Run(
        saga,
        args.mode,
        seed=args.seed,
        failures=args.fail,
        store=store,
        scenario=args.scenario or DEFAULT,
    )
    if not args.json:
        print(header(saga.name, args.mode, args.seed, [str(s) for s in run.specs]))
    return play_out(run, args.json)


def add_trace(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("trace", help="run one saga and print its narrated trace")
    add_run_options(p)
    p.add_argument(
        "--store",
        default=None,
        metavar="FILE",
        help="record the run in a SQLite history file (a crash then really kills "
        "the process; resume it with `sagascope resume`)",
    )
    p.set_defaults(func=cmd_trace)
