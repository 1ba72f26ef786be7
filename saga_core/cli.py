"""The `sagascope` command line: engine commands (the web layer adds `serve`).

Errors in what the user typed exit 2 with a sentence that lists the valid choices, never a
traceback; a saga that ends completed or compensated exits 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .durable import add_resume, add_runs
from .errors import SagaError
from .events import Event
from .export.command import add_export
from .run import MODES, Run
from .scenarios import DEFAULT, load_scenario
from .temporal.command import add_temporal

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MARKS = {
    "saga.started": "▶",
    "step.started": "→",
    "step.succeeded": "✓",
    "step.failed": "✗",
    "step.timed_out": "⏱",
    "step.retry_scheduled": "↻",
    "compensation.started": "↶",
    "compensation.succeeded": "↺",
    "compensation.failed": "✗",
    "compensation.retry_scheduled": "↻",
    "message.published": "✉",
    "message.delivered": "⇢",
    "message.dropped": "⌫",
    "message.duplicate_ignored": "≡",
    "orchestrator.crashed": "☠",
    "orchestrator.recovered": "⟲",
    "consumer.crashed": "☠",
    "consumer.recovered": "⟲",
    "failure.injected": "⚡",
    "saga.completed": "■",
    "saga.compensated": "■",
}


class UsageError(Exception):
    """What the user typed cannot be done; the message says what would be valid."""


def format_event(event: Event) -> str:
    """One aligned line a person can read: virtual time, actor, what happened."""
    mark = MARKS.get(event.kind, "·")
    return f"{event.t_ms:>7} ms  {event.actor:<17} {mark} {event.narration}"


def print_events(events: Sequence[Event], as_json: bool, out=None) -> None:
    out = out or sys.stdout
    for event in events:
        out.write((event.to_json() if as_json else format_event(event)) + "\n")
    out.flush()


def resolve_scenario(name: str | None):
    """A built-in scenario name, or a scenario file when the scenario loader supports it."""
    name = name or DEFAULT
    path = Path(name)
    if path.suffix in {".toml", ".json"}:
        try:
            from .scenario_files import load_scenario_file
        except ImportError as exc:  # pragma: no cover - only before scenario files exist
            raise UsageError("scenario files are not supported by this build") from exc
        return load_scenario_file(path)
    return load_scenario(name)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mode", default="orchestration", help=f"one of: {', '.join(MODES)}")
    parser.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="SPEC",
        help="STEP[:KIND[:N]], repeatable; KIND is fail, transient, timeout, compensate, crash, "
        "drop or duplicate",
    )
    parser.add_argument("--seed", type=int, default=0, help="RNG seed for latencies (default 0)")
    parser.add_argument("--scenario", default=None, help=f"a built-in name (default {DEFAULT})")
    parser.add_argument("--json", action="store_true", help="print JSON lines, one per event")


def cmd_trace(args: argparse.Namespace) -> int:
    saga = resolve_scenario(args.scenario)
    store = None
    if getattr(args, "store", None):
        from .durable import open_store_for_trace

        store = open_store_for_trace(args)
    run = Run(
        saga,
        args.mode,
        seed=args.seed,
        failures=args.fail,
        store=store,
        scenario=args.scenario or DEFAULT,
    )
    if not args.json:
        failures = ", ".join(str(s) for s in run.specs) or "none"
        print(f"{saga.name} saga · {args.mode} · seed {args.seed} · failures: {failures}")
    while not run.finished:
        print_events(run.step(), args.json)
    if not args.json:
        last = run.events[-1]
        print(
            f"outcome: {run.outcome} after {last.t_ms} virtual ms and {len(run.events)} events; "
            "the saga invariants hold"
        )
    return EXIT_OK if run.outcome in ("completed", "compensated") else EXIT_FAILED


CommandAdder = Callable[[argparse._SubParsersAction], None]


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


ENGINE_COMMANDS: list[CommandAdder] = [add_trace, add_resume, add_runs, add_export, add_temporal]


def build_parser(extra: Sequence[CommandAdder] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sagascope",
        description="SagaScope: run and watch sagas (orchestration, choreography, hybrid) "
        "with injected failures.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in [*ENGINE_COMMANDS, *extra]:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None, extra: Sequence[CommandAdder] = ()) -> int:
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (SagaError, UsageError) as exc:
        print(f"sagascope {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
