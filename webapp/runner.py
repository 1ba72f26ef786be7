"""Live runs on the server: who owns which run, how each one is paced, and the caps that keep one
client from starving the others.

A playing run has a background task (`start_task`, i.e. `socketio.start_background_task`) that
takes one engine transition, emits its events, then sleeps until the next one is due: one wake-up
per transition, however slow the pace. Every control that changes what the pacer should do
(pause, step, a new speed, retiring the run) sets the run's `wake` event, which ends that sleep
at once. At speed max it only yields (`sleep(0)`) between transitions. Clock, sleep and the
interruptible `wait` are injectable, so pacing is tested on a virtual clock. Runs at speed max
write without pause, so their transitions may share a commit with other such runs' (the store's
`grouped`); a paced run's transition is committed on its own.
Runs belong to the connection that started them; ids and tokens are unguessable, and only a
client holding the token can `reattach` a run to a new connection.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from saga_core import HistoryStore, Run, SagaDidNotTerminate

from .errors import ApiError
from .limits import Limits, RateLimiter
from .live_run import FINISHED, PAUSED, PLAYING, READY, LiveRun
from .params import MAX_SEED, MAX_SPEED, RunInputs, Speed, check_failure

log = logging.getLogger(__name__)

Emit = Callable[[str, dict, str], None]
"""emit(event_name, payload, sid)"""
StartTask = Callable[..., Any]
Sleep = Callable[[float], None]
Wait = Callable[[threading.Event, float], object]
"""wait(event, seconds): sleep until `event` is set or `seconds` have passed"""

ACTIONS = ("play", "pause", "step", "reset", "speed")
REAPER_TICK_S = 0.5


def wait_on_event(event: threading.Event, seconds: float) -> bool:
    """The real `Wait`: threading mode's pacers are threads, so a threading.Event wakes them."""
    return event.wait(seconds)


