"""The results as the Markdown tables docs/BENCHMARKS.md shows (`sagascope bench --markdown`)."""

from __future__ import annotations

from typing import Any

from .report import REQUIRED, TARGETS, lookup, verdict


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return f"{value:g}"


def summary(results: dict[str, Any]) -> str:
    lines = ["| figure | value | target | verdict |", "|---|---:|---|---|"]
    for dotted in REQUIRED:
        _, value, reason = lookup(results, dotted)
        target = " ".join(map(str, TARGETS[dotted])) if dotted in TARGETS else ""
        shown = fmt(value) if value is not None else f"null: {reason}"
        met = verdict(dotted, value).split(" ")[0]
        lines.append(f"| `{dotted}` | {shown} | {target} | {met} |")
    return "\n".join(lines)


def engine_table(results: dict[str, Any]) -> str:
    modes = results.get("engine", {}).get("modes", {})
    lines = [
        "| mode | workload | sagas/s | transitions/s | events/s | bare loop sagas/s | ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for mode, mixes in modes.items():
        for mix, f in mixes.items():
            lines.append(
                f"| {mode} | {mix} | {fmt(f['sagas_per_s'])} | {fmt(f['transitions_per_s'])} | "
                f"{fmt(f['events_per_s'])} | {fmt(f['bare_loop_sagas_per_s'])} | "
                f"{fmt(f['vs_bare_ratio'])} |"
            )
    return "\n".join(lines)


def durable_table(results: dict[str, Any]) -> str:
    modes = results.get("durable", {}).get("modes", {})
    lines = [
        "| mode | workload | SQLite store sagas/s | raw SQLite sagas/s | ratio | commits/saga | "
        "rows/saga | bytes/saga |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, mixes in modes.items():
        for mix, f in mixes.items():
            lines.append(
                f"| {mode} | {mix} | {fmt(f['sagas_per_s'])} | {fmt(f['raw_sqlite_sagas_per_s'])}"
                f" | {fmt(f['vs_raw_sqlite_ratio'])} | {fmt(f['commits_per_saga'])} | "
                f"{fmt(f['rows_per_saga'])} | {fmt(f['bytes_per_saga'])} |"
            )
    return "\n".join(lines)


def server_table(results: dict[str, Any]) -> str:
    phases = results.get("server", {}).get("phases", {})
    lines = [
        "| clients | pace | SagaScope events/s | p50 ms | p99 ms | bare events/s | bare p50 ms "
        "| bare p99 ms | ratio |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, phase in phases.items():
        clients, pace = name.split("_", 1)
        ours, bare = phase.get("sagascope", {}), phase.get("bare", {})
        lines.append(
            f"| {clients} | {pace} | {fmt(ours.get('events_per_s'))} | {fmt(ours.get('p50_ms'))} "
            f"| {fmt(ours.get('p99_ms'))} | {fmt(bare.get('events_per_s'))} | "
            f"{fmt(bare.get('p50_ms'))} | {fmt(bare.get('p99_ms'))} | "
            f"{fmt(phase.get('vs_bare_ratio'))} |"
        )
    return "\n".join(lines)


def browser_table(results: dict[str, Any]) -> str:
    b = results.get("browser", {})
    rows = [
        ("page weight of `/`, KB (besides the Socket.IO client)",
         b.get("pages", {}).get("/", {}).get("kb_without_socket_io")),
        ("page weight of `/embed`, KB (besides the Socket.IO client)",
         b.get("pages", {}).get("/embed", {}).get("kb_without_socket_io")),
        ("Socket.IO client, KB", b.get("pages", {}).get("/", {}).get("socket_io_client_kb")),
        ("first render (first contentful paint), ms", b.get("first_render_ms")),
        ("first event drawn, ms", b.get("first_event_drawn_ms")),
        ("events drawn in the long run", b.get("playback_events_drawn")),
        ("long run played at speed max, s", b.get("playback_seconds")),
        ("main-thread tasks over 50 ms during playback", b.get("long_tasks_over_50ms")),
        ("longest main-thread task during playback, ms", b.get("longest_task_ms")),
    ]
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {name} | {fmt(value)} |" for name, value in rows]
    return "\n".join(lines)


TABLES = {
    "summary": ("Summary", summary),
    "engine": ("Engine, in memory", engine_table),
    "durable": ("Engine, durable (SQLite)", durable_table),
    "server": ("Server", server_table),
    "browser": ("Browser", browser_table),
}
"""Each table by the name its `<!-- bench:NAME -->` markers carry in docs/BENCHMARKS.md."""


def document(results: dict[str, Any]) -> str:
    parts = [f"### {title}\n\n{render(results)}" for title, render in TABLES.values()]
    return "\n\n".join(parts) + "\n"
