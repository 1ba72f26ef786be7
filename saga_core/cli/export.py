"""`sagascope export`: a definition as BPMN, ASL, Mermaid or JSON; with `--trace`, one run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InvalidRequest
from ..export import BPMN_FLAVORS, DEFINITION_FORMATS, VIEWS, export_run, export_saga
from ..failures import FAILURE_KINDS
from ..run import MODES, Run
from ..scenarios import DEFAULT, resolve
from .output import EXIT_OK

DESCRIPTIONS = {
    "bpmn": "BPMN 2.0 XML with diagram interchange (opens in Camunda Modeler, bpmn.io); "
    "--flavor camunda models it as Camunda 8 does, with compensation events",
    "asl": "Amazon States Language JSON (an AWS Step Functions state machine)",
    "mermaid": "a Mermaid flowchart; with --trace, a sequence diagram of the run",
    "json": "the scenario-file JSON (loadable with --scenario FILE); with --trace, the run's "
    "history",
    "temporal": "a Python Temporal workflow and activities module that runs the saga",
}


def add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="export a saga as BPMN, ASL, Mermaid or JSON, or one run with --trace",
        description="Export a saga definition, or with --trace one run of it. Formats: "
        + "; ".join(f"{name}: {what}" for name, what in DESCRIPTIONS.items()) + ".",
    )
    p.add_argument("--format", required=True, choices=DEFINITION_FORMATS)
    p.add_argument("--scenario", default=None, metavar="NAME|FILE",
                   help=f"a built-in name or a .toml/.json scenario file (default {DEFAULT})")
    p.add_argument("--view", default="orchestration", choices=VIEWS,
                   help="mermaid only: the orchestration, or the choreography's derived event flow")
    p.add_argument("--flavor", default="explicit", choices=BPMN_FLAVORS,
                   help="bpmn only: explicit (a reverse chain any engine runs, the default) or "
                   "camunda (compensation events, zeebe task definitions)")
    p.add_argument("--trace", action="store_true",
                   help="export one run instead of the definition (mermaid or json)")
    p.add_argument("--mode", default=None, help=f"with --trace: one of {', '.join(MODES)}")
    p.add_argument("--fail", action="append", default=[], metavar="SPEC",
                   help="with --trace: STEP[:KIND[:N]], repeatable; KIND is "
                   f"{', '.join(FAILURE_KINDS)}")
    p.add_argument("--seed", type=int, default=None, help="with --trace: RNG seed (default 0)")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    saga = resolve(args.scenario)
    if args.trace:
        if args.view != "orchestration":
            raise InvalidRequest("--view draws a definition; a run with --trace is drawn as it ran")
        run = Run(saga, args.mode or "orchestration", seed=args.seed or 0, failures=args.fail,
                  scenario=args.scenario or DEFAULT)
        run.run_to_end()
        text = export_run(run, args.format)
    else:
        given = [flag for flag, value in (("--mode", args.mode), ("--fail", args.fail),
                                          ("--seed", args.seed)) if value not in (None, [])]
        if given:
            verb = "describes" if len(given) == 1 else "describe"
            raise InvalidRequest(f"{' and '.join(given)} {verb} a run: add --trace to export one")
        text = export_saga(saga, args.format, args.view, args.flavor)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(f"cannot write {args.output}: {exc.strerror}") from exc
    what = "run" if args.trace else "definition"
    print(f"wrote the {saga.name} {what} as {args.format} to {args.output}")
    return EXIT_OK
