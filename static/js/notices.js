// Messages for the user that are not narration: a bad link, a lost connection, a refused
// control. Errors are announced assertively; the rest politely and they fade on their own.

export function createNotices(region, alertRegion) {
  const shown = new Map();

  function clear(id) {
    const item = shown.get(id);
    if (!item) return;
    clearTimeout(item.timer);
    item.el.remove();
    shown.delete(id);
  }

  return {
    clear,
    /** level: "error" | "warning" | "info"; sticky notices stay until dismissed or cleared. */
    show({ id = `n${Date.now()}${Math.random()}`, level = "info", text, sticky = false, timeoutMs = 7000 }) {
      clear(id);
      const el = document.createElement("div");
      el.className = `notice notice-${level}`;
      el.dataset.notice = id;
      const p = document.createElement("p");
      p.textContent = text;
      const close = document.createElement("button");
      close.type = "button";
      close.className = "notice-close";
      close.setAttribute("aria-label", "Dismiss this message");
      close.textContent = "×";
      close.addEventListener("click", () => clear(id));
      el.append(p, close);
      (level === "error" ? alertRegion : region).append(el);
      const timer = sticky ? 0 : setTimeout(() => clear(id), timeoutMs);
      shown.set(id, { el, timer });
    },
  };
}
