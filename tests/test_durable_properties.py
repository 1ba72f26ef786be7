"""Whatever fails, and wherever the process dies, the SQLite history tells the same story.

Runs on the SQLite store give the same events, byte for byte, as on the memory store; a run cut
after any transition, its `Run` thrown away and resumed from the file alone, ends exactly like
the run that never crashed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from saga_core import FAILURE_KINDS, MODES, Run, SQLiteHistory, load_scenario

CHECKOUT = load_scenario("checkout")
specs = st.builds(
    lambda step, kind, n: f"{step}:{kind}:{n}",
    st.sampled_from(CHECKOUT.step_names),
    st.sampled_from(list(FAILURE_KINDS)),
    st.integers(min_value=1, max_value=4),
)
failure_sets = st.lists(specs, max_size=5)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_json(events) -> list[str]:
    return [e.to_json() for e in events]


class Folder:
    """A fresh folder per example (hypothesis cannot use pytest's per-test tmp_path)."""

    def __enter__(self) -> Path:
        self.path = Path(tempfile.mkdtemp(prefix="sagascope-"))
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@SETTINGS
@given(mode=st.sampled_from(MODES), failures=failure_sets, seed=st.integers(0, 2**31),
       late=st.lists(st.tuples(st.integers(0, 25), specs), max_size=2))
def test_any_failures_give_the_same_events_on_sqlite_as_in_memory(mode, failures, seed, late):
    with Folder() as folder, SQLiteHistory(folder / "h.db") as store:
        in_memory = Run(CHECKOUT, mode, failures=failures, seed=seed)
        durable = Run(CHECKOUT, mode, failures=failures, seed=seed, store=store)
        for after, spec in sorted(late):
            for run in (in_memory, durable):
                while len(run.events) < after and not run.finished:
                    run.step()
                if not run.finished:
                    run.inject(spec)
        in_memory.run_to_end()
        durable.run_to_end()
        assert as_json(store.events(durable.run_id)) == as_json(in_memory.events)
        assert store.world(durable.run_id) == in_memory.world.snapshot()
        assert store.record(durable.run_id).status == in_memory.outcome


@SETTINGS
@given(mode=st.sampled_from(MODES), failures=failure_sets, seed=st.integers(0, 1000),
       cut=st.floats(0, 1))
def test_a_crash_after_any_transition_resumes_to_the_outcome_of_the_uncrashed_run(
    mode, failures, seed, cut
):
    uncrashed = Run(CHECKOUT, mode, failures=failures, seed=seed)
    uncrashed.run_to_end()
    transitions = int(cut * len(uncrashed.events))
    with Folder() as folder:
        cut_short = Run(CHECKOUT, mode, failures=failures, seed=seed,
                        store=SQLiteHistory(folder / "h.db"))
        for _ in range(transitions):
            cut_short.step()
        run_id = cut_short.run_id
        cut_short.store.close()  # type: ignore[attr-defined]
        del cut_short  # the process is gone: only the file remains

        with SQLiteHistory(folder / "h.db", create=False) as store:
            resumed = Run.resume(CHECKOUT, store, run_id)
            resumed.run_to_end()
            assert resumed.outcome == uncrashed.outcome
            assert as_json(resumed.events) == as_json(uncrashed.events)
            assert resumed.world.snapshot() == uncrashed.world.snapshot()
            assert store.record(run_id).status == uncrashed.outcome


class CrashingSaga(RuleBasedStateMachine):
    """Step, inject faults and kill the durable run at will; it must track the one in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="sagascope-"))
        self.path = self.folder / "h.db"
        self.memory: Run | None = None
        self.durable: Run | None = None

    def teardown(self) -> None:
        if self.durable is not None:
            self.durable.store.close()  # type: ignore[attr-defined]
        shutil.rmtree(self.folder, ignore_errors=True)

    @precondition(lambda self: self.memory is None)
    @rule(mode=st.sampled_from(MODES), failures=failure_sets, seed=st.integers(0, 1000))
    def start(self, mode, failures, seed) -> None:
        self.memory = Run(CHECKOUT, mode, failures=failures, seed=seed)
        self.durable = Run(CHECKOUT, mode, failures=failures, seed=seed,
                           store=SQLiteHistory(self.path))

    @precondition(lambda self: self.memory is not None and not self.memory.finished)
    @rule(steps=st.integers(1, 8))
    def advance(self, steps) -> None:
        for _ in range(steps):
            if self.memory.finished:
                break
            assert as_json(self.durable.step()) == as_json(self.memory.step())

    @precondition(lambda self: self.memory is not None and not self.memory.finished)
    @rule(spec=specs)
    def inject(self, spec) -> None:
        assert self.durable.inject(spec).to_json() == self.memory.inject(spec).to_json()

    @precondition(lambda self: self.durable is not None)
    @rule()
    def kill_and_resume(self) -> None:
        run_id = self.durable.run_id
        self.durable.store.close()  # type: ignore[attr-defined]
        self.durable = Run.resume(CHECKOUT, SQLiteHistory(self.path, create=False), run_id)

    @invariant()
    def the_file_tells_the_story_of_the_run_in_memory(self) -> None:
        if self.durable is None:
            return
        store = self.durable.store
        assert as_json(store.events(self.durable.run_id)) == as_json(self.memory.events)
        assert store.world(self.durable.run_id) == self.memory.world.snapshot()

    @invariant()
    def no_effect_is_applied_twice_and_undos_mirror_the_applies(self) -> None:
        if self.durable is None:
            return
        log = self.durable.world.log
        applied = [step for op, step in log if op == "apply"]
        undone = [step for op, step in log if op == "undo"]
        assert len(applied) == len(set(applied))
        assert undone == list(reversed(applied))[: len(undone)]
        if self.durable.outcome == "compensated":
            assert undone == list(reversed(applied))


CrashingSaga.TestCase.settings = settings(
    max_examples=40, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_a_durable_run_crashed_and_resumed_at_will_tracks_the_run_in_memory = CrashingSaga.TestCase
