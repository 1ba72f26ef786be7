"""`sagascope trace` as a user types it."""

from __future__ import annotations

import json
import subprocess
import sys

from schema_assertions import assert_schema_valid

from saga_core.cli import main


def test_trace_prints_an_aligned_narrated_story(capsys):
    assert main(["trace", "--mode", "orchestration", "--fail", "inventory"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "checkout saga · orchestration · seed 0 · failures: inventory:fail:1"
    assert "PaymentService refunds $42.00 to card c-1 for order o-1." in "\n".join(out)
    body = out[1:-1]
    assert len({line.index(" ms  ") for line in body}) == 1, "the time column is aligned"
    assert out[-1].startswith("outcome: compensated after ")


def test_trace_json_prints_one_schema_valid_event_per_line(capsys):
    assert main(["trace", "--mode", "choreography", "--fail", "payment:drop", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["kind"] == "saga.completed"
    assert_schema_valid(events)


def test_a_bad_fail_or_mode_exits_2_with_the_valid_choices_and_no_traceback():
    for args, says in [
        (["--fail", "payment:explode"], "valid kinds: fail, transient, timeout"),
        (["--fail", "warehouse"], "valid steps: order, payment, inventory, shipping"),
        (["--mode", "telepathy"], "valid modes: orchestration, choreography, hybrid"),
        (["--scenario", "nope"], "valid scenarios: checkout"),
    ]:
        proc = subprocess.run(
            [sys.executable, "-m", "saga_core.cli", "trace", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 2, args
        assert says in proc.stderr
        assert "Traceback" not in proc.stderr
