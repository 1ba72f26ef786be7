"""`sagascope bench [--quick] [--json] [--write-docs]`: run every benchmark section and report.

`sagascope bench` hands its arguments to `main` here (importing this package only then), and
`python -m bench` runs the same command. A run prints its results and writes nothing, unless
asked: `--chart FILE` draws the throughput chart, `--write-docs` rewrites the published figures
(docs/bench-results.json, the tables of docs/BENCHMARKS.md, docs/bench-throughput.svg).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .docs import write_docs
from .markdown import document
from .report import problems, table
from .runner import SECTIONS, run_all

EXIT_USAGE = 2


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
        "--chart", type=Path, default=None, metavar="FILE",
        help="also write the throughput chart (SVG) to FILE",
    )
    parser.add_argument(
        "--write-docs", action="store_true",
        help="after a full run of every section, rewrite the published figures: "
        "docs/bench-results.json, the tables of docs/BENCHMARKS.md and docs/bench-throughput.svg",
    )


def cmd_bench(args: argparse.Namespace) -> int:
    if args.write_docs and (args.quick or args.only):
        print("sagascope bench: --write-docs publishes a full run of every section; run it "
              "without --quick and --only", file=sys.stderr)
        return EXIT_USAGE
    results = run_all(quick=args.quick, only=args.only, chart=args.chart, log=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
    elif args.markdown:
        print(document(results))
    else:
        print(table(results))
        if args.chart:
            print(f"chart: {args.chart}")
    broken = problems(results)
    for line in broken:
        print(f"sagascope bench: {line}", file=sys.stderr)
    if broken:
        return 1
    if args.write_docs:
        written = write_docs(results)
        print(f"bench: wrote {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "python -m bench") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    add_options(parser)
    return cmd_bench(parser.parse_args(argv))
