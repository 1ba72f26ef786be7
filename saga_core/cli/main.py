"""The `sagascope` parser and `main`: each command group adds its subcommands, and the web layer
passes its own (`serve`, `bench`) as `extra`.

Errors in what the user typed (a `SagaError`) exit 2 with its sentence, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from ..errors import SagaError
from ..temporal.command import add_temporal
from .durable import add_resume, add_runs
from .export import add_export
from .output import EXIT_OK, EXIT_USAGE
from .trace import add_trace

CommandAdder = Callable[[argparse._SubParsersAction], None]
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
    except SagaError as exc:
        print(f"sagascope {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
