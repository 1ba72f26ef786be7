"""The bench's one JSON object, its required figures, and the table a person reads.

Every required figure is a number, or `null` with a `<name>_reason` string beside it saying why
it could not be measured here.
"""

from __future__ import annotations

from typing import Any

REQUIRED = (
    "engine.in_memory_sagas_per_s",
    "durable.sagas_per_s",
    "durable.vs_dbos_ratio",
    "durable.vs_raw_sqlite_ratio",
    "recovery.ms_1k",
    "recovery.ms_10k",
    "server.vs_bare_ratio_1",
    "server.vs_bare_ratio_50",
    "server.p99_ms_100_teaching",
    "browser.page_kb",
    "browser.first_render_ms",
    "browser.longest_task_ms",
)
TARGETS = {
    "engine.in_memory_sagas_per_s": (">=", 20_000),
    "durable.vs_dbos_ratio": (">=", 10),
    "durable.vs_raw_sqlite_ratio": (">=", 0.5),
    "recovery.ms_1k": ("<", 100),
    "recovery.ms_10k": ("<", 1000),
    "server.vs_bare_ratio_1": (">=", 0.8),
    "server.vs_bare_ratio_50": (">=", 0.8),
    "server.p99_ms_100_teaching": ("<=", 20),
    "browser.page_kb": ("<=", 150),
    "browser.first_render_ms": ("<=", 300),
    "browser.longest_task_ms": ("<=", 50),
}


def reason_key(key: str) -> str:
    return f"{key}_reason"


def lookup(results: dict[str, Any], dotted: str) -> tuple[bool, Any, Any]:
    """(present, value, reason) of a dotted key in the nested results."""
    *parents, leaf = dotted.split(".")
    node: Any = results
    for part in parents:
        if not isinstance(node, dict) or part not in node:
            return False, None, None
        node = node[part]
    if not isinstance(node, dict) or leaf not in node:
        return False, None, None
    return True, node[leaf], node.get(reason_key(leaf))


def fill_missing(results: dict[str, Any], why: dict[str, str]) -> None:
    """Give every required figure that a section did not produce a null and a reason."""
    for dotted in REQUIRED:
        section, *_ = dotted.split(".")
        present, value, reason = lookup(results, dotted)
        if present and (value is not None or reason):
            continue
        *parents, leaf = dotted.split(".")
        node = results
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = None
        node[reason_key(leaf)] = why.get(section) or f"the {section} section produced no figure"


def problems(results: dict[str, Any]) -> list[str]:
    """Required figures that are neither a number nor null with a reason (empty when all good)."""
    out = []
    for dotted in REQUIRED:
        present, value, reason = lookup(results, dotted)
        if not present:
            out.append(f"{dotted} is missing")
        elif value is None and not (isinstance(reason, str) and reason):
            out.append(f"{dotted} is null without a reason")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            out.append(f"{dotted} is {value!r}, not a number")
    return out


def verdict(dotted: str, value: float | None) -> str:
    if dotted not in TARGETS or value is None:
        return ""
    op, bound = TARGETS[dotted]
    ok = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]
    return f"{'meets' if ok else 'misses'} {op} {bound:g}"


def table(results: dict[str, Any]) -> str:
    """The required figures as an aligned text table, with each target's verdict."""
    rows = [("figure", "value", "target")]
    for dotted in REQUIRED:
        _, value, reason = lookup(results, dotted)
        shown = f"{value:,.4g}" if isinstance(value, int | float) else f"null ({reason})"
        rows.append((dotted, shown, verdict(dotted, value)))
    width = [max(len(r[i]) for r in rows if i < 2 or len(r[1]) < 60) for i in range(2)]
    lines = [f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]}".rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
