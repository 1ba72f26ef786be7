"""Pacing, limits and reaping of live runs, on a virtual clock: no test here waits on the wall."""

from __future__ import annotations

import queue
import threading
from contextlib import contextmanager

import pytest

from saga_core import MemoryHistory, Run, load_scenario
from webapp.errors import ApiError
from webapp.limits import Limits
from webapp.params import RunInputs
from webapp.runner import Runner, wait_on_event
from webapp.testing import FakeClock

CHECKOUT = RunInputs("checkout", "orchestration", ("inventory",), 3)


class Harness:
    """A runner whose pacer runs inline on a virtual clock, recording what it sends."""

    def __init__(self, store=None, **limits) -> None:
        self.clock = FakeClock()
        self.sent: list[tuple[float, str, dict, str]] = []
        self.runner = Runner(
            store or MemoryHistory(), Limits(**limits),
            emit=lambda name, payload, sid: self.sent.append((self.clock.now, name, payload, sid)),
            start_task=lambda task, *args: task(*args),
            sleep=self.clock.sleep, wait=self.clock.wait, clock=self.clock,
        )

    def events(self, sid: str = "a") -> list[tuple[float, dict]]:
        return [(t, p["event"]) for t, name, p, to in self.sent
                if name == "saga_event" and to == sid]

    def states(self, sid: str = "a") -> list[str]:
        return [p["state"] for _, name, p, to in self.sent if name == "run_state" and to == sid]

    def errors(self, sid: str = "a") -> list[dict]:
        return [p for _, name, p, to in self.sent if name == "error" and to == sid]

    def transition_times(self) -> list[float]:
        return sorted({round(t, 6) for t, _ in self.events()})


def engine_transitions(inputs: RunInputs) -> list[list[dict]]:
    run = Run(load_scenario(inputs.scenario), inputs.mode, seed=inputs.seed,
              failures=list(inputs.failures))
    out = []
    while not run.finished:
        out.append([_without_run_id(e.to_dict()) for e in run.step()])
    return out


def _without_run_id(event: dict) -> dict:
    return {k: v for k, v in event.items() if k != "run_id"}


def test_speed_1_plays_one_transition_a_second_until_the_saga_ends():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 1, autoplay=True)
    expected = engine_transitions(CHECKOUT)
    assert live.state == "finished" and live.outcome == "compensated"
    assert h.transition_times() == pytest.approx([float(i) for i in range(len(expected))])
    assert [_without_run_id(e) for _, e in h.events()] == [e for t in expected for e in t]
    assert h.states() == ["ready", "playing", "finished"]


@pytest.mark.parametrize(("speed", "gap"), [(4, 0.25), (0.25, 4.0), (8, 0.125)])
def test_speed_multiplies_the_teaching_pace(speed, gap):
    h = Harness()
    h.runner.start("a", CHECKOUT, speed, autoplay=True)
    times = h.transition_times()
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == pytest.approx(
        [gap] * (len(times) - 1))


def test_max_speed_plays_at_once_but_yields_after_every_transition():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, "max", autoplay=True)
    assert h.transition_times() == [0.0]
    assert h.clock.sleeps == [0.0] * (len(engine_transitions(CHECKOUT)) - 1)
    assert live.outcome == "compensated"


def test_a_pacer_wakes_once_per_transition_however_slow_the_pace():
    h = Harness()
    h.runner.start("a", CHECKOUT, 0.25, autoplay=True)
    gaps = len(engine_transitions(CHECKOUT)) - 1
    assert h.clock.waits == pytest.approx([4.0] * gaps)
    assert h.clock.sleeps == []


def test_time_spent_sending_a_transition_does_not_push_the_next_one_later():
    h = Harness()
    record = h.runner.emit

    def send_taking_10_ms(name, payload, sid):
        h.clock.now += 0.01
        record(name, payload, sid)

    h.runner.emit = send_taking_10_ms
    h.runner.start("a", CHECKOUT, 1, autoplay=True)
    sizes = [len(t) for t in engine_transitions(CHECKOUT)]
    firsts = [sum(sizes[:k]) for k in range(len(sizes))]
    sent = [t for t, _ in h.events()]
    starts = [sent[i] for i in firsts]
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == pytest.approx(
        [1.0] * (len(starts) - 1))


def test_a_faster_speed_wakes_a_pacer_that_sleeps_until_a_slow_transition():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 0.25, autoplay=False)
    h.clock.at(1.0, lambda: h.runner.control("a", live.run_id, "speed", 8))
    h.runner.control("a", live.run_id, "play", None)
    assert h.transition_times()[:3] == pytest.approx([0.0, 1.0, 1.125])


def test_pause_wakes_a_sleeping_pacer_at_once_and_it_stops():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 0.25, autoplay=False)
    h.clock.at(1.5, lambda: h.runner.control("a", live.run_id, "pause", None))
    h.runner.control("a", live.run_id, "play", None)
    assert live.state == "paused" and h.transition_times() == [0.0]
    assert h.clock.now == 1.5, "the pacer slept on past the pause"


