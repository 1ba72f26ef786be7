"""`sagascope`: the engine's commands plus `serve`, the web app (saga_core never imports the web),
and `bench`, whose code is imported only when it runs (the benchmarks live in the checkout's
`bench/`, which no installed package carries).

`serve` runs gunicorn's threaded worker in this process (webapp/serving.py), ready for a class.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from saga_core import cli as engine_cli

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000
CHECKOUT = Path(__file__).resolve().parent.parent
"""The repository when this package runs from its source tree (an editable install)."""
NO_CHECKOUT = ("the benchmarks run from a checkout of SagaScope (its bench/ folder), not from an "
               "installed package: clone the repository and run `sagascope bench` there")


def port_number(text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 65535:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r} is not a port; a port is a number 1 to 65535")


def add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web app (the animated explainer)")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}; 0.0.0.0 for a network)")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                   help=f"port to listen on (default {DEFAULT_PORT})")
    p.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from . import configured_app, create_app
    from .serving import check_free, serve, url_line

    try:
        configured_app()
    except ValueError as exc:
        print(f"sagascope serve: {exc}", file=sys.stderr)
        return engine_cli.EXIT_USAGE
    try:
        check_free(args.host, args.port)
    except OSError as exc:
        print(f"sagascope serve: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}; choose another --port", file=sys.stderr)
        return engine_cli.EXIT_USAGE
    line = url_line(args.host, args.port)
    return serve(create_app, args.host, args.port, on_ready=lambda: print(line, flush=True))


def add_bench(sub: argparse._SubParsersAction) -> None:
    # The options belong to bench's own parser: none are read here (no prefix characters), so
    # `sagascope bench --help` is bench's help and `sagascope` starts without importing bench.
    p = sub.add_parser(
        "bench", help="measure the engine, the durable store, recovery, the server and the page "
        "(from a checkout)", add_help=False, prefix_chars="\0",
    )
    p.add_argument("options", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    try:
        bench_cli = bench_module()
    except ModuleNotFoundError as exc:
        if exc.name != "bench":
            raise
        print(f"sagascope bench: {NO_CHECKOUT}", file=sys.stderr)
        return engine_cli.EXIT_USAGE
    return bench_cli.main(args.options, prog="sagascope bench")


def bench_module() -> ModuleType:
    """`bench.cli` from the checkout this package runs from; ModuleNotFoundError when the
    package was installed (site-packages has no bench/ beside it)."""
    if not (CHECKOUT / "bench" / "__init__.py").is_file() or not (
        CHECKOUT / "pyproject.toml"
    ).is_file():
        raise ModuleNotFoundError(NO_CHECKOUT, name="bench")
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    return importlib.import_module("bench.cli")


def main(argv: Sequence[str] | None = None) -> int:
    return engine_cli.main(argv, extra=[add_serve, add_bench])


if __name__ == "__main__":
    sys.exit(main())
