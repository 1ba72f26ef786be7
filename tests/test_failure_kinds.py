"""The failure kinds are listed once (saga_core/failures.py); everything that names them agrees."""

from __future__ import annotations

from pathlib import Path

from saga_core import FAILURE_KINDS, MODES, FailureKind, Run, load_scenario, parse_failure
from saga_core.failures import KINDS

ENGINE_DOC = Path(__file__).resolve().parents[1] / "docs" / "ENGINE.md"


def expected_table() -> list[str]:
    rows = ["| kind | orchestration | choreography | hybrid |", "|---|---|---|---|"]
    for kind in FAILURE_KINDS.values():
        spec = f"`{kind.name}:N`" if kind.counted else f"`{kind.name}`"
        rows.append(f"| {spec} | " + " | ".join(kind.modes[mode] for mode in MODES) + " |")
    return rows


def test_docs_engine_table_is_the_list_of_failure_kinds():
    section = ENGINE_DOC.read_text().split("## What each failure does, per mode", 1)[1]
    shown = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    expected = expected_table()
    assert shown == expected, "docs/ENGINE.md's table should read:\n" + "\n".join(expected)


def test_every_kind_says_what_it_does_in_every_mode_in_one_sentence():
    assert list(FAILURE_KINDS) == ["fail", "transient", "timeout", "compensate", "crash", "drop",
                                   "duplicate"]
    for name, kind in FAILURE_KINDS.items():
        assert isinstance(kind, FailureKind) and kind.name == name
        assert kind.label and kind.summary and kind.armed
        assert list(kind.modes) == list(MODES), name
        for mode, text in kind.modes.items():
            assert text[0].isupper() and text.endswith(".") and text.count(". ") == 0, (name, mode)
            assert "|" not in text, "a sentence must fit in a Markdown table cell"
        assert ("{times}" in kind.armed) == kind.counted, name


def test_counts_are_offered_for_the_kinds_whose_count_changes_the_run():
    saga = load_scenario("checkout")
    for name, kind in FAILURE_KINDS.items():
        if not kind.counted:
            continue
        differs = False
        for mode in MODES:
            once = Run(saga, mode, failures=[f"payment:{name}:1", "shipping"]).run_to_end()
            thrice = Run(saga, mode, failures=[f"payment:{name}:3", "shipping"]).run_to_end()
            differs |= len(once) != len(thrice)
        assert differs, f"{name}:N is offered with a count, but N changed nothing"


def test_the_armed_narration_is_the_kinds_armed_phrase():
    saga = load_scenario("checkout")
    for name, kind in FAILURE_KINDS.items():
        run = Run(saga, "orchestration")
        event = run.inject(f"payment:{name}:2")
        assert event.narration == f"A failure is armed: payment will {kind.describe(2)}."
        assert kind.describe(1) == kind.armed.format(times="once")


def test_the_older_name_and_the_grammar_read_the_same_list():
    assert KINDS is FAILURE_KINDS
    assert parse_failure("payment:drop:2", ["payment"]).kind == "drop"
