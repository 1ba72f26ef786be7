// Wiring: read the page's config, build the components, connect to the server and route user
// actions to the live run or to the comparison. The picture is always render(fold(events so far)).

import { createControls } from "./controls.js";
import { createEventLog } from "./event-log.js";
import { createFailControls } from "./fail-menu.js";
import { failureKinds, parseSpec } from "./failures.js";
import { addEvent, emptyMetrics } from "./metrics.js";
import { createMetricsPanel } from "./metrics-panel.js";
import { createNarration } from "./narration.js";
import { createNotices } from "./notices.js";
import { MODES, modeLabel } from "./modes.js";
import { createPane } from "./pane.js";
import { frameCursor } from "./playback.js";
import { createPrefixCache } from "./prefix-cache.js";
import { createRunInputs } from "./run-inputs.js";
import { createSession } from "./session.js";
import { connectSocket } from "./socket.js";
import { STATE_WORDS, stateIcon } from "./icons.js";
import { NODE_STATES, statusWord } from "./timeline.js";
import { normalizeState, parseQuery, toQuery } from "./url-state.js";

const doc = document;
const $ = (id) => doc.getElementById(id);

function readConfig() {
  try {
    return JSON.parse($("sagascope-config")?.textContent || "{}") ?? {};
  } catch {
    return {};
  }
}

async function loadCatalog(config) {
  if (config.scenarios?.scenarios) return config.scenarios;
  try {
    const response = await fetch("/api/scenarios");
    if (response.ok) return await response.json();
  } catch {
    /* fall through to a minimal catalog; the page still explains itself */
  }
  return { scenarios: [], modes: MODES };
}

