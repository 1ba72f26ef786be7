"""The engine on its SQLite history store, against raw SQLite and against DBOS.

Subject: the same runs as the in-memory section, recorded in `SQLiteHistory` (one transaction
per transition, holding its events and the services it changed; WAL, synchronous=NORMAL), all
runs appended to one file.

Limit: raw SQLite replaying exactly the store's commits and rows (`raw_sqlite`).
Peer: DBOS 3.4 running the same checkout saga on SQLite with the same settings (`dbos_peer`),
orchestration success path (DBOS is an orchestrator).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from saga_core import MODES, Run, load_scenario

from . import dbos_peer
from .measure import Budget, Unavailable, interleaved_rates, ratio, rounded
from .raw_sqlite import RawReplayer, plan_from, plan_stats, recording_connections
from .workload import MIXES, SCENARIO, Case, cases

HEADLINE = ("orchestration", "success")
SETTINGS = "WAL, synchronous=NORMAL, one transaction per transition"


def store_class():
    """The SQLite history store, or the reason it cannot be measured."""
    try:
        from saga_core.store.sqlite import SQLiteHistory
    except ImportError as exc:
        raise Unavailable(f"the SQLite history store is not available ({exc})") from exc
    return SQLiteHistory


def capture_plans(store_cls, mode: str, pool: list[Case], path: Path):
    """Record what the store writes for each case (twice, to locate the run's identity)."""
    saga = load_scenario(SCENARIO)
    recorders: list = []
    with recording_connections(recorders):
        store = store_cls(path)
    recorder = recorders[-1]
    plans = []
    try:
        for i, case in enumerate(pool):
            takes = []
            run_ids = (f"capture-a-{i}", f"capture-b-{i}")
            for run_id in run_ids:
                before = len(recorder.transactions)
                Run(saga, mode, seed=case.seed, failures=case.failures, store=store,
                    run_id=run_id).run_to_end()
                takes.append(recorder.transactions[before:])
            plans.append(plan_from(takes[0], takes[1], run_ids))
    finally:
        store.close()
    return plans


def store_batch(store, mode: str, pool: list[Case]):
    saga = load_scenario(SCENARIO)
    counter = [0]

    def batch(n: int) -> None:
        for i in range(n):
            counter[0] += 1
            case = pool[i % len(pool)]
            Run(saga, mode, seed=case.seed, failures=case.failures, store=store,
                run_id=f"bench-{counter[0]}").run_to_end()

    return batch


def raw_batch(replayer: RawReplayer, plans):
    def batch(n: int) -> None:
        for i in range(n):
            replayer.replay(plans[i % len(plans)])

    return batch


def measure(budget: Budget, quick: bool) -> dict:
    store_cls = store_class()
    pool_size = 20 if quick else 200
    out: dict = {"settings": SETTINGS, "modes": {}}
    with tempfile.TemporaryDirectory(prefix="sagascope-bench-") as tmp:
        folder = Path(tmp)
        dbos, dbos_reason = _start_dbos(folder)
        try:
            for mode in MODES:
                out["modes"][mode] = {}
                for mix, failure_rate in MIXES.items():
                    peer = dbos if (mode, mix) == HEADLINE else None
                    out["modes"][mode][mix] = measure_case(
                        store_cls, mode, cases(pool_size, failure_rate), folder / f"{mode}-{mix}",
                        budget, quick, peer,
                    )
        finally:
            if dbos is not None:
                dbos.close()
    headline = out["modes"][HEADLINE[0]][HEADLINE[1]]
    out.update(
        {
            "sagas_per_s": headline["sagas_per_s"],
            "headline": f"{HEADLINE[0]}, {HEADLINE[1]} path, {SCENARIO} scenario",
            "raw_sqlite_sagas_per_s": headline["raw_sqlite_sagas_per_s"],
            "vs_raw_sqlite_ratio": headline["vs_raw_sqlite_ratio"],
            "dbos_sagas_per_s": headline.get("dbos_sagas_per_s"),
            "vs_dbos_ratio": headline.get("vs_dbos_ratio"),
        }
    )
    if dbos_reason:
        out["dbos_sagas_per_s_reason"] = out["vs_dbos_ratio_reason"] = dbos_reason
    return out


def measure_case(store_cls, mode: str, pool: list[Case], stem: Path, budget: Budget,
                 quick: bool, dbos) -> dict:
    """One mode and mix: the store, raw SQLite replaying its rows, and DBOS when given."""
    plans = capture_plans(store_cls, mode, pool, stem.with_name(f"capture-{stem.name}.sqlite"))
    stats = [plan_stats(p) for p in plans]
    store = store_cls(stem.with_name(f"store-{stem.name}.sqlite"))
    raw = RawReplayer(stem.with_name(f"raw-{stem.name}.sqlite"), schema_of(store_cls))
    batches = {"store": store_batch(store, mode, pool), "raw": raw_batch(raw, plans)}
    if dbos is not None:
        batches["dbos"] = dbos.batch
    try:
        rates = interleaved_rates(batches, budget, at_least={"dbos": 5 if quick else 20})
    finally:
        store.close()
        raw.close()
    per_saga = {k: sum(s[k] for s in stats) / len(stats) for k in ("commits", "rows", "bytes")}
    figures = {
        "sagas_per_s": rounded(rates["store"]),
        "raw_sqlite_sagas_per_s": rounded(rates["raw"]),
        "vs_raw_sqlite_ratio": rounded(ratio(rates["store"], rates["raw"])),
        "commits_per_saga": rounded(per_saga["commits"]),
        "rows_per_saga": rounded(per_saga["rows"]),
        "bytes_per_saga": rounded(per_saga["bytes"]),
    }
    if dbos is not None:
        figures["dbos_sagas_per_s"] = rounded(rates["dbos"])
        figures["vs_dbos_ratio"] = rounded(ratio(rates["store"], rates["dbos"]))
    return figures


def schema_of(store_cls):
    def make(path: Path) -> None:
        store_cls(path).close()

    return make


def _start_dbos(folder: Path):
    reason = dbos_peer.available()
    if reason:
        return None, reason
    try:
        return dbos_peer.DbosCheckout(folder / "dbos.sqlite"), None
    except Exception as exc:  # a peer that will not start must not stop our own figures
        return None, f"DBOS did not start: {type(exc).__name__}: {exc}"
