"""`sagascope bench [--quick] [--json]`: run every benchmark section and report.

The web layer registers `add_bench` next to `serve`; `python -m bench` runs the same command
without it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .markdown import document
from .report import problems, table
from .runner import SECTIONS, run_all

DEFAULT_CHART = Path("docs") / "bench-throughput.svg"


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quick", action="store_true", help="small batches, whole run under a minute (CI smoke)"
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument(
        "--markdown", action="store_true", help="print the tables of docs/BENCHMARKS.md"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only these sections (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--chart",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"write the throughput chart (SVG) here; a full run of every section from the "
        f"repository writes {DEFAULT_CHART} by default",
    )


def cmd_bench(args: argparse.Namespace) -> int:
    chart = args.chart
    if chart is None and not args.quick and not args.only and DEFAULT_CHART.parent.is_dir():
        chart = DEFAULT_CHART  # only a full run of every section redraws the published chart
    results = run_all(quick=args.quick, only=args.only, chart=chart, log=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
    elif args.markdown:
        print(document(results))
    else:
        print(table(results))
        if chart:
            print(f"chart: {chart}")
    broken = problems(results)
    for line in broken:
        print(f"sagascope bench: {line}", file=sys.stderr)
    return 1 if broken else 0


def add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="measure the engine, the durable store, recovery, the server and the page"
    )
    add_options(p)
    p.set_defaults(func=cmd_bench)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add_options(parser)
    return cmd_bench(parser.parse_args(argv))
