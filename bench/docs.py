"""`sagascope bench --write-docs`: the published figures, rewritten from one full run.

docs/bench-results.json gets the JSON, docs/bench-throughput.svg the chart, and
docs/BENCHMARKS.md its tables, each between its `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`
markers; the prose around them is written by hand and is left alone. Nothing else ever writes
these files: a plain `sagascope bench` leaves the checkout as it found it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .chart import TITLE, throughput_svg
from .markdown import TABLES

DOCS = Path(__file__).resolve().parent.parent / "docs"
RESULTS, CHART, PAGE = "bench-results.json", "bench-throughput.svg", "BENCHMARKS.md"


def write_docs(results: dict[str, Any], docs: Path = DOCS) -> list[Path]:
    """Rewrite the three files in `docs` from `results`; answers the paths written. A page
    without its markers is an error raised before any file is touched."""
    page = docs / PAGE
    text = with_tables(page.read_text("utf-8"), results)
    published = {**results, "chart": f"docs/{CHART}"}
    (docs / RESULTS).write_text(json.dumps(published, indent=2) + "\n", "utf-8")
    (docs / CHART).write_text(throughput_svg(published, TITLE), "utf-8")
    page.write_text(text, "utf-8")
    return [docs / RESULTS, docs / CHART, page]


def with_tables(text: str, results: dict[str, Any]) -> str:
    """`text` (the page) with every table between its markers drawn again from `results`."""
    for name, (_, render) in TABLES.items():
        start, end = markers(name)
        found = list(re.finditer(f"{re.escape(start)}\n.*?{re.escape(end)}", text, re.S))
        if len(found) != 1:
            raise ValueError(f"{PAGE} needs one {start} … {end} pair around the {name} table, "
                             f"not {len(found)}")
        block = found[0]
        text = f"{text[:block.start()]}{start}\n{render(results)}\n{end}{text[block.end():]}"
    return text


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
