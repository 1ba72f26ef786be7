"""Real crashes: the process dies at the crash point, a new process resumes from the file alone.

Side effects are counted in the services' own state (their effects ledger and the log of local
transactions), not in the events, so "no committed step ran twice" is checked where it matters.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from saga_core import MODES, Run, SQLiteHistory, load_scenario
from saga_core.cli.durable import EXIT_CRASHED
from saga_core.invariants import check_invariants
from saga_core.world import World

CHECKOUT = load_scenario("checkout")
CRASH_KINDS = {"orchestrator.crashed", "consumer.crashed"}


@dataclass
class Finished:
    """What a user saw: a trace that died, then the resume that finished it."""

    failures: list[str]
    store: Path
    trace: subprocess.CompletedProcess
    resume: subprocess.CompletedProcess

    @property
    def before(self) -> list[dict]:
        return [json.loads(line) for line in self.trace.stdout.splitlines()]

    @property
    def history(self) -> list[dict]:
        return [json.loads(line) for line in self.resume.stdout.splitlines()]


def sagascope(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "saga_core.cli", *args], capture_output=True, text=True, timeout=60
    )


def crash_and_resume(folder: Path, mode: str, failures: list[str]) -> Finished:
    store = folder / f"{mode}-{'-'.join(failures).replace(':', '_')}.db"
    fails = [arg for spec in failures for arg in ("--fail", spec)]
    trace = sagascope("trace", "--mode", mode, *fails, "--store", str(store), "--json")
    resume = sagascope("resume", "--store", str(store), "--json")
    return Finished(failures, store, trace, resume)


SINGLE = [(mode, [f"{step}:crash"]) for mode in MODES for step in CHECKOUT.step_names]
COMPENSATING = [
    ("orchestration", ["payment:crash", "shipping"]),
    ("hybrid", ["inventory:crash", "payment:compensate:2", "shipping"]),
    ("choreography", ["payment:crash", "inventory"]),
]


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> dict[tuple[str, str], Finished]:
    """Every crash story, each in two real processes (run side by side to save time)."""
    folder = tmp_path_factory.mktemp("crashes")
    stories = SINGLE + COMPENSATING
    with ThreadPoolExecutor(max_workers=4) as pool:
        done = pool.map(lambda story: crash_and_resume(folder, *story), stories)
        return {(mode, " ".join(f)): result for (mode, f), result in zip(stories, done,
                                                                           strict=True)}


def check_story(finished, mode: str, failures: list[str]) -> tuple[Finished, World]:
    story = finished[(mode, " ".join(failures))]
    assert story.trace.returncode == EXIT_CRASHED, story.trace.stderr
    assert "the process dies here" in story.trace.stderr
    crash = story.before[-1]
    assert crash["kind"] in CRASH_KINDS
    assert crash["step"] == failures[0].split(":")[0]
    assert story.resume.returncode == 0, story.resume.stderr

    history = story.history
    assert history[: len(story.before)] == story.before, "the replayed events come first"
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1)), "each event once"
    uncrashed = Run(CHECKOUT, mode, failures=failures)
    uncrashed.run_to_end()
    assert history == [e.to_dict() for e in uncrashed.events]

    with SQLiteHistory(story.store, create=False) as store:
        run_id = store.latest_run_id()
        world = World.from_snapshot(store.world(run_id))
        assert store.record(run_id).status == uncrashed.outcome
        events = store.events(run_id)
    assert check_invariants(CHECKOUT, mode, world, events) == uncrashed.outcome
    return story, world


@pytest.mark.parametrize(("mode", "failures"), SINGLE)
def test_a_process_killed_right_after_a_step_commits_resumes_and_no_step_runs_twice(
    finished, mode, failures
):
    story, world = check_story(finished, mode, failures)
    for step in CHECKOUT.steps:
        assert world.applied_count(step.name) == 1, f"{step.name} took effect more than once"
        assert world[step.service].effects[f"{story.before[0]['run_id']}:{step.name}"] == [1, 0]
    if mode == "choreography":
        crash = story.before[-1]
        again = [e for e in story.history[len(story.before):]
                 if e["kind"] == "message.duplicate_ignored"
                 and e["detail"]["message_id"] == crash["detail"]["message_id"]]
        assert again, "the message the dead consumer never acked is redelivered and deduped"


@pytest.mark.parametrize(("mode", "failures"), COMPENSATING)
def test_a_crash_before_a_failure_still_undoes_every_committed_step_exactly_once(
    finished, mode, failures
):
    _, world = check_story(finished, mode, failures)
    applied = [step for op, step in world.log if op == "apply"]
    undone = [step for op, step in world.log if op == "undo"]
    assert applied and undone == list(reversed(applied))


def test_a_second_crash_kills_the_resuming_process_too_and_a_third_process_finishes(tmp_path):
    store = str(tmp_path / "twice.db")
    fails = ["--fail", "order:crash", "--fail", "inventory:crash"]
    first = sagascope("trace", "--mode", "hybrid", *fails, "--store", store)
    second = sagascope("resume", "--store", store)
    third = sagascope("resume", "--store", store)
    assert (first.returncode, second.returncode, third.returncode) == (EXIT_CRASHED,
                                                                        EXIT_CRASHED, 0)
    assert "crashed right after order committed" in first.stderr
    assert "crashed right after inventory committed" in second.stderr
    assert "outcome: completed" in third.stdout
    assert third.stdout.count("A new orchestrator replays") == 2


def test_a_process_killed_at_an_arbitrary_moment_resumes_to_the_same_events(tmp_path):
    store = tmp_path / "killed.db"
    # Hundreds of failed compensations make a run far longer than a pipe's buffer of output, so
    # the process is still mid-run when it is killed (it blocks writing once the pipe is full).
    failures = ["inventory:compensate:100"] * 6 + ["shipping"]
    fails = [arg for spec in failures for arg in ("--fail", spec)]
    child = subprocess.Popen(
        [sys.executable, "-m", "saga_core.cli", "trace", *fails, "--store", str(store), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    seen = [child.stdout.readline() for _ in range(40)]
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert all(seen)

    with SQLiteHistory(store, create=False) as history:
        run_id = history.latest_run_id()
        (summary,) = history.summaries()
        assert summary.status == "interrupted"
        assert 40 <= summary.events < 1000
        resumed = Run.resume(CHECKOUT, history, run_id)
        resumed.run_to_end()
    uncrashed = Run(CHECKOUT, "orchestration", failures=failures)
    uncrashed.run_to_end()
    assert len(uncrashed.events) > 1000
    assert [e.to_json() for e in resumed.events] == [e.to_json() for e in uncrashed.events]
    assert resumed.world.applied_count("inventory") == 1
    assert resumed.world.snapshot() == uncrashed.world.snapshot()
