// The popover that opens when a node of the map is clicked: which step to break, how, how many
// times. It is built, and this module loaded, the first time a node is activated.

import { formatSpec, MAX_COUNT } from "./failures.js";
import { clampCount, option } from "./fail-menu.js";

const COORDINATOR_KINDS = ["crash", "drop", "duplicate"];

/** `kinds` is the catalog's failure kinds (failures.js `failureKinds`). */
export function createNodePopover(doc, { kinds, onArm }) {
  const el = (tag, attrs = {}, ...children) => {
    const node = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  };
  const field = (label, control, attrs = {}) => el("label", { class: "field", ...attrs },
    el("span", { class: "field-label" }, label), control);
  const popTitle = el("h2", { id: "popover-title", class: "popover-title" });
  const popHelp = el("p", { class: "popover-help" });
  const popStep = el("select");
  const popStepField = field("Step", popStep);
  const popKind = el("select", { "data-testid": "failure-kind" });
  const popCount = el("input", { "data-testid": "failure-count", type: "number", min: 1, max: MAX_COUNT,
    value: 1, inputmode: "numeric" });
  const popCancel = el("button", { type: "button", class: "btn" }, "Cancel");
  const popForm = el("form", { class: "popover-form" }, popStepField,
    field("What goes wrong", popKind), field("How many times", popCount, { class: "field field-narrow" }),
    el("div", { class: "popover-actions" },
      el("button", { type: "submit", "data-testid": "arm-failure", class: "btn btn-primary" }, "Arm failure"),
      popCancel));
  const pop = el("div", { "data-testid": "failure-popover", class: "popover", role: "dialog",
    "aria-modal": "false", "aria-labelledby": "popover-title" }, popTitle, popHelp, popForm);
  pop.hidden = true;
  doc.getElementById("stage").append(pop);
  let returnFocus = null;

  popKind.addEventListener("change", syncCount);
  popForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const kind = popKind.value;
    const spec = formatSpec({ step: popStep.value, kind,
      count: kinds.counted(kind) ? clampCount(popCount.value) : 1 });
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
    popCount.disabled = !kinds.counted(popKind.value);
  }

  function close() {
    if (pop.hidden) return;
    pop.hidden = true;
    returnFocus?.focus?.();
    returnFocus = null;
  }

  /** Open the popover next to a node of the map. */
  function openFor(actor, anchor, { steps, stepsOfActor, coordinator }) {
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
      const kindList = own.length ? kinds.names : kinds.names.filter((k) => COORDINATOR_KINDS.includes(k));
      popKind.replaceChildren(...kindList.map((k) => option(doc, k, `${k}: ${kinds.label(k)}`)));
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

  return { openFor, close };
}
