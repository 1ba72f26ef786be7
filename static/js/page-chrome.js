// The page around the view: the header's line about the loaded saga and the tab's title, the
// legend of node states, fullscreen (the whole page when embedded), the keyboard help (help.js,
// loaded when first asked for) and the address bar, which always links to the moment shown.

import { STATE_WORDS, stateIcon } from "./icons.js";
import { NODE_STATES } from "./timeline.js";
import { toQuery } from "./url-state.js";

const LINK_DELAY_MS = 250; // the address bar follows a playing run without rewriting every frame

/** `defaults` are the scenario and speed a link leaves out; `onNotice` shows a notice. */
export function createPageChrome(doc, { embed, defaults, onNotice }) {
  const $ = (id) => doc.getElementById(id);
  const pageTitle = doc.title;
  let described;
  let linkTimer = 0;
  fillLegend(doc, $("legend"));
  doc.addEventListener("fullscreenchange", () => {
    $("fullscreen").textContent = doc.fullscreenElement ? "Exit fullscreen" : "Fullscreen";
  });

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

  function writeLink(state) {
    clearTimeout(linkTimer);
    linkTimer = setTimeout(() => {
      const query = toQuery(state, defaults);
      if (location.search !== query) history.replaceState(null, "", `${location.pathname}${query}`);
    }, LINK_DELAY_MS);
  }

  return {
    async toggleFullscreen() {
      const target = embed ? doc.documentElement : $("app");
      try {
        if (doc.fullscreenElement) await doc.exitFullscreen();
        else await target.requestFullscreen();
      } catch (err) {
        onNotice({ level: "warning", text: `Fullscreen is not available here (${err.message}).` });
      }
    },
    help: () => import("./help.js").then((m) => m.openHelp(doc)),
    /** `link` is the run inputs and the cursor: what a link to this moment carries. */
    render({ scenario, link }) {
      describeScenario(scenario);
      writeLink(link);
    },
  };
}

function fillLegend(doc, list) {
  list?.replaceChildren(...NODE_STATES.map((state) => {
    const li = doc.createElement("li");
    li.className = `state-${state}`;
    const word = doc.createElement("span");
    word.textContent = STATE_WORDS[state];
    li.append(stateIcon(state, { inline: true }), word);
    return li;
  }));
}
