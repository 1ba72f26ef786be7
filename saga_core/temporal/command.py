"""`sagascope temporal run`: the saga on a real Temporal server, its history as SagaScope events.

Registering the command imports no SDK; running it without the `temporal` extra says in one
sentence how to install it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ..failures import KINDS
from ..scenarios import DEFAULT
from . import require_sdk
from .plan import MAX_TIME_SCALE, MIN_TIME_SCALE

_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def add_temporal(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("temporal", help="run a saga on a real Temporal server (needs the "
                       "temporal extra)")
    p.set_defaults(func=cmd_temporal_help, temporal_parser=p)
    actions = p.add_subparsers(dest="temporal_command")
    r = actions.add_parser(
        "run", help="run the saga as a Temporal workflow and print what Temporal recorded",
        description="Start a Temporal dev server (unless --address is given) and a worker "
        "process, run the saga as a workflow with one activity per action and compensation, "
        "kill and replace the worker for a crash, then map the workflow's event history onto "
        "SagaScope events and check the saga invariants on it.")
    r.add_argument("--scenario", default=None, metavar="NAME|FILE",
                   help=f"a built-in name or a .toml/.json scenario file (default {DEFAULT})")
    r.add_argument("--fail", action="append", default=[], metavar="SPEC",
                   help=f"STEP[:KIND[:N]], repeatable; KIND is {', '.join(KINDS)} "
                   "(duplicate has no Temporal meaning and is refused)")
    r.add_argument("--seed", type=int, default=0, help="seed of the simulated work times")
    r.add_argument("--address", default=None, metavar="HOST:PORT",
                   help="a running Temporal server (default: start a dev server of our own)")
    r.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                   help=f"real ms per definition ms for timeouts, backoff and work times "
                   f"({MIN_TIME_SCALE:g} to {MAX_TIME_SCALE:g}, default 1)")
    shown = r.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true",
                       help="print the mapped SagaScope events as JSON lines")
    shown.add_argument("--raw", action="store_true",
                       help="print the workflow's Temporal event history as JSON")
    r.set_defaults(func=cmd_temporal_run)


def cmd_temporal_help(args: argparse.Namespace) -> int:
    require_sdk()
    args.temporal_parser.print_help(sys.stderr)
    return 2


def cmd_temporal_run(args: argparse.Namespace) -> int:
    from ..cli.output import EXIT_FAILED, EXIT_OK, print_events
    from ..errors import InvalidRequest
    from ..scenarios import resolve as resolve_scenario

    require_sdk()
    if args.address is not None and not _ADDRESS.match(args.address):
        raise InvalidRequest(f"--address {args.address!r} is not HOST:PORT (e.g. 127.0.0.1:7233)")
    from .compare import differences, engine_run
    from .plan import saga_plan
    from .runner import blocking, run_on_temporal

    saga = resolve_scenario(args.scenario)
    saga_plan(saga, args.fail, seed=args.seed, time_scale=args.time_scale)  # refuse bad input now
    scenario = args.scenario or DEFAULT
    if Path(scenario).suffix in {".toml", ".json"}:
        scenario = str(Path(scenario).resolve())
    quiet = args.json or args.raw
    log = sys.stderr if quiet else sys.stdout

    def say(line: str) -> None:
        print(line, file=log, flush=True)

    failures = ", ".join(args.fail) or "none"
    say(f"{saga.name} saga on Temporal · failures: {failures} · seed {args.seed} · "
        f"time scale {args.time_scale:g} (real ms per definition ms)")
    run = blocking(lambda: run_on_temporal(saga, scenario, args.fail, seed=args.seed,
                                           time_scale=args.time_scale, address=args.address,
                                           say=say))
    if args.raw:
        sys.stdout.write(json.dumps(run.history, indent=2) + "\n")
    else:
        print_events(run.events, args.json)
    engine = engine_run(saga, run.plan["failures"], args.seed)
    diff = differences(engine, run.outcome, run.world)
    say(f"outcome: {run.outcome}, recorded by Temporal server {run.server_version} in "
        f"{len(run.history.get('events', []))} history events (workflow {run.workflow_id}); "
        "the saga invariants hold on Temporal's result")
    if diff:
        say("differs from SagaScope's own engine run of the same inputs: " + "; ".join(diff))
        return EXIT_FAILED
    say("outcome and final service state equal SagaScope's own engine run of the same inputs")
    return EXIT_OK if run.outcome in ("completed", "compensated") else EXIT_FAILED
