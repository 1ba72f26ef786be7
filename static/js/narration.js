// The caption: the current event's narration in plain words, in an ARIA live region. While the
// run plays fast the region goes quiet (a screen reader cannot keep up) and speaks again on pause.

export function createNarration(el, { idleText = "Press play to run the saga, or step through it one transition at a time." } = {}) {
  let last = null;
  let politeness = null;
  return {
    render(event, { fast = false, prefix = "" } = {}) {
      const text = event ? `${prefix}${event.narration || event.kind}` : idleText;
      const wanted = fast ? "off" : "polite";
      if (wanted !== politeness) {
        el.setAttribute("aria-live", wanted);
        politeness = wanted;
      }
      if (text !== last) {
        el.textContent = text;
        el.dataset.kind = event ? event.kind : "";
        last = text;
      }
    },
  };
}
