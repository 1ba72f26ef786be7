"""The README shows what the product really prints today."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from saga_core.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_readme_trace_is_what_sagascope_trace_prints(capsys):
    blocks = re.findall(r"```console\n\$ (sagascope trace [^\n]*)\n(.*?)```", README, re.S)
    complete = [(cmd, shown) for cmd, shown in blocks if "--store" not in cmd]
    assert complete, "the README shows at least one full trace"
    for command, shown in complete:
        assert main(shlex.split(command)[1:]) == 0
        assert capsys.readouterr().out == shown, command


def test_the_readme_quick_start_is_make_run_and_make_test():
    quick = README.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in quick.strip().splitlines()] == [
        ["make", "run"], ["make", "test"]]
