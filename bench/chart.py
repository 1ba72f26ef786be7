"""The throughput chart (plain SVG text): sagas/s per mode and per store, with the baselines.

A log scale, because the figures span three orders of magnitude (DBOS to a bare loop); each bar
carries its value, and a figure that could not be measured says so instead of drawing a bar.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from saga_core import MODES

TITLE = "SagaScope throughput, checkout saga"
COLOURS = {"memory": "#2b6cb0", "sqlite": "#2f855a", "limit": "#a0aec0", "peer": "#c05621"}
LEGEND = {
    "memory": "SagaScope, in-memory history",
    "sqlite": "SagaScope, SQLite history",
    "limit": "limit (bare loop / raw SQLite)",
    "peer": "peer (DBOS on SQLite)",
}
ROW, LABEL_W, PLOT_W, TOP = 26, 300, 430, 58


def bars(results: dict[str, Any]) -> list[tuple[str, float | None, str]]:
    """(label, sagas/s or None, colour key), success path, in drawing order."""
    engine = results.get("engine", {}).get("modes", {})
    durable = results.get("durable", {})
    stores = durable.get("modes", {})
    out: list[tuple[str, float | None, str]] = []
    for mode in MODES:
        out.append((f"{mode} · memory", _get(engine, mode, "success", "sagas_per_s"), "memory"))
        out.append((f"{mode} · SQLite", _get(stores, mode, "success", "sagas_per_s"), "sqlite"))
    out.append(
        (
            "bare loop, same event dicts (orchestration)",
            _get(engine, "orchestration", "success", "bare_loop_sagas_per_s"),
            "limit",
        )
    )
    raw = durable.get("raw_sqlite_sagas_per_s")
    out.append(("raw SQLite, same commits and rows", raw, "limit"))
    out.append(("DBOS 3.4 on SQLite, WAL + NORMAL", durable.get("dbos_sagas_per_s"), "peer"))
    return out


def _get(tree: dict, *path: str) -> float | None:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree if isinstance(tree, int | float) else None


def throughput_svg(results: dict[str, Any], title: str) -> str:
    rows = bars(results)
    values = [v for _, v, _ in rows if v]
    low = 10 ** math.floor(math.log10(min(values))) if values else 1
    high = 10 ** math.ceil(math.log10(max(values))) if values else 10
    high = max(high, low * 10)

    def x(value: float) -> float:
        return LABEL_W + PLOT_W * math.log10(value / low) / math.log10(high / low)

    height = TOP + ROW * len(rows) + 30 + 20 * len(LEGEND)
    width = LABEL_W + PLOT_W + 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>',
        '<text x="10" y="38" fill="#4a5568">sagas per second, success path, log scale '
        "(longer is faster)</text>",
    ]
    decade = low
    while decade <= high:
        gx = x(decade)
        bottom = TOP + ROW * len(rows)
        out.append(
            f'<line x1="{gx:.1f}" y1="{TOP - 6}" x2="{gx:.1f}" y2="{bottom}" stroke="#e2e8f0"/>'
        )
        out.append(
            f'<text x="{gx:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#4a5568">'
            f"{_short(decade)}</text>"
        )
        decade *= 10
    for i, (label, value, kind) in enumerate(rows):
        y = TOP + ROW * i
        out.append(
            f'<text x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
        )
        if value:
            end = x(value)
            out.append(
                f'<rect x="{LABEL_W}" y="{y + 3}" width="{max(end - LABEL_W, 1):.1f}" '
                f'height="{ROW - 8}" fill="{COLOURS[kind]}"/>'
            )
            out.append(f'<text x="{end + 5:.1f}" y="{y + 15}">{_short(value)}/s</text>')
        else:
            out.append(
                f'<text x="{LABEL_W + 4}" y="{y + 15}" fill="#718096" font-style="italic">'
                "not measured (see the JSON reasons)</text>"
            )
    legend_y = TOP + ROW * len(rows) + 34
    for j, (kind, text) in enumerate(LEGEND.items()):
        ly = legend_y + 20 * j
        out.append(
            f'<rect x="{LABEL_W}" y="{ly - 10}" width="12" height="12" fill="{COLOURS[kind]}"/>'
        )
        out.append(f'<text x="{LABEL_W + 18}" y="{ly}">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _short(value: float) -> str:
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g}"
