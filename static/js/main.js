// Wiring: read the page's config, build the parts, connect to the server and route user actions
// (verbs) to the live run or to the comparison. Every change asks for one frame, which hands the
// state down to the view, the control bar, the fail menu and the page chrome.

import { createControls } from "./controls.js";
import { createFailControls } from "./fail-menu.js";
import { failureKinds, parseSpec } from "./failures.js";
import { MODES } from "./modes.js";
import { createNotices } from "./notices.js";
import { createPageChrome } from "./page-chrome.js";
import { createRunInputs } from "./run-inputs.js";
import { createSession } from "./session.js";
import { connectSocket } from "./socket.js";
import { normalizeState, parseQuery } from "./url-state.js";
import { comparedModes, createView } from "./view.js";

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

/** Where the page starts: the server's config for a page it rendered, else the link. */
function startingState(config, catalog) {
  const fromUrl = parseQuery(location.search);
  const raw = config.mode ? { ...config, compare: fromUrl.compare ?? (fromUrl.mode === "compare") } : fromUrl;
  return normalizeState(raw, catalog);
}

async function boot() {
  const config = readConfig();
  const catalog = await loadCatalog(config);
  const { state: initial, errors } = startingState(config, catalog);
  const notices = createNotices($("notices"), $("alerts"));
  for (const text of [config.error, ...errors].filter(Boolean)) {
    notices.show({ id: "bad-link", level: "error", sticky: true,
      text: `This link has a problem, so the defaults are used instead. ${text}` });
  }
  const notify = (n) => notices.show(n);
  const inputs = createRunInputs(initial);
  const kinds = failureKinds(catalog);
  const scenario = () => catalog.scenarios?.find((s) => s.name === inputs.scenario) ?? null;
  const stepsOf = () => scenario()?.steps ?? [];

  let frame = 0;
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  };
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

  let compare = null; // compare.js and compare-view.js load the first time compare mode is used
  async function loadCompare() {
    const [{ createCompare }] = await Promise.all([import("./compare.js"), view.loadCompare()]);
    compare ??= createCompare({ modes: comparedModes(doc), inputs, onChange: schedule, onNotice: notify });
    return compare;
  }

  function kickoff() {
    if (inputs.compare) {
      compare.reload({ keep: initial.cursor }).then(() => initial.autoplay && compare.play());
    } else session.start({ target: initial.cursor, thenPlay: initial.autoplay });
  }

  const active = () => (inputs.compare ? compare : session);
  const arm = (spec) => active().arm(spec);
  const fails = createFailControls(doc, { kinds, onArm: arm, onDisarm: (spec) => active().disarm(spec) });
  let popover = null; // loaded the first time a node is activated
  const activateNode = async (actor, anchor) => {
    popover ??= import("./node-popover.js").then((m) => m.createNodePopover(doc, { kinds, onArm: arm }));
    (await popover).openFor(actor, anchor, {
      steps: stepsOf(),
      stepsOfActor: stepsOf().filter((s) => s.service === actor).map((s) => s.name),
      coordinator: actor === "orchestrator" || actor === "bus",
    });
  };
  const view = createView(doc, { inputs, session, scenario, schedule, onActivateNode: activateNode,
    onSeek: (n, event) => (inputs.compare ? compare.seekTime(event?.t_ms ?? 0) : session.seek(n)) });
  const chrome = createPageChrome(doc, {
    embed: Boolean(config.embed) || doc.body.classList.contains("embed"),
    defaults: { scenario: catalog.scenarios?.[0]?.name, speed: catalog.speeds?.default ?? 1 },
    onNotice: notify,
  });

  /** The inputs changed (scenario, seed): a new run, or a new pair of runs to compare. */
  const rerun = () => (inputs.compare ? compare.reload() : session.restart());

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
    await rerun();
  }

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
      return rerun();
    },
    fullscreen: chrome.toggleFullscreen,
    help: chrome.help,
  });

  function render() {
    if (!ready || (inputs.compare && !compare)) return; // still starting, or compare is loading
    const shown = view.render(compare);
    controls.render({
      ...shown, modes: catalog.modes ?? MODES, scenarios: catalog.scenarios ?? [],
      mode: inputs.mode, compare: inputs.compare, scenario: inputs.scenario, speed: inputs.speed,
      seed: inputs.seed,
    });
    fails.render({ scenarioSteps: stepsOf(), failures: inputs.failures });
    chrome.render({ scenario: scenario(), link: { ...inputs.snapshot(), cursor: shown.cursor } });
    // Every write above, then the layout reads: one layout per frame, however long the run.
    view.settle();
  }

  if (inputs.compare) await loadCompare();
  ready = true;
  // The first picture is drawn in the first frame, after the browser has painted the page.
  schedule();
  kickoff();
}

function nextTask() {
  return new Promise((resolve) => setTimeout(resolve));
}

boot().catch((err) => {
  const box = $("alerts");
  if (box) box.textContent = `The page could not start: ${err.message}`;
  throw err;
});
