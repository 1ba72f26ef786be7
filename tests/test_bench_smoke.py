"""`sagascope bench --quick --json` completes and reports every figure; no timing is asserted
(benchmarks are not tests: this machine's speed drifts)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.chart import throughput_svg
from bench.raw_sqlite import RawReplayer
from bench.report import REQUIRED, fill_missing, lookup, problems
from bench.workload import cases
from saga_core import Run, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SAGASCOPE = shutil.which("sagascope", path=str(Path(sys.executable).parent)) or shutil.which(
    "sagascope"
)


def checkout_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def quick_bench():
    """One quick bench run from the checkout, shared by the checks below (up to a minute):
    its completed process, the chart it drew, and the checkout's status before and after."""
    assert SAGASCOPE, "the sagascope command is not installed: pip install -e ."
    before = checkout_status()
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "chart.svg"
        done = subprocess.run(
            [SAGASCOPE, "bench", "--quick", "--json", "--chart", str(chart)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=420,
        )
        yield done, (chart.read_text("utf-8") if chart.exists() else None), (before,
                                                                             checkout_status())


def test_a_quick_bench_completes_and_prints_one_json_object(quick_bench):
    done, _, _ = quick_bench
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert isinstance(results, dict)


def test_a_bench_run_leaves_the_checkout_as_it_found_it(quick_bench):
    _, _, (before, after) = quick_bench
    assert after == before


def test_every_figure_is_a_number_or_null_with_a_reason(quick_bench):
    done, _, _ = quick_bench
    results = json.loads(done.stdout)
    assert problems(results) == []
    for dotted in REQUIRED:
        present, value, reason = lookup(results, dotted)
        assert present, dotted
        assert isinstance(value, int | float) or (value is None and reason), (dotted, value)


def test_the_engine_figures_are_measured_not_skipped(quick_bench):
    done, _, _ = quick_bench
    engine = json.loads(done.stdout)["engine"]
    assert engine["in_memory_sagas_per_s"] > 0
    for mode in ("orchestration", "choreography", "hybrid"):
        for mix in ("success", "failures_10pct"):
            assert engine["modes"][mode][mix]["vs_bare_ratio"] > 0


def test_the_bench_draws_its_throughput_chart_as_svg(quick_bench):
    _, svg, _ = quick_bench
    assert svg is not None
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "orchestration · memory" in svg


def test_the_raw_sqlite_limit_writes_exactly_the_rows_the_store_writes(tmp_path):
    """The durable baseline replays the store's own transactions: same events, services, log."""
    from bench.durable import capture_plans, schema_of
    from saga_core.store.sqlite import SQLiteHistory

    pool = cases(12, 0.5)
    for mode in ("orchestration", "choreography", "hybrid"):
        plans = capture_plans(SQLiteHistory, mode, pool, tmp_path / f"capture-{mode}.sqlite")
        replayer = RawReplayer(tmp_path / f"raw-{mode}.sqlite", schema_of(SQLiteHistory))
        for plan in plans:
            replayer.replay(plan)
        replayer.close()
        with SQLiteHistory(tmp_path / f"raw-{mode}.sqlite", create=False) as raw:
            for i, case in enumerate(pool, 1):
                run_id = f"raw-{i}"
                ref = Run(load_scenario("checkout"), mode, seed=case.seed,
                          failures=case.failures, run_id=run_id)
                ref.run_to_end()
                assert [e.to_dict() for e in raw.events(run_id)] == [
                    e.to_dict() for e in ref.events
                ]
                assert raw.world(run_id) == ref.world.snapshot()
                assert raw.record(run_id).status == ref.outcome


def test_ten_percent_of_the_workload_carries_an_injected_failure():
    pool = cases(2000, 0.10)
    failing = sum(1 for c in pool if c.failures)
    assert 150 <= failing <= 250
    assert cases(50, 0.10) == cases(50, 0.10)


def test_a_section_that_could_not_run_leaves_each_figure_null_with_its_reason():
    results = {"engine": {"in_memory_sagas_per_s": 7000.0}}
    fill_missing(results, {"server": "the web app cannot be imported"})
    assert problems(results) == []
    assert results["server"]["vs_bare_ratio_50"] is None
    assert results["server"]["vs_bare_ratio_50_reason"] == "the web app cannot be imported"
    assert results["engine"]["in_memory_sagas_per_s"] == 7000.0
    assert "the browser section produced no figure" in results["browser"]["page_kb_reason"]


def test_a_figure_that_is_not_a_number_or_lacks_its_reason_is_reported():
    results: dict = {}
    fill_missing(results, {})
    results["browser"]["page_kb"] = "142 KB"
    results["server"]["p99_ms_100_teaching_reason"] = ""
    assert problems(results) == [
        "server.p99_ms_100_teaching is null without a reason",
        "browser.page_kb is '142 KB', not a number",
    ]


def test_the_chart_says_not_measured_where_a_figure_is_missing():
    results = {"engine": {"modes": {"orchestration": {"success": {"sagas_per_s": 6880.0}}}}}
    svg = throughput_svg(results, "test chart")
    ET.fromstring(svg)
    assert "6.88 k/s" in svg
    assert svg.count("not measured") == 8
