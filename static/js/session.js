// A live run on the server: start, controls, injections, time travel and forks, reconnection.
// Every control does the same things: (fork if needed,) act, then tell the page to render.

import { canonicalSpec } from "./failures.js";
import { fastForwardStep, Playback } from "./playback.js";
import { createTicker } from "./ticker.js";

/** `inputs` is the run-inputs store (run-inputs.js): read here; the armed failures and the seed
 * the server chose are written back through its setters. */
export function createSession({ socket, inputs, onChange = () => {}, onNotice = () => {} }) {
  const playback = new Playback();
  const run = { id: null, token: null, state: "idle", outcome: null };
  const ticker = createTicker(localTick); // replays a rewound buffer
  let fastForward = null; // {target, thenPlay}
  let startSerial = 0;
  const early = new Map(); // events that arrived before their start was acknowledged

  const changed = () => onChange();

  function runPayload(extra = {}) {
    return {
      mode: inputs.mode, scenario: inputs.scenario, failures: [...inputs.failures],
      seed: inputs.seed, speed: inputs.speed, autoplay: false, ...extra,
    };
  }

  let pendingStart = null;

  /** Start a fresh run; with `target`, fast-forward to that many events and stop there. */
  function start(options) {
    const promise = launch(options);
    pendingStart = promise;
    promise.finally(() => {
      if (pendingStart === promise) pendingStart = null;
    });
    return promise;
  }

  /** The run controls act on: wait for a start in flight, or start one. */
  async function ensureRun() {
    if (pendingStart) await pendingStart;
    if (!run.id) await start();
    return Boolean(run.id);
  }

  async function launch({ target = 0, thenPlay = false } = {}) {
    ticker.stop();
    const serial = ++startSerial;
    const forking = target > 0;
    fastForward = forking ? { target, thenPlay } : null;
    playback.clear(null);
    run.id = null;
    run.state = "starting";
    run.outcome = null;
    changed();
    const ack = await socket.start(runPayload(forking
      ? { speed: "max", autoplay: true } : { autoplay: thenPlay }));
    if (serial !== startSerial) return ack;
    if (!ack.ok) {
      run.state = "idle";
      fastForward = null;
      onNotice({ level: "error", text: reasonOf(ack, "The server refused to start the run") });
      changed();
      return ack;
    }
    run.id = ack.run_id;
    run.token = ack.token ?? null;
    run.state = ack.run_state?.state ?? (forking || thenPlay ? "playing" : "ready");
    inputs.learnSeed(ack.seed);
    playback.clear(run.id);
    if (forking) playback.hold();
    for (const event of early.get(run.id) ?? []) accept(event);
    early.clear();
    changed();
    return ack;
  }

  function accept(event) {
    if (playback.append(event) === 0) return;
    if (event.kind === "saga.started") inputs.learnSeed(event.detail?.seed);
    if (fastForward) {
      if (playback.length < fastForward.target) playback.seek(playback.length);
      else if (fastForwardStep(playback, fastForward.target) === "arrived") arrive();
    }
  }

  async function arrive() {
    const { thenPlay } = fastForward;
    fastForward = null;
    playback.hold();
    await socket.control(run.id, "pause");
    await socket.control(run.id, "speed", { speed: inputs.speed });
    run.state = run.state === "finished" ? "finished" : "paused";
    if (thenPlay) play();
    changed();
  }

  function onEvent(runId, event) {
    if (run.id === null) {
      if (!early.has(runId)) early.set(runId, []);
      early.get(runId).push(event);
      return;
    }
    if (runId !== run.id) return;
    accept(event);
    changed();
  }

  function onRunState(payload) {
    if (payload.run_id !== run.id) return;
    run.state = payload.state;
    run.outcome = payload.outcome ?? run.outcome;
    if (fastForward && payload.state === "finished") {
      fastForward = null;
      playback.seek(playback.length);
    }
    changed();
  }

  async function control(action, extra) {
    if (!run.id) return { ok: false };
    const asked = run.id;
    const ack = await socket.control(asked, action, extra);
    if (ack.ok || asked !== run.id) return ack;
    if (ack.error?.code === "unknown_run") {
      // The server retired the run (idle too long, or restarted): replay it to this moment.
      onNotice({ level: "info", text: `The server no longer had this run, so it was replayed to event ${playback.cursor} (same seed). Try again.` });
      await start({ target: playback.cursor });
      return ack;
    }
    onNotice({ level: "error", text: reasonOf(ack, `Could not ${action}`) });
    return ack;
  }

  function atLiveEnd() {
    return !playback.rewound;
  }

  async function play() {
    if (fastForward) return;
    if (pendingStart) await pendingStart;
    if (!run.id) {
      await start({ thenPlay: true });
      return;
    }
    if (run.state === "finished" && atLiveEnd()) {
      await reset({ thenPlay: true });
      return;
    }
    if (playback.rewound) {
      ticker.start(inputs.speed);
      changed();
      return;
    }
    playback.follow();
    if (run.state !== "finished") {
      run.state = "playing";
      await control("play");
    }
    changed();
  }

  function localTick() {
    if (playback.stepForward()) {
      changed();
      return;
    }
    ticker.stop();
    if (run.state !== "finished") {
      run.state = "playing";
      control("play");
    }
    changed();
  }

  async function pause() {
    ticker.stop();
    if (fastForward) return;
    if (run.state === "playing") {
      run.state = "paused";
      changed();
      await control("pause");
    }
    changed();
  }

  async function step() {
    if (fastForward) return;
    ticker.stop();
    if (playback.stepForward()) {
      changed();
      return;
    }
    if (!(await ensureRun())) return;
    if (run.state === "playing") await pause();
    if (run.state !== "finished" && run.id) await control("step");
    changed();
  }

  async function stepBack() {
    await pause();
    playback.stepBack();
    changed();
  }

  async function seek(cursor) {
    await pause();
    playback.seek(cursor);
    if (!playback.rewound) playback.hold();
    changed();
  }

  async function reset({ thenPlay = false } = {}) {
    ticker.stop();
    fastForward = null;
    if (pendingStart) await pendingStart;
    if (!run.id) return start({ thenPlay });
    const ack = await socket.control(run.id, "reset");
    if (!ack.ok || !ack.run_id) return start({ thenPlay });
    run.id = ack.run_id;
    run.token = ack.token ?? run.token;
    run.state = ack.run_state?.state ?? "ready";
    run.outcome = null;
    playback.clear(run.id);
    for (const event of early.get(run.id) ?? []) accept(event);
    early.clear();
    changed();
    if (thenPlay) await play();
    return ack;
  }

  /** The speed input changed: replay and the server's pace follow it. */
  async function setSpeed(speed) {
    ticker.retime(speed);
    if (run.id && !fastForward) await control("speed", { speed });
    changed();
  }

  /** Inputs changed (mode, scenario, seed): a new run, playing if the old one was. */
  async function restart() {
    const wasMoving = moving();
    await start({ thenPlay: wasMoving });
  }

  async function arm(spec) {
    const text = canonicalSpec(spec);
    if (playback.length > 0 && playback.rewound) {
      inputs.addFailure(text);
      onNotice({ level: "info", text: `Forked: the run restarts with ${text} armed and replays to event ${playback.cursor} (same seed).` });
      return start({ target: playback.cursor });
    }
    if (playback.length > 0 && run.state !== "finished" && run.id) {
      const ack = await socket.inject(run.id, text);
      if (!ack.ok) {
        onNotice({ level: "error", text: reasonOf(ack, `Could not arm ${text}`) });
        return ack;
      }
      inputs.addFailure(text);
      changed();
      return ack;
    }
    inputs.addFailure(text);
    if (playback.length > 0) onNotice({ level: "info", text: `Armed ${text}. Press play to run the saga again with it.` });
    return start();
  }

  async function disarm(spec) {
    if (!inputs.removeFailure(spec)) return null;
    return start({ target: playback.rewound || run.state !== "finished" ? playback.cursor : 0 });
  }

  /** After the socket reconnects: pick the run up again, or replay it if the server forgot it. */
  async function resume() {
    if (!run.id) return;
    const ack = await socket.reattach(run.id, run.token, playback.lastSeq);
    if (ack.ok) {
      onNotice({ level: "info", text: "Reconnected to the server; the run carries on." });
      return;
    }
    const cursor = playback.cursor;
    onNotice({ level: "info", text: `Reconnected to the server. It had restarted, so the run was replayed to where you were (event ${cursor}, same seed).` });
    await start({ target: cursor });
  }

  function moving() {
    return ticker.running || fastForward !== null
      || (run.state === "playing" && !playback.rewound) || run.state === "starting";
  }

  return {
    playback, run, onEvent, onRunState, start, play, pause, step, stepBack, seek, reset,
    setSpeed, restart, arm, disarm, resume, moving,
    /** No run and none starting: the page has nothing to show yet. */
    get idle() {
      return !run.id && !pendingStart;
    },
    get fastForwarding() {
      return fastForward !== null;
    },
  };
}

function reasonOf(ack, fallback) {
  const reason = ack?.error?.reason;
  return reason ? `${fallback}: ${reason}` : `${fallback}.`;
}
