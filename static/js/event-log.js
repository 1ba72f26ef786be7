// The event log: one row per event up to the cursor (time, actor, kind, narration), each with
// data-kind. Clicking a row moves the cursor to that event. Rows are added and removed at the
// end rather than redrawn, so a long run stays cheap.

const LABELS = { orchestrator: "Orchestrator", bus: "Event bus", client: "Client" };

export function createEventLog(list, { onSeek = () => {} } = {}) {
  let rows = [];
  let identity = "";

  list.addEventListener("click", (ev) => {
    const row = ev.target.closest("li[data-index]");
    if (row) onSeek(Number(row.dataset.index) + 1, row.event);
  });

  let showMode = false;

  function rowFor(event, index) {
    const li = document.createElement("li");
    li.dataset.kind = event.kind;
    li.dataset.index = String(index);
    li.dataset.seq = String(event.seq);
    li.className = `log-row kind-${event.kind.split(".")[0]} ${categoryOf(event.kind)}`;
    const time = document.createElement("span");
    time.className = "log-time";
    time.textContent = `${event.t_ms} ms`;
    const actor = document.createElement("span");
    actor.className = "log-actor";
    actor.textContent = (showMode ? `${event.mode} · ` : "") + (LABELS[event.actor] ?? event.actor);
    const kind = document.createElement("code");
    kind.className = "log-kind";
    kind.textContent = event.kind;
    const text = document.createElement("span");
    text.className = "log-text";
    text.textContent = event.narration ?? "";
    li.append(time, actor, kind, text);
    li.event = event;
    return li;
  }

  return {
    /** Show `events` (the visible prefix); `key` changes when a different run is shown. */
    render(events, key, { withMode = false } = {}) {
      const first = events[0];
      const id = `${key}|${withMode}|${first ? `${first.run_id}:${first.seq}` : ""}`;
      showMode = withMode;
      if (id !== identity) {
        list.replaceChildren();
        rows = [];
        identity = id;
      }
      while (rows.length > events.length) rows.pop().remove();
      const fresh = [];
      for (let i = rows.length; i < events.length; i += 1) {
        const li = rowFor(events[i], i);
        rows.push(li);
        fresh.push(li);
      }
      if (fresh.length) list.append(...fresh);
      list.querySelector("[aria-current]")?.removeAttribute("aria-current");
      const current = rows[rows.length - 1];
      if (current) {
        current.setAttribute("aria-current", "step");
        const top = current.offsetTop;
        if (top < list.scrollTop || top + current.offsetHeight > list.scrollTop + list.clientHeight) {
          list.scrollTop = Math.max(0, top - list.clientHeight + current.offsetHeight + 8);
        }
      }
    },
  };
}

function categoryOf(kind) {
  if (kind.startsWith("compensation.")) return kind.endsWith("failed") ? "cat-bad" : "cat-undo";
  if (kind.endsWith("failed") || kind === "step.timed_out" || kind === "message.dropped") return "cat-bad";
  if (kind.endsWith("retry_scheduled")) return "cat-retry";
  if (kind.endsWith("crashed")) return "cat-crash";
  if (kind.endsWith("succeeded") || kind === "saga.completed") return "cat-ok";
  if (kind === "saga.compensated") return "cat-undo";
  return "cat-neutral";
}
