// Breaking things on purpose: the fail menu (every step × every kind), the popover that opens
// when a node is clicked, and the list of armed failures with a remove button each.

import { COUNTED_KINDS, describeSpec, formatSpec, KIND_LABELS } from "./failures.js";

const COORDINATOR_KINDS = ["crash", "drop", "duplicate"];

export function createFailControls(doc, { onArm, onDisarm }) {
  const menu = doc.getElementById("fail-menu");
  const count = doc.getElementById("fail-count");
  const armed = doc.getElementById("armed-list");
  const pop = doc.getElementById("node-popover");
  const popTitle = doc.getElementById("popover-title");
  const popHelp = doc.getElementById("popover-help");
  const popStep = doc.getElementById("popover-step");
  const popStepField = doc.getElementById("popover-step-field");
  const popKind = doc.getElementById("popover-kind");
  const popCount = doc.getElementById("popover-count");
  const popForm = doc.getElementById("popover-form");
  const popCancel = doc.getElementById("popover-cancel");
  let menuKey = "";
  let armedKey = "";
  let returnFocus = null;
  let steps = [];
  let kinds = [];

  menu.addEventListener("change", () => {
    if (!menu.value) return;
    const [step, kind] = menu.value.split(":");
    const n = COUNTED_KINDS.has(kind) ? clampCount(count.value) : 1;
    menu.value = "";
    onArm(formatSpec({ step, kind, count: n }));
  });
  // Arrow keys on a closed <select> change it at once; open the list instead, so arming a
  // failure with the keyboard takes a deliberate Enter.
  menu.addEventListener("keydown", (ev) => {
    if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && typeof menu.showPicker === "function") {
      ev.preventDefault();
      try {
        menu.showPicker();
      } catch {
        /* not allowed here (no user activation): the arrows just do nothing */
      }
    }
  });

  armed.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-spec]");
    if (button) onDisarm(button.dataset.spec);
  });

  popKind.addEventListener("change", syncCount);
  popForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = popKind.value;
    const spec = formatSpec({ step: popStep.value, kind,
      count: COUNTED_KINDS.has(kind) ? clampCount(popCount.value) : 1 });
    close();
    onArm(spec);
  });
  popCancel.addEventListener("click", close);
  pop.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") {
      ev.preventDefault();
      close();
    }
  });
  doc.addEventListener("pointerdown", (ev) => {
    if (!pop.hidden && !pop.contains(ev.target) && !ev.target.closest?.("[data-actor]")) close();
  });

  function syncCount() {
    popCount.disabled = !COUNTED_KINDS.has(popKind.value);
  }

  function close() {
    if (pop.hidden) return;
    pop.hidden = true;
    returnFocus?.focus?.();
    returnFocus = null;
  }

  /** Open the popover next to a node of the map. */
  function openFor(actor, anchor, { stepsOfActor, coordinator }) {
    returnFocus = anchor;
    const own = steps.filter((s) => stepsOfActor.includes(s.name));
    const choices = own.length ? own : coordinator ? steps : [];
    if (!choices.length) {
      popTitle.textContent = actor;
      popHelp.textContent = `${actor} is not a step of this saga; break one of the services instead.`;
      popForm.hidden = true;
    } else {
      popTitle.textContent = own.length ? `Break ${actor}` : `Break the ${actor}`;
      popHelp.textContent = own.length
        ? `Arm a failure of the ${own.map((s) => s.name).join(" / ")} step.`
        : `Pick the step after which the ${actor} misbehaves.`;
      popForm.hidden = false;
      popStep.replaceChildren(...choices.map((s) => option(doc, s.name, `${s.name} (${s.service})`)));
      popStepField.hidden = choices.length < 2;
      const kindList = own.length ? kinds : kinds.filter((k) => COORDINATOR_KINDS.includes(k));
      popKind.replaceChildren(...kindList.map((k) => option(doc, k, `${k}: ${KIND_LABELS[k] ?? k}`)));
      if (!own.length) popKind.value = actor === "bus" ? "drop" : "crash";
      popCount.value = "1";
      syncCount();
    }
    pop.hidden = false;
    position(anchor);
    (popForm.hidden ? popCancel : popKind).focus();
  }

  function position(anchor) {
    const host = pop.offsetParent ?? doc.body;
    const a = anchor.getBoundingClientRect();
    const h = host.getBoundingClientRect();
    const width = pop.offsetWidth;
    let left = a.left - h.left + a.width / 2 - width / 2;
    left = Math.max(8, Math.min(left, h.width - width - 8));
    pop.style.left = `${left}px`;
    pop.style.top = `${a.bottom - h.top + 8}px`;
  }

  return {
    openFor,
    close,
    render({ scenarioSteps, failureKinds, failures }) {
      steps = scenarioSteps;
      kinds = failureKinds;
      const key = `${steps.map((s) => s.name).join()}|${kinds.join()}`;
      if (key !== menuKey) {
        menuKey = key;
        const groups = steps.map((s) => {
          const g = doc.createElement("optgroup");
          g.label = `${s.name} (${s.service})`;
          g.append(...kinds.map((k) => option(doc, `${s.name}:${k}`, `${s.name}: ${KIND_LABELS[k] ?? k}`)));
          return g;
        });
        menu.replaceChildren(option(doc, "", "Break a step…"), ...groups);
      }
      const list = failures.join("|");
      if (list !== armedKey) {
        armedKey = list;
        armed.replaceChildren(...failures.map((spec) => {
          const li = doc.createElement("li");
          const text = doc.createElement("span");
          text.textContent = describeSpec(spec);
          const code = doc.createElement("code");
          code.textContent = spec;
          const remove = doc.createElement("button");
          remove.type = "button";
          remove.className = "remove";
          remove.dataset.spec = spec;
          remove.setAttribute("aria-label", `Remove ${spec}`);
          remove.textContent = "×";
          li.append(code, text, remove);
          return li;
        }));
        armed.closest("[data-armed]")?.setAttribute("data-armed", String(failures.length));
      }
    },
  };
}

function clampCount(value) {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) ? Math.max(1, Math.min(100, n)) : 1;
}

function option(doc, value, label) {
  const o = doc.createElement("option");
  o.value = value;
  o.textContent = label;
  return o;
}