async function boot() {
  const config = readConfig();
  const catalog = await loadCatalog(config);
  const fromUrl = parseQuery(location.search);
  const raw = config.mode ? { ...config, compare: fromUrl.compare ?? (fromUrl.mode === "compare") } : fromUrl;
  const { state: initial, errors } = normalizeState(raw, catalog);
  const embed = Boolean(config.embed) || doc.body.classList.contains("embed");
  const notices = createNotices($("notices"), $("alerts"));
  for (const text of [config.error, ...errors].filter(Boolean)) {
    notices.show({ id: "bad-link", level: "error", sticky: true,
      text: `This link has a problem, so the defaults are used instead. ${text}` });
  }

  const inputs = createRunInputs(initial);
  const defaults = { scenario: catalog.scenarios?.[0]?.name, speed: catalog.speeds?.default ?? 1 };
  const kinds = failureKinds(catalog);
  const reduced = matchMedia("(prefers-reduced-motion: reduce)");
  const scenario = () => catalog.scenarios?.find((s) => s.name === inputs.scenario) ?? null;
  const stepsOf = () => scenario()?.steps ?? [];
  const notify = (n) => notices.show(n);

  let frame = 0;
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
  reduced.addEventListener("change", schedule);
  inputs.subscribe(schedule);
  let ready = false; // every part of the page exists

  // Start-up runs in a few short tasks rather than one long one: the browser paints in between.
  await nextTask();
  let session = null;
  const socket = connectSocket({
    onEvent: (runId, event) => session?.onEvent(runId, event),
    onRunState: (payload) => session?.onRunState(payload),
    onError: (payload) => {
      // Errors answering a request arrive in its ack too, and are reported from there.
      if (payload.message) return;
      if (payload.run_id && payload.run_id !== session?.run.id) return;
      notify({ level: "error", text: `The server says: ${payload.reason ?? payload.code ?? "something went wrong"}` });
    },
    onConnection: ({ connected, reconnected, reason }) => {
      if (!connected) {
        notify({ id: "connection", level: "warning", sticky: true,
          text: `Lost the connection to the server${reason ? ` (${reason})` : ""}. Reconnecting…` });
      } else {
        notices.clear("connection");
        if (reconnected) session.resume();
        else if (ready && session.idle && !inputs.compare) kickoff();
      }
      schedule();
    },
  });
  session = createSession({ socket, inputs, onChange: schedule, onNotice: notify });
  await nextTask();
  // The modes compared are the ones the page has panes for.
  const COMPARED_MODES = [...doc.querySelectorAll("#compare-view [data-mode]")].map((el) => el.dataset.mode);
  let compare = null;
  async function loadCompare() {
    const { createCompare } = await import("./compare.js");
    compare ??= createCompare({ modes: COMPARED_MODES, inputs, onChange: schedule, onNotice: notify });
    return compare;
  }

  function kickoff() {
    if (inputs.compare) {
      compare.reload({ keep: initial.cursor }).then(() => initial.autoplay && compare.play());
    } else session.start({ target: initial.cursor, thenPlay: initial.autoplay });
  }

  const active = () => (inputs.compare ? compare : session);
  const fails = createFailControls(doc, {
    kinds,
    onArm: (spec) => active().arm(spec),
    onDisarm: (spec) => active().disarm(spec),
  });
  let popover = null; // loaded the first time a node is activated
  const activateNode = async (actor, anchor) => {
    popover ??= import("./node-popover.js").then((m) => m.createNodePopover(doc, {
      kinds,
      onArm: (spec) => active().arm(spec),
    }));
    (await popover).openFor(actor, anchor, {
      steps: stepsOf(),
      stepsOfActor: stepsOf().filter((s) => s.service === actor).map((s) => s.name),
      coordinator: actor === "orchestrator" || actor === "bus",
    });
  };

  const livePane = createPane({ mapRoot: $("map-live"), laneRoot: $("lanes-live"), title: "Service map",
    onActivateNode: activateNode, onSeek: (n) => session.seek(n) });
  const comparePanes = Object.fromEntries(COMPARED_MODES.map((mode) => [mode, createPane({
    mapRoot: $(`map-${mode}`), laneRoot: $(`lanes-${mode}`), title: `${modeLabel(mode)} service map`,
    onActivateNode: activateNode,
    onSeek: (n) => compare.seekTime(compare.runs[mode][n - 1]?.t_ms ?? 0),
  })]));
  const log = createEventLog($("event-log"), {
    onSeek: (n, event) => (inputs.compare ? compare.seekTime(event?.t_ms ?? 0) : session.seek(n)),
    onScroll: schedule,
  });
  const narration = createNarration($("narration"));
  const metrics = createMetricsPanel($("metrics"));
  const sums = Object.fromEntries(["live", ...COMPARED_MODES].map((m) => [m, createPrefixCache(addEvent)]));
  const metricsAt = (which, events, cursor, key) => sums[which].at(events, cursor, key, emptyMetrics);

  async function setMode(mode) {
    if (mode === "compare") {
      if (inputs.compare) return;
      await Promise.all([session.pause(), loadCompare()]);
      inputs.setCompare(true);
      await compare.reload();
    } else {
      inputs.setCompare(false);
      compare?.dispose();
      inputs.setMode(mode);
      await session.restart();
    }
    schedule();
  }

  async function setScenario(name) {
    inputs.setScenario(name);
    const steps = stepsOf().map((s) => s.name);
    inputs.keepFailures((f) => parseSpec(f, steps, kinds.names).ok);
    await (inputs.compare ? compare.reload() : session.restart());
  }

  async function toggleFullscreen() {
    const target = embed ? doc.documentElement : $("app");
    try {
      if (doc.fullscreenElement) await doc.exitFullscreen();
      else await target.requestFullscreen();
    } catch (err) {
      notify({ level: "warning", text: `Fullscreen is not available here (${err.message}).` });
    }
  }
  doc.addEventListener("fullscreenchange", () => {
    $("fullscreen").textContent = doc.fullscreenElement ? "Exit fullscreen" : "Fullscreen";
  });

  const controls = createControls(doc, {
    play: () => active().play(),
    pause: () => active().pause(),
    toggle: () => (active().moving() ? active().pause() : active().play()),
    step: () => active().step(),
    stepBack: () => active().stepBack(),
    reset: () => active().reset(),
    setSpeed: (speed) => {
      inputs.setSpeed(speed);
      return active().setSpeed(speed);
    },
    setMode,
    setScenario,
    setSeed: (seed) => {
      inputs.setSeed(seed);
      return inputs.compare ? compare.reload() : session.restart();
    },
    fullscreen: toggleFullscreen,
    help: () => import("./help.js").then((m) => m.openHelp(doc)),
  });

  const widths = new Map();
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) widths.set(entry.target.id, entry.contentRect.width);
    schedule();
  });
  for (const id of ["map-live", ...COMPARED_MODES.map((m) => `map-${m}`)]) observer.observe($(id));
  const narrow = (id) => (widths.get(id) ?? 1000) < 600;

  function hopDuration(moving) {
    if (reduced.matches || inputs.speed === "max" || session.fastForwarding) return 0;
    return moving ? Math.min(700, 900 / inputs.speed) : 600;
  }

  // At speed max events can arrive faster than frames: each frame draws at most this many more.
  const FRAME_BUDGET = 16;
  const drawn = { key: "", cursor: 0, behind: false };

  function renderLive() {
    const pb = session.playback;
    const key = session.run.id ?? "";
    const cursor = frameCursor({ drawn: drawn.cursor, cursor: pb.cursor, sameRun: key === drawn.key,
      playing: session.moving() || drawn.behind, budget: FRAME_BUDGET });
    drawn.key = key;
    drawn.cursor = cursor;
    drawn.behind = cursor < pb.cursor;
    if (drawn.behind) schedule();
    const moving = session.moving() || drawn.behind;
    const state = livePane.render({
      events: pb.events, cursor, scenario: scenario(), mode: inputs.mode,
      key, narrow: narrow("map-live"), duration: hopDuration(moving),
      reduced: reduced.matches, through: drawn.behind ? cursor : pb.length,
    });
    log.render(pb.events.slice(0, cursor), key);
    narration.render(pb.events[cursor - 1] ?? null,
      { fast: moving && (inputs.speed === "max" || inputs.speed > 2) });
    metrics.render([{ name: modeLabel(inputs.mode),
      metrics: metricsAt("live", pb.events, cursor, key) }]);
    return { status: statusWord(state, moving), moving, cursor, total: pb.length, tMs: state.tMs };
  }

  function renderCompare() {
    const moving = compare.moving();
    const key = `${inputs.scenario}|${inputs.seed}|${inputs.failures.join()}`;
    const states = {};
    for (const mode of COMPARED_MODES) {
      states[mode] = comparePanes[mode].render({
        events: compare.runs[mode], cursor: compare.cursorFor(mode), scenario: scenario(), mode,
        key: `${mode}|${key}`, narrow: narrow(`map-${mode}`), duration: hopDuration(moving),
        reduced: reduced.matches,
      });
    }
    const merged = compare.visibleMerged();
    log.render(merged, `compare|${key}`, { withMode: true });
    const last = merged[merged.length - 1];
    narration.render(last, { fast: moving && inputs.speed === "max",
      prefix: last ? `${modeLabel(last.mode)}: ` : "" });
    metrics.render(COMPARED_MODES.map((m) => ({ name: modeLabel(m),
      metrics: metricsAt(m, compare.runs[m], compare.cursorFor(m), `${m}|${key}`) })));
    const words = COMPARED_MODES.map((m) => statusWord(states[m], moving));
    const status = words.every((w) => w === words[0]) ? words[0]
      : words.every((w) => states[COMPARED_MODES[words.indexOf(w)]].outcome) ? words.join(" / ")
        : words.includes("crashed") ? "crashed" : moving ? "running" : "paused";
    return { status, moving, cursor: compare.clock, total: compare.total, tMs: compare.tMs() };
  }

  const pageTitle = doc.title;
  let described;
  /** The header and the tab say which saga is loaded (the catalog's title and description). */
  function describeScenario(loaded) {
    if (loaded === described) return;
    described = loaded;
    const title = loaded?.title ?? loaded?.name;
    doc.title = title ? `${title} · ${pageTitle}` : pageTitle;
    const tagline = $("tagline");
    if (!tagline || !title) return;
    const name = doc.createElement("strong");
    name.className = "scenario-title";
    name.textContent = title;
    const about = loaded.description ? ` — ${loaded.description.trim()}` : ".";
    tagline.replaceChildren(name, `${about} Break a step and watch the compensations run back.`);
  }

  let urlTimer = 0;
  function writeUrl(cursor) {
    clearTimeout(urlTimer);
    urlTimer = setTimeout(() => {
      const query = toQuery({ ...inputs.snapshot(), cursor }, defaults);
      if (location.search !== query) history.replaceState(null, "", `${location.pathname}${query}`);
    }, 250);
  }

  function render() {
    if (!ready || (inputs.compare && !compare)) return; // still starting, or compare is loading
    doc.body.classList.toggle("comparing", inputs.compare);
    $("live-view").hidden = inputs.compare;
    $("compare-view").hidden = !inputs.compare;
    $("timeline").hidden = inputs.compare;
    const view = inputs.compare ? renderCompare() : renderLive();
    controls.render({
      ...view, modes: catalog.modes ?? MODES, scenarios: catalog.scenarios ?? [],
      mode: inputs.mode, compare: inputs.compare, scenario: inputs.scenario, speed: inputs.speed,
      seed: inputs.seed,
    });
    fails.render({ scenarioSteps: stepsOf(), failures: inputs.failures });
    describeScenario(scenario());
    // Every write above, then the layout reads: one layout per frame, however long the run.
    for (const pane of inputs.compare ? Object.values(comparePanes) : [livePane]) pane.settle();
    log.settle();
    writeUrl(view.cursor);
  }

  fillLegend($("legend"));
  if (inputs.compare) await loadCompare();
  ready = true;
  // The first picture is drawn in the first frame, after the browser has painted the page.
  schedule();
  kickoff();
}

function nextTask() {
  return new Promise((resolve) => setTimeout(resolve));
}

function fillLegend(list) {
  list?.replaceChildren(...NODE_STATES.map((state) => {
    const li = doc.createElement("li");
    li.className = `state-${state}`;
    const word = doc.createElement("span");
    word.textContent = STATE_WORDS[state];
    li.append(stateIcon(state, { inline: true }), word);
    return li;
  }));
}

boot().catch((err) => {
  const box = $("alerts");
  if (box) box.textContent = `The page could not start: ${err.message}`;
  throw err;
});
