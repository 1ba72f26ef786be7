"""The `sagascope` command line: the engine's commands (the web layer adds `serve` and `bench`).

`main` (the parser, `main(argv, extra)`, exit codes), `output` (what every command prints: the
header, aligned event lines, the outcome), and one module per command group: `trace`, `durable`
(`trace --store`'s real crash, `resume`, `runs`) and `export`.
"""

from .main import ENGINE_COMMANDS, CommandAdder, build_parser, main
from .output import EXIT_FAILED, EXIT_OK, EXIT_USAGE, format_event, print_events

__all__ = ["ENGINE_COMMANDS", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "CommandAdder",
           "build_parser", "format_event", "main", "print_events"]