class Runner:
    """Every live run of one app, with ownership, pacing, limits and reaping."""

    def __init__(
        self,
        store: HistoryStore,
        limits: Limits,
        *,
        emit: Emit,
        start_task: StartTask,
        sleep: Sleep,
        wait: Wait = wait_on_event,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.limits = limits
        self.emit = emit
        self.start_task = start_task
        self.sleep = sleep
        self.wait = wait
        self.clock = clock
        self.rate = RateLimiter(limits.messages_per_second, limits.message_burst)
        self._runs: dict[str, LiveRun] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self._reaper_started = False

    # -- reading ------------------------------------------------------------------------------
    def get(self, run_id: str) -> LiveRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def runs_of(self, sid: str) -> list[LiveRun]:
        with self._lock:
            return [r for r in self._runs.values() if r.owner == sid]

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)

    # -- client requests ------------------------------------------------------------------------
    def admit(self, sid: str) -> None:
        """Refuse a message from a connection that sends faster than its rate."""
        if not self.rate.allow(sid, self.clock()):
            raise ApiError("too_fast", f"at most {self.limits.messages_per_second:g} messages a "
                           f"second (bursts of {self.limits.message_burst}); wait a moment and "
                           "send it again")

    def start(self, sid: str, inputs: RunInputs, speed: Speed, autoplay: bool) -> LiveRun:
        """A new run owned by `sid`, ready (or playing with `autoplay`)."""
        self.reap()
        with self._lock:
            if self._stopped:
                raise ApiError("server_busy", "the server is shutting down; try again shortly")
            if len(self._runs) >= self.limits.runs_total:
                raise ApiError("server_busy", f"the server already runs {len(self._runs)} sagas, "
                               "its limit; try again in a minute")
        live = self._open(sid, inputs, speed)
        self._enforce_client_cap(sid, keep=live)
        if autoplay:
            with live.lock:
                self._play(live)
        return live

    def control(self, sid: str, run_id: str, action: str, speed: Speed | None) -> dict[str, Any]:
        """play | pause | step | reset | speed; answers the ack's fields."""
        live = self._owned(sid, run_id)
        if action == "reset":
            return self._reset(sid, live)
        with live.lock:
            self._check_owner(sid, live)
            live.last_active = self.clock()
            live.wake.set()  # whatever the action, the pacer looks again at once
            if speed is not None:
                live.speed = speed
            if action == "play":
                self._refuse_if_finished(live, "play")
                if live.state != PLAYING:
                    self._play(live)
                else:
                    self._send_state(live)
            elif action == "pause":
                if live.state == PLAYING:
                    live.state = PAUSED
                    live.generation += 1
                self._send_state(live)
            elif action == "step":
                self._refuse_if_finished(live, "step")
                live.generation += 1
                events = self._advance(live)
                if live.state != FINISHED:
                    live.state = PAUSED
                self._send_state(live)
                return {"run_id": live.run_id, "events": len(events), **self._ack_state(live)}
            elif action == "speed":
                self._send_state(live)
            return {"run_id": live.run_id, **self._ack_state(live)}

    def inject(self, sid: str, run_id: str, spec: Any) -> dict[str, Any]:
        """Arm a failure in a running run; the `failure.injected` event is streamed like any."""
        live = self._owned(sid, run_id)
        with live.lock:
            self._check_owner(sid, live)
            spec = check_failure(spec, live.engine.saga)
            self._refuse_if_finished(live, "inject a failure into")
            if live.injected >= self.limits.failures_per_run:
                raise ApiError("too_many_failures", f"run {run_id} already had "
                               f"{live.injected} failures injected, the limit; reset it to "
                               "start again", run_id)
            event = live.engine.inject(spec)
            live.injected += 1
            live.last_active = self.clock()
            self._send(live, "saga_event", {"run_id": live.run_id, "event": event.to_dict()})
            return {"run_id": live.run_id, "seq": event.seq}

    def reattach(self, sid: str, run_id: str, token: str, last_seq: int) -> dict[str, Any]:
        """Hand a run to a new connection that holds its token; re-send what it missed."""
        live = self.get(run_id)
        if live is None:
            raise self._unknown(run_id)
        if not hmac.compare_digest(live.token.encode(), token.encode()):
            raise ApiError("bad_token", f"the token does not match run {run_id}; only the "
                           "connection that started a run gets its token", run_id)
        with live.lock:
            live.owner = sid
            live.orphaned_at = None
            live.last_active = self.clock()
            missed = live.events_after(last_seq)
            for event in missed:
                self._send(live, "saga_event", {"run_id": live.run_id, "event": event})
            self._send_state(live)
        self._enforce_client_cap(sid, keep=live)
        return {"run_id": live.run_id, "resent": len(missed), **self._ack_state(live)}

    def disconnect(self, sid: str) -> None:
        """The connection went away: its runs wait `orphan_seconds` for a reattach."""
        now = self.clock()
        self.rate.forget(sid)
        for live in self.runs_of(sid):
            with live.lock:
                if live.owner == sid:
                    live.owner = None
                    live.orphaned_at = now

    # -- housekeeping ---------------------------------------------------------------------------
    def reap(self, now: float | None = None) -> list[str]:
        """Retire runs left alone too long; answers their ids."""
        now = self.clock() if now is None else now
        with self._lock:
            runs = list(self._runs.values())
        reaped = []
        for live in runs:
            orphaned = live.orphaned_at is not None and (
                now - live.orphaned_at >= self.limits.orphan_seconds
            )
            if orphaned or now - live.last_active >= self.limits.idle_seconds:
                self._retire(live, f"run {live.run_id} sat idle for more than "
                             f"{self.limits.idle_seconds:g} s and was retired; start a new run")
                reaped.append(live.run_id)
        return reaped

    def ensure_reaper(self) -> None:
        """Start the periodic reaper once (on the first connection)."""
        with self._lock:
            if self._reaper_started or self._stopped:
                return
            self._reaper_started = True
        self.start_task(self._reap_forever)

    def shutdown(self) -> None:
        """Stop every pacer and the reaper; live runs stay in the history store."""
        with self._lock:
            self._stopped = True
            runs = list(self._runs.values())
        for live in runs:
            self._retire(live, None)
        self.store.close()

    # -- internals ------------------------------------------------------------------------------
    def _open(self, sid: str, inputs: RunInputs, speed: Speed) -> LiveRun:
        run_id = "r-" + secrets.token_hex(12)
        engine = Run(
            inputs.saga, inputs.mode, seed=inputs.seed, failures=list(inputs.failures),
            run_id=run_id, store=self.store, scenario=inputs.scenario,
            max_transitions=self.limits.transitions_per_run,
        )
        live = LiveRun(inputs, engine, secrets.token_urlsafe(24), sid, speed, self.clock())
        with self._lock:
            self._runs[run_id] = live
        with live.lock:
            self._send_state(live)
        return live

    def _reset(self, sid: str, old: LiveRun) -> dict[str, Any]:
        with old.lock:
            self._check_owner(sid, old)
            speed = old.speed
        self._retire(old, None)
        new = self._open(sid, old.inputs, speed)
        return {"run_id": new.run_id, "token": new.token, **self._ack_state(new)}

    def _play(self, live: LiveRun) -> None:
        live.state = PLAYING
        live.generation += 1
        self._send_state(live)
        self.start_task(self._pace, live, live.generation)

    def _pace(self, live: LiveRun, generation: int) -> None:
        """The background task of one playing run: a transition whenever one is due, asleep in
        between until it is due or a control wakes it."""
        while True:
            with live.lock:
                if live.generation != generation or live.state != PLAYING:
                    return
                wait = live.last_step_at + live.interval() - self.clock()
                if wait <= 0:
                    with self.store.grouped() if live.speed == MAX_SPEED else nullcontext():
                        self._advance(live)
                    if live.state != PLAYING:
                        return
                    wait = live.last_step_at + live.interval() - self.clock()
                live.wake.clear()  # under the lock: a control after this point wakes the wait
            if wait > 0:
                self.wait(live.wake, wait)
            else:
                self.sleep(0)  # speed max: let the connections' writers send what it emitted

    def _advance(self, live: LiveRun) -> list:
        """One engine transition, its events emitted in order. Called with the lock held."""
        now = self.clock()
        live.last_step_at = live.last_active = now
        try:
            events = live.engine.step()
        except SagaDidNotTerminate:
            self._halt(live, "transition_limit", f"run {live.run_id} took "
                       f"{self.limits.transitions_per_run} transitions, the limit, and was stopped")
            return []
        except Exception:  # noqa: BLE001 - an engine fault stops this run, not the server
            log.exception("run %s failed", live.run_id)
            self._halt(live, "internal", f"run {live.run_id} failed inside the server and was "
                       "stopped; start a new run")
            return []
        for event in events:
            self._send(live, "saga_event", {"run_id": live.run_id, "event": event.to_dict()})
        if live.engine.finished:
            live.state = FINISHED
            live.generation += 1
            self._send_state(live)
        return events

    def _halt(self, live: LiveRun, code: str, reason: str) -> None:
        live.state = FINISHED
        live.generation += 1
        self._send(live, "error", ApiError(code, reason, live.run_id).event())
        self._send_state(live)

    def _retire(self, live: LiveRun, reason: str | None) -> None:
        with live.lock:
            live.generation += 1
            live.retired = True
            live.wake.set()
            if reason is not None:
                self._send(live, "error", ApiError("run_retired", reason, live.run_id).event())
        with self._lock:
            self._runs.pop(live.run_id, None)

    def _enforce_client_cap(self, sid: str, keep: LiveRun) -> None:
        others = sorted((r for r in self.runs_of(sid) if r is not keep),
                        key=lambda r: r.last_active)
        excess = len(others) + 1 - self.limits.runs_per_client
        for live in others[:max(0, excess)]:
            self._retire(live, f"run {live.run_id} was retired: a connection keeps at most "
                         f"{self.limits.runs_per_client} runs and you started another")

    def _owned(self, sid: str, run_id: str) -> LiveRun:
        live = self.get(run_id)
        if live is None:
            raise self._unknown(run_id)
        self._check_owner(sid, live)
        return live

    def _check_owner(self, sid: str, live: LiveRun) -> None:
        if live.retired:
            raise self._unknown(live.run_id)
        if live.owner != sid:
            raise ApiError("not_your_run", f"run {live.run_id} belongs to another connection; "
                           "you can only drive runs you started (or reattach with their token)",
                           live.run_id)

    def _refuse_if_finished(self, live: LiveRun, verb: str) -> None:
        if live.state == FINISHED:
            raise ApiError("run_finished", f"run {live.run_id} has finished "
                           f"({live.outcome or 'stopped'}); cannot {verb} it; reset it or start "
                           "a new run", live.run_id)

    @staticmethod
    def _unknown(run_id: str) -> ApiError:
        return ApiError("unknown_run", f"there is no live run {run_id}; start a new run (runs "
                        "are retired when left idle)", run_id)

    def _ack_state(self, live: LiveRun) -> dict[str, Any]:
        return {"run_state": live.state_payload()}

    def _send_state(self, live: LiveRun) -> None:
        self._send(live, "run_state", live.state_payload())

    def _send(self, live: LiveRun, event: str, payload: dict[str, Any]) -> None:
        if live.owner is not None:
            self.emit(event, payload, live.owner)

    def _reap_forever(self) -> None:
        every = min(self.limits.orphan_seconds, self.limits.idle_seconds, 120.0) / 4
        due = self.clock() + every
        while not self._stopped:
            self.sleep(REAPER_TICK_S)
            if self.clock() >= due:
                due = self.clock() + every
                try:
                    self.reap()
                except Exception:  # noqa: BLE001 - keep reaping whatever one run did
                    log.exception("reaping runs failed")


def random_seed() -> int:
    """A seed for a client that left it to the server; `saga.started` reports it."""
    return secrets.randbelow(MAX_SEED + 1)


__all__ = ["ACTIONS", "FINISHED", "PAUSED", "PLAYING", "READY", "Runner", "random_seed"]
