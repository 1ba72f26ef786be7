"""The wire contract between the engine and the page: tests/js/traces.json, the runs the
front-end unit tests fold, lay out and count, is exactly what the engine and the server send now."""

from __future__ import annotations

import importlib.util
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

from saga_core import FAILURE_KINDS, MODES
from saga_core.cli import main as cli_main

WRITER = Path(__file__).parent / "js" / "write_traces.py"


def load_writer():
    spec = importlib.util.spec_from_file_location("write_traces", WRITER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


writer = load_writer()


def test_the_committed_traces_are_what_the_engine_writes_now():
    committed = json.loads(writer.TRACES_PATH.read_text(encoding="utf-8"))
    fresh = json.loads(writer.render())
    pairs = zip(committed["traces"], fresh["traces"], strict=False)
    stale = [old["name"] for old, new in pairs if old != new]
    if len(committed["traces"]) != len(fresh["traces"]):
        stale.append("the list of runs")
    if committed["catalog"] != fresh["catalog"]:
        stale.append("the catalog")
    assert not stale, (
        f"tests/js/traces.json is out of date ({', '.join(stale)} changed in the engine or the "
        f"catalog); regenerate it with `{writer.REGENERATE}` and commit it"
    )
    assert writer.TRACES_PATH.read_text(encoding="utf-8") == writer.render(), (
        f"tests/js/traces.json is not formatted as the writer writes it; run `{writer.REGENERATE}`"
    )


def test_each_trace_is_what_sagascope_trace_json_prints():
    for name, scenario, mode, failures, seed in writer.RUNS:
        out = io.StringIO()
        args = ["trace", "--json", "--scenario", scenario, "--mode", mode, "--seed", str(seed)]
        with redirect_stdout(out):
            cli_main([*args, *(f"--fail={spec}" for spec in failures)])
        printed = [json.loads(line) for line in out.getvalue().splitlines()]
        trace = next(t for t in json.loads(writer.TRACES_PATH.read_text())["traces"]
                     if t["name"] == name)
        assert trace["events"] == printed, name


def test_the_traces_cover_every_mode_every_failure_kind_and_two_scenarios():
    data = json.loads(writer.TRACES_PATH.read_text(encoding="utf-8"))
    traces = data["traces"]
    assert {t["mode"] for t in traces} == set(MODES)
    armed = {(spec.split(":") + ["fail"])[1] for t in traces for spec in t["failures"]}
    assert armed == set(FAILURE_KINDS)
    assert {t["scenario"] for t in traces} == {s["name"] for s in data["catalog"]["scenarios"]}
    assert len(data["catalog"]["scenarios"]) >= 2
    assert {t["outcome"] for t in traces} == {"completed", "compensated"}
    assert writer.TRACES_PATH.stat().st_size < 256 * 1024, "keep the traces small"


def test_the_catalog_lists_each_failure_kind_with_its_label_and_count_in_grammar_order():
    info = json.loads(writer.TRACES_PATH.read_text())["catalog"]["failure_kind_info"]
    assert [k["kind"] for k in info] == list(FAILURE_KINDS)
    for kind in info:
        assert kind["label"] and kind["summary"], kind["kind"]
        assert isinstance(kind["counted"], bool), kind["kind"]
        assert set(kind["modes"]) == set(MODES), kind["kind"]
