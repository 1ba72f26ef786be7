"""The in-memory engine against the CPython limit for an event-emitting engine.

Subject: `Run(checkout, mode, seed=…, failures=…).run_to_end()` with full events, narration,
history appends and the invariant check, on the in-memory history store.

Baseline (the limit): a bare loop that builds the very same event dicts, one fresh dict per
event (a fresh `detail` dict, the narration string formatted), appended to a per-saga list;
no scheduling, no state, no checks. Whatever the engine spends above that is its overhead.

Reference: a plain Python saga (four calls and a reverse list of compensations, no events), the
floor of the pattern itself.
"""

from __future__ import annotations

from saga_core import MODES, Run, load_scenario

from .measure import Budget, paired_rates, rate, ratio, rounded
from .workload import MIXES, SCENARIO, Case, cases

POOL_SIZE = 500
HEADLINE = ("orchestration", "success")

Template = list[tuple[int, str, str, str | None, dict, str]]


def event_templates(mode: str, pool: list[Case]) -> tuple[list[Template], float]:
    """The engine's own events for each case (to rebuild in the bare loop), and transitions/saga."""
    templates, transitions = [], 0
    for case in pool:
        run = Run(load_scenario(SCENARIO), mode, seed=case.seed, failures=case.failures)
        run.run_to_end()
        transitions += run.sim.transitions
        templates.append(
            [(e.t_ms, e.kind, e.actor, e.step, e.detail, e.narration[:-1]) for e in run.events]
        )
    return templates, transitions / len(pool)


def engine_batch(mode: str, pool: list[Case]):
    saga = load_scenario(SCENARIO)

    def batch(n: int) -> None:
        for i in range(n):
            case = pool[i % len(pool)]
            Run(saga, mode, seed=case.seed, failures=case.failures).run_to_end()

    return batch


def bare_batch(mode: str, templates: list[Template]):
    def batch(n: int) -> None:
        for i in range(n):
            run_id = f"r-{i:010x}"
            events = []
            for seq, (t_ms, kind, actor, step, detail, text) in enumerate(
                templates[i % len(templates)], 1
            ):
                events.append(
                    {
                        "seq": seq,
                        "t_ms": t_ms,
                        "run_id": run_id,
                        "mode": mode,
                        "kind": kind,
                        "actor": actor,
                        "step": step,
                        "detail": dict(detail),
                        "narration": f"{text}.",
                    }
                )

    return batch


def plain_python_batch():
    """Four calls and a reverse list of compensations: the saga pattern with nothing else."""
    state = {"orders": {}, "balance": 50_000, "stock": 10, "slots": 5}

    def set_order(status):
        def change(o):
            state["orders"][o] = status

        return change

    def add(key, amount):
        def change(o):
            state[key] += amount

        return change

    steps = (
        (set_order("PENDING"), set_order("CANCELLED")),
        (add("balance", -4200), add("balance", 4200)),
        (add("stock", -1), add("stock", 1)),
        (add("slots", -1), add("slots", 1)),
    )

    def batch(n: int) -> None:
        for i in range(n):
            order, undo = f"o-{i}", []
            for action, compensation in steps:
                action(order)
                undo.append(compensation)
            for compensation in reversed(undo):  # undo, so the state stays bounded
                compensation(order)

    return batch


def measure(budget: Budget) -> dict:
    modes: dict[str, dict] = {}
    for mode in MODES:
        modes[mode] = {}
        for mix, failure_rate in MIXES.items():
            pool = cases(POOL_SIZE, failure_rate)
            templates, transitions_per_saga = event_templates(mode, pool)
            events_per_saga = sum(map(len, templates)) / len(templates)
            sagas, bare = paired_rates(
                engine_batch(mode, pool), bare_batch(mode, templates), budget
            )
            modes[mode][mix] = {
                "sagas_per_s": rounded(sagas),
                "transitions_per_s": rounded(sagas * transitions_per_saga),
                "events_per_s": rounded(sagas * events_per_saga),
                "events_per_saga": rounded(events_per_saga),
                "bare_loop_sagas_per_s": rounded(bare),
                "vs_bare_ratio": rounded(ratio(sagas, bare)),
            }
    plain = rate(plain_python_batch(), 200_000 if budget.seconds > 0.5 else 30_000, 3)
    headline = modes[HEADLINE[0]][HEADLINE[1]]
    return {
        "in_memory_sagas_per_s": headline["sagas_per_s"],
        "in_memory_vs_bare_ratio": headline["vs_bare_ratio"],
        "in_memory_headline": f"{HEADLINE[0]}, {HEADLINE[1]} path, {SCENARIO} scenario",
        "plain_python_sagas_per_s": rounded(plain),
        "modes": modes,
    }
