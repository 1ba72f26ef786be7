"""The published benchmark figures (docs/bench-results.json, the tables of docs/BENCHMARKS.md,
docs/bench-throughput.svg) are written by `sagascope bench --write-docs` and by nothing else."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

import bench.cli
from bench.docs import CHART, PAGE, RESULTS, markers, with_tables, write_docs
from bench.markdown import TABLES

DOCS = Path(__file__).resolve().parent.parent / "docs"
PUBLISHED = json.loads((DOCS / RESULTS).read_text("utf-8"))


@pytest.fixture
def docs_copy(tmp_path):
    for name in (RESULTS, CHART, PAGE):
        shutil.copy(DOCS / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def fake_run(monkeypatch):
    """`run_all` answering the published results at once; notes the chart it was asked for."""
    asked: list[Path | None] = []

    def run_all(*, quick, only, chart, log):
        asked.append(chart)
        results = copy.deepcopy(PUBLISHED)
        results.pop("chart")
        return results

    monkeypatch.setattr(bench.cli, "run_all", run_all)
    return asked


def test_the_published_page_shows_the_tables_of_the_published_results(docs_copy):
    """Writing the published results again changes no byte of the three files."""
    write_docs(copy.deepcopy(PUBLISHED), docs_copy)
    for name in (RESULTS, CHART, PAGE):
        assert (docs_copy / name).read_bytes() == (DOCS / name).read_bytes(), name


def test_writing_the_docs_redraws_each_table_between_its_markers_and_nothing_else(docs_copy):
    results = copy.deepcopy(PUBLISHED)
    results["engine"]["in_memory_sagas_per_s"] = 123_456.0
    written = write_docs(results, docs_copy)
    assert [p.name for p in written] == [RESULTS, CHART, PAGE]
    page = (docs_copy / PAGE).read_text("utf-8")
    assert "| `engine.in_memory_sagas_per_s` | 123 456 | >= 20000 | meets |" in page
    assert json.loads((docs_copy / RESULTS).read_text("utf-8"))["chart"] == f"docs/{CHART}"
    assert prose(page) == prose((DOCS / PAGE).read_text("utf-8"))
    assert page != (DOCS / PAGE).read_text("utf-8")


def prose(page: str) -> str:
    """The page with every marked table taken out."""
    for name in TABLES:
        start, end = markers(name)
        page = re.sub(f"{re.escape(start)}.*?{re.escape(end)}", "", page, flags=re.S)
    return page


def test_a_page_without_its_markers_is_refused_before_anything_is_written(docs_copy):
    page = (docs_copy / PAGE).read_text("utf-8").replace(markers("server")[1], "")
    (docs_copy / PAGE).write_text(page, "utf-8")
    with pytest.raises(ValueError, match="server table"):
        write_docs(copy.deepcopy(PUBLISHED), docs_copy)
    assert (docs_copy / RESULTS).read_bytes() == (DOCS / RESULTS).read_bytes()
    with pytest.raises(ValueError, match="not 0"):
        with_tables("no markers here", PUBLISHED)


def test_a_full_bench_run_writes_nothing_unless_asked(fake_run, monkeypatch, capsys):
    writes: list[dict] = []
    monkeypatch.setattr(bench.cli, "write_docs", lambda results: writes.append(results) or [])
    assert bench.cli.main([]) == 0
    assert fake_run == [None] and writes == []
    assert "engine.in_memory_sagas_per_s" in capsys.readouterr().out


def test_write_docs_publishes_a_full_run(fake_run, monkeypatch):
    writes: list[dict] = []
    monkeypatch.setattr(bench.cli, "write_docs", lambda results: writes.append(results) or [])
    assert bench.cli.main(["--write-docs", "--json"]) == 0
    assert len(writes) == 1 and writes[0]["engine"] == PUBLISHED["engine"]


@pytest.mark.parametrize("partial", [["--quick"], ["--only", "engine"]])
def test_write_docs_refuses_a_partial_run(fake_run, partial, capsys):
    assert bench.cli.main(["--write-docs", *partial]) == 2
    assert fake_run == []
    assert "--write-docs publishes a full run of every section" in capsys.readouterr().err
