// Breaking things on purpose: the fail menu (every step × every kind the catalog lists) and the
// list of armed failures with a remove button each. The node popover is node-popover.js.

import { describeSpec, formatSpec, MAX_COUNT } from "./failures.js";

/** `kinds` is the catalog's failure kinds (failures.js `failureKinds`). */
export function createFailControls(doc, { kinds, onArm, onDisarm }) {
  const menu = doc.getElementById("fail-menu");
  const count = doc.getElementById("fail-count");
  const armed = doc.getElementById("armed-list");
  let menuKey = "";
  let armedKey = "";

  menu.addEventListener("change", () => {
    if (!menu.value) return;
    const [step, kind] = menu.value.split(":");
    const n = kinds.counted(kind) ? clampCount(count.value) : 1;
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

  return {
    render({ scenarioSteps: steps, failures }) {
      const key = steps.map((s) => s.name).join();
      if (key !== menuKey) {
        menuKey = key;
        const groups = steps.map((s) => {
          const g = doc.createElement("optgroup");
          g.label = `${s.name} (${s.service})`;
          g.append(...kinds.names.map((k) => option(doc, `${s.name}:${k}`, `${s.name}: ${kinds.label(k)}`)));
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
          text.textContent = describeSpec(spec, kinds);
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

export function clampCount(value) {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) ? Math.max(1, Math.min(MAX_COUNT, n)) : 1;
}

export function option(doc, value, label) {
  const o = doc.createElement("option");
  o.value = value;
  o.textContent = label;
  return o;
}
