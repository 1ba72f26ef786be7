"""Two processes writing one history file: neither corrupts it, and one run has one writer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

from saga_core import Run, SQLiteHistory, load_scenario
from saga_core.cli.durable import EXIT_CRASHED
from saga_core.world import World

CHECKOUT = load_scenario("checkout")
RUNS_EACH = 30

# Each writer opens the file, says it is ready, waits for the word, then records its runs. Its
# first run stays open until the other writer's first run exists, so the two really write at
# once however the machine schedules them.
WRITER = textwrap.dedent("""
    import sqlite3, sys, time
    from saga_core import Run, SQLiteHistory, load_scenario

    path, first_seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    saga = load_scenario("checkout")
    store = SQLiteHistory(path)
    print("ready", flush=True)
    sys.stdin.readline()

    def both_writing():
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(DISTINCT writer) FROM runs").fetchone()[0] == 2

    for seed in range(first_seed, first_seed + count):
        mode = ("orchestration", "choreography", "hybrid")[seed % 3]
        failures = [("payment:transient:2", "inventory", "shipping:drop")[seed % 3]]
        run = Run(saga, mode, seed=seed, failures=failures, store=store)
        run.step()
        deadline = time.monotonic() + 60
        while seed == first_seed and not both_writing() and time.monotonic() < deadline:
            time.sleep(0.01)
        run.run_to_end()
    print("done", flush=True)
""")


def test_two_processes_append_to_one_file_at_once_and_every_run_is_whole(tmp_path):
    path = tmp_path / "shared.db"
    SQLiteHistory(path).close()  # the file exists before either writer starts
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first), str(RUNS_EACH)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for first in (0, 1000)
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:  # both start together
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        out, _ = writer.communicate(timeout=120)
        assert writer.returncode == 0 and out.strip() == "done"

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        writers_in_order = [w for (w,) in db.execute("SELECT writer FROM runs ORDER BY run")]
    db.close()
    assert len(set(writers_in_order[:2])) == 2, "the first runs of both writers were open at once"

    store = SQLiteHistory(path, create=False)
    records = store.runs()
    assert len(records) == 2 * RUNS_EACH
    for record in records:
        alone = Run(CHECKOUT, record.mode, seed=record.seed, failures=record.failures)
        alone.run_to_end()
        assert store.events(record.run_id) == alone.events
        assert store.world(record.run_id) == alone.world.snapshot()
        assert record.status == alone.outcome


def test_two_processes_resuming_one_crashed_run_never_apply_a_step_twice(tmp_path):
    path = str(tmp_path / "contested.db")
    cli = [sys.executable, "-m", "saga_core.cli"]
    crashed = subprocess.run([*cli, "trace", "--mode", "choreography", "--fail", "order:crash",
                              "--store", path], capture_output=True, text=True, timeout=60)
    assert crashed.returncode == EXIT_CRASHED
    resumers = [subprocess.Popen([*cli, "resume", "--store", path], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(r.communicate(timeout=60)[1], r.returncode) for r in resumers]
    for err, code in results:
        # Each one finished the run, found it finished, or was stopped by the other's commits.
        assert code == 0 or (code == 2 and "advanced by another process" in err), err
        assert "Traceback" not in err
    assert any(code == 0 for _, code in results)

    with SQLiteHistory(path, create=False) as store:
        run_id = store.latest_run_id()
        world = World.from_snapshot(store.world(run_id))
        events = store.events(run_id)
        assert store.record(run_id).status == "completed"
    alone = Run(CHECKOUT, "choreography", failures=["order:crash"])
    alone.run_to_end()
    assert events == alone.events
    for step in CHECKOUT.step_names:
        assert world.applied_count(step) == 1