class GroupingHistory(MemoryHistory):
    """A memory store taking one append per transition, as the server's store does, that notes
    for each whether it was made inside `grouped()`."""

    commits_per_transition = True

    def share_events(self, run_id, events) -> bool:
        return False

    def __init__(self) -> None:
        super().__init__()
        self.grouping = False
        self.appends: list[bool] = []

    @contextmanager
    def grouped(self):
        self.grouping = True
        try:
            yield
        finally:
            self.grouping = False

    def append(self, run_id, events, world) -> None:
        self.appends.append(self.grouping)
        super().append(run_id, events, world)


@pytest.mark.parametrize(("speed", "grouped"), [("max", True), (1, False), (8, False)])
def test_only_runs_at_speed_max_share_commits_with_other_runs(speed, grouped):
    store = GroupingHistory()
    h = Harness(store)
    h.runner.start("a", CHECKOUT, speed, autoplay=True)
    assert store.appends == [grouped] * len(engine_transitions(CHECKOUT))


def test_a_speed_change_while_playing_applies_from_the_next_transition():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.clock.at(2.2, lambda: h.runner.control("a", live.run_id, "speed", 2))
    h.runner.control("a", live.run_id, "play", None)
    times = h.transition_times()
    assert times[:4] == pytest.approx([0.0, 1.0, 2.0, 2.5])
    assert [b - a for a, b in zip(times[3:], times[4:], strict=False)] == pytest.approx(
        [0.5] * (len(times) - 4))


def test_pause_stops_the_pacer_and_play_carries_on_where_it_stopped():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.clock.at(3.5, lambda: h.runner.control("a", live.run_id, "pause", None))
    h.runner.control("a", live.run_id, "play", None)
    assert live.state == "paused" and h.transition_times() == pytest.approx([0.0, 1, 2, 3])
    h.clock.now = 100.0
    h.runner.control("a", live.run_id, "play", None)
    assert live.state == "finished"
    assert [_without_run_id(e) for _, e in h.events()] == [
        e for t in engine_transitions(CHECKOUT) for e in t]
    assert h.states() == ["ready", "playing", "paused", "playing", "finished"]


def test_step_takes_exactly_one_engine_transition_and_leaves_the_run_paused():
    h = Harness()
    live = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    expected = engine_transitions(CHECKOUT)
    for i in range(3):
        ack = h.runner.control("a", live.run_id, "step", None)
        assert ack["events"] == len(expected[i])
        assert ack["run_state"]["state"] == "paused"
    assert [_without_run_id(e) for _, e in h.events()] == [e for t in expected[:3] for e in t]
    while live.state != "finished":
        h.runner.control("a", live.run_id, "step", None)
    with pytest.raises(ApiError) as refused:
        h.runner.control("a", live.run_id, "step", None)
    assert refused.value.code == "run_finished"


def test_a_run_that_exceeds_its_transition_budget_is_stopped_with_a_reason():
    h = Harness(transitions_per_run=8)
    live = h.runner.start("a", CHECKOUT, "max", autoplay=True)
    assert live.state == "finished" and live.outcome is None
    assert [e["code"] for e in h.errors()] == ["transition_limit"]
    assert "8 transitions" in h.errors()[0]["reason"]


def test_injected_failures_are_capped_per_run():
    h = Harness(failures_per_run=2)
    live = h.runner.start("a", RunInputs("checkout", "orchestration", (), 0), 1, autoplay=False)
    for _ in range(2):
        h.runner.inject("a", live.run_id, "shipping:transient")
    with pytest.raises(ApiError) as refused:
        h.runner.inject("a", live.run_id, "shipping:transient")
    assert refused.value.code == "too_many_failures"


def test_a_client_starting_more_runs_than_its_cap_retires_its_least_recent_run():
    h = Harness(runs_per_client=2)
    first = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.clock.now = 1
    second = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.clock.now = 2
    third = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    assert [r.run_id for r in h.runner.runs_of("a")] == [second.run_id, third.run_id]
    assert [(e["code"], e["run_id"]) for e in h.errors()] == [("run_retired", first.run_id)]
    with pytest.raises(ApiError) as refused:
        h.runner.control("a", first.run_id, "play", None)
    assert refused.value.code == "unknown_run"


def test_the_server_refuses_new_runs_past_its_total_cap():
    h = Harness(runs_total=2)
    h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.runner.start("b", CHECKOUT, 1, autoplay=False)
    with pytest.raises(ApiError) as refused:
        h.runner.start("c", CHECKOUT, 1, autoplay=False)
    assert refused.value.code == "server_busy"


