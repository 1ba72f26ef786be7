// The control bar and the keyboard: user actions go up as verbs (play, step, setSpeed…), the
// page's state comes down through render(). No saga logic here.

import { COMPARE_LABEL, modeLabel } from "./modes.js";
import { SPEED_CHOICES } from "./url-state.js";

export function createControls(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    mode: $("mode-select"), scenario: $("scenario-select"), play: $("play"), pause: $("pause"),
    step: $("step"), back: $("step-back"), reset: $("reset"), speed: $("speed"), seed: $("seed"),
    fullscreen: $("fullscreen"), help: $("help-button"), status: $("status"),
    statusWord: $("status-word"), clock: $("clock"),
  };
  let optionsKey = "";

  el.play.addEventListener("click", () => actions.play());
  el.pause.addEventListener("click", () => actions.pause());
  el.step.addEventListener("click", () => actions.step());
  el.back.addEventListener("click", () => actions.stepBack());
  el.reset.addEventListener("click", () => actions.reset());
  el.mode.addEventListener("change", () => actions.setMode(el.mode.value));
  el.scenario?.addEventListener("change", () => actions.setScenario(el.scenario.value));
  el.speed.addEventListener("change", () => actions.setSpeed(
    el.speed.value === "max" ? "max" : Number(el.speed.value)));
  el.seed?.addEventListener("change", () => {
    const n = Number(el.seed.value);
    if (el.seed.value !== "" && Number.isInteger(n) && n >= 0) actions.setSeed(n);
  });
  el.fullscreen.addEventListener("click", () => actions.fullscreen());
  el.help?.addEventListener("click", () => actions.help());

  doc.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target instanceof Element ? ev.target : doc.body;
    if (t.closest("input, select, textarea, [contenteditable], dialog, [role=dialog]")) return;
    const onButton = t.closest("button, [role=button], summary, a");
    const handled = {
      " ": () => !onButton && actions.toggle(),
      ArrowRight: () => actions.step(),
      ArrowLeft: () => actions.stepBack(),
      r: () => actions.reset(),
      R: () => actions.reset(),
      f: () => actions.fullscreen(),
      F: () => actions.fullscreen(),
      "?": () => actions.help(),
    }[ev.key];
    if (!handled || (ev.key === " " && onButton)) return;
    ev.preventDefault();
    handled();
  });

  function fillOptions(view) {
    const key = `${view.modes.join()}|${view.scenarios.map((s) => s.name).join()}`;
    if (key === optionsKey) return;
    optionsKey = key;
    el.mode.replaceChildren(...view.modes.map((m) => option(doc, m, modeLabel(m))),
      option(doc, "compare", COMPARE_LABEL));
    if (el.scenario) {
      el.scenario.replaceChildren(...view.scenarios.map((s) => option(doc, s.name, s.title ?? s.name)));
      el.scenario.disabled = view.scenarios.length < 2;
    }
    el.speed.replaceChildren(...SPEED_CHOICES.map((s) => option(doc, String(s),
      s === "max" ? "max" : `${s}×`)));
  }

  return {
    render(view) {
      fillOptions(view);
      setValue(el.mode, view.compare ? "compare" : view.mode);
      if (el.scenario) setValue(el.scenario, view.scenario);
      setValue(el.speed, String(view.speed));
      if (el.seed && doc.activeElement !== el.seed) el.seed.value = view.seed ?? "";
      el.play.setAttribute("aria-pressed", String(view.moving));
      el.pause.setAttribute("aria-pressed", String(!view.moving));
      el.back.dataset.atStart = String(view.cursor === 0);
      el.status.dataset.status = view.status;
      if (el.statusWord.textContent !== view.status) el.statusWord.textContent = view.status;
      const clock = view.total
        ? `t = ${view.tMs} ms · event ${view.cursor} of ${view.total}${view.cursor < view.total ? " (rewound)" : ""}`
        : "t = 0 ms · no events yet";
      if (el.clock.textContent !== clock) el.clock.textContent = clock;
    },
  };
}

function option(doc, value, label) {
  const o = doc.createElement("option");
  o.value = value;
  o.textContent = label;
  return o;
}

function setValue(select, value) {
  if (select.value !== value && [...select.options].some((o) => o.value === value)) select.value = value;
}