def test_an_orphaned_run_waits_for_reattach_then_is_reaped():
    h = Harness(orphan_seconds=60, idle_seconds=600)
    kept = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    lost = h.runner.start("b", CHECKOUT, 1, autoplay=False)
    h.runner.disconnect("a")
    h.runner.disconnect("b")
    h.clock.now = 30
    h.runner.reattach("c", kept.run_id, kept.token, 0)
    assert h.runner.reap(59) == []
    assert h.runner.reap(61) == [lost.run_id]
    assert h.runner.get(kept.run_id).owner == "c"


def test_an_idle_run_is_reaped_and_its_owner_told_why():
    h = Harness(idle_seconds=600)
    live = h.runner.start("a", CHECKOUT, 1, autoplay=False)
    h.clock.now = 300
    h.runner.control("a", live.run_id, "step", None)
    assert h.runner.reap(899) == []
    assert h.runner.reap(901) == [live.run_id]
    assert h.errors()[-1]["code"] == "run_retired" and "idle" in h.errors()[-1]["reason"]


def test_a_connection_may_burst_then_is_held_to_its_rate():
    h = Harness(messages_per_second=2, message_burst=3)
    for _ in range(3):
        h.runner.admit("a")
    with pytest.raises(ApiError) as refused:
        h.runner.admit("a")
    assert refused.value.code == "too_fast" and "at most 2 messages a second" in (
        refused.value.reason)
    h.runner.admit("b")
    h.clock.now = 0.5
    h.runner.admit("a")


def test_a_pacer_on_a_thread_of_its_own_keeps_the_pace_of_the_virtual_clock():
    """Pacers run on background threads: what they emit there keeps the pace, in order."""
    clock = FakeClock()
    sent: list[tuple[float, str, dict]] = []
    finished = threading.Event()
    pacers: list[threading.Thread] = []

    def emit(event, payload, sid):
        sent.append((clock.now, event, payload))
        if event == "run_state" and payload["state"] == "finished":
            finished.set()

    def start_task(task, *args):
        pacers.append(threading.Thread(target=task, args=args, daemon=True))
        pacers[-1].start()

    runner = Runner(MemoryHistory(), Limits(), emit=emit, start_task=start_task,
                    sleep=clock.sleep, wait=clock.wait, clock=clock)
    runner.start("a", CHECKOUT, 8, autoplay=True)
    assert finished.wait(10), "the pacer thread did not finish the run"
    pacers[0].join(timeout=10)
    assert not pacers[0].is_alive()
    times = sorted({t for t, event, _ in sent if event == "saga_event"})
    assert times == pytest.approx([i * 0.125 for i in range(len(engine_transitions(CHECKOUT)))])
    assert [_without_run_id(p["event"]) for _, event, p in sent if event == "saga_event"] == [
        e for t in engine_transitions(CHECKOUT) for e in t]


class RealWait:
    """The runner's real `wait` (a threading.Event), on a virtual clock that never reaches the
    deadline by itself: only a control ends a wait. Each wait is reported as it begins
    (`asleep`), with how it ended (`woken`)."""

    def __init__(self) -> None:
        self.asleep: queue.Queue[float] = queue.Queue()
        self.woken: list[bool] = []

    def __call__(self, event: threading.Event, seconds: float) -> bool:
        self.asleep.put(seconds)
        woke = wait_on_event(event, GUARD_S)
        self.woken.append(woke)
        return woke


GUARD_S = 30.0
"""Longer than any test here takes, so a wait that nothing ends fails its test."""


def test_a_control_from_another_thread_wakes_a_pacer_asleep_on_its_event():
    """At speed 0.25 the pacer sleeps 4 s; a new speed ends that sleep at once (the next one
    is an eighth of a second), and a pause ends that one and stops the pacer."""
    clock = FakeClock()
    wait = RealWait()
    pacers: list[threading.Thread] = []

    def start_task(task, *args):
        pacers.append(threading.Thread(target=task, args=args, daemon=True))
        pacers[-1].start()

    runner = Runner(MemoryHistory(), Limits(), emit=lambda *sent: None, start_task=start_task,
                    sleep=clock.sleep, wait=wait, clock=clock)
    live = runner.start("a", CHECKOUT, 0.25, autoplay=True)
    try:
        assert wait.asleep.get(timeout=10) == 4.0
        runner.control("a", live.run_id, "speed", 8)
        assert wait.asleep.get(timeout=10) == 0.125, "the new speed did not wake the pacer"
        runner.control("a", live.run_id, "pause", None)
        pacers[0].join(timeout=10)
        assert not pacers[0].is_alive(), "pause did not wake the sleeping pacer"
        assert wait.woken == [True, True] and live.state == "paused"
        assert len(live.engine.events) == len(engine_transitions(CHECKOUT)[0])
    finally:
        runner.shutdown()


def test_the_real_wait_returns_as_soon_as_its_event_is_set():
    event = threading.Event()
    threading.Timer(0.01, event.set).start()
    assert wait_on_event(event, GUARD_S) is True
    assert wait_on_event(threading.Event(), 0) is False
