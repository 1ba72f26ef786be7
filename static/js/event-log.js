// The event log: one row per event up to the cursor (time, actor, kind, narration), each with
// data-kind; clicking a row moves the cursor there. Rows are never rebuilt: new events append
// theirs, travelling back detaches (and keeps) the rows past the cursor. A long log lays out only
// WINDOW rows around the view; the rest stay in the list, hidden, their height kept as a margin.

import { actorName } from "./icons.js";

export const WINDOW = 200;

/** From `shown` attached rows (of `made` built) to `wanted`: what to detach, attach and build. */
export function rowPlan(shown, made, wanted) {
  if (wanted <= shown) return { detach: [wanted, shown], attach: [shown, shown], build: [made, made] };
  return { detach: [shown, shown], attach: [shown, wanted], build: [made, Math.max(made, wanted)] };
}

/** The row at `top` px, from measured heights (an estimate for the others). */
export function rowAt(heights, estimate, top, count) {
  let y = 0;
  for (let i = 0; i < count; i += 1) {
    y += heights[i] ?? estimate;
    if (y > top) return i;
  }
  return Math.max(0, count - 1);
}

/**
 * The rows to lay out, [lo, hi): all of a short log; else `size` rows ending at `focus` (the row
 * to reveal) or around `at` (the row in view), unless the window `was` holds `at` comfortably.
 */
export function rowWindow({ count, size = WINDOW, focus = null, at = 0, was = null }) {
  if (count <= size) return { lo: 0, hi: count };
  const margin = Math.floor(size / 4);
  if (focus === null && was && was.hi <= count && at - was.lo >= margin && was.hi - at >= margin) {
    return was;
  }
  const end = Math.max(size, Math.min(count, Math.round(focus === null ? at + size / 2 : focus + 1)));
  return { lo: end - size, hi: end };
}

export function createEventLog(list, { onSeek = () => {}, onScroll = () => {} } = {}) {
  let rows = []; // every row built for this list; the first `shown` are attached
  let shown = 0;
  let identity = "";
  let current = null;
  let reveal = false;
  let showMode = false;
  let heights = [];
  let measured = { sum: 0, count: 0 };
  let win = { lo: 0, hi: 0 }; // attached rows outside it are hidden
  let seenTop = null;
  let spacer = {};
  let width = 0;

  list.addEventListener("click", (ev) => {
    const row = ev.target.closest("li[data-index]");
    if (row) onSeek(Number(row.dataset.index) + 1, row.event);
  });
  list.addEventListener("scroll", () => {
    seenTop = list.scrollTop;
    onScroll();
  }, { passive: true });

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
    actor.textContent = (showMode ? `${event.mode} · ` : "") + actorName(event.actor);
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

  function detach(from, to) {
    if (from >= to) return;
    const range = document.createRange();
    range.setStartBefore(rows[from]);
    range.setEndAfter(rows[to - 1]);
    range.deleteContents();
  }

  function estimate() {
    return measured.count ? measured.sum / measured.count : 56;
  }

  /** Hide and show only the rows that crossed the window's edge. */
  function moveWindow(to, attachedBefore) {
    const inside = (i) => i >= to.lo && i < to.hi;
    for (let i = win.lo; i < Math.min(win.hi, attachedBefore); i += 1) if (!inside(i)) rows[i].hidden = true;
    for (let i = to.lo; i < Math.min(to.hi, attachedBefore); i += 1) rows[i].hidden = false;
    win = to;
    let above = 0;
    let below = 0;
    const guess = estimate();
    for (let i = 0; i < shown; i += 1) {
      if (i < win.lo) above += heights[i] ?? guess;
      else if (i >= win.hi) below += heights[i] ?? guess;
    }
    // Hidden rows' height as margins of the outer shown rows (padding would grow the list box).
    const next = { top: above ? rows[win.lo] : null, bottom: below ? rows[win.hi - 1] : null,
      above: Math.round(above), below: Math.round(below) };
    if (Object.keys(next).every((k) => next[k] === spacer[k])) return;
    spacer.top?.style.removeProperty("margin-top");
    spacer.bottom?.style.removeProperty("margin-bottom");
    next.top?.style.setProperty("margin-top", `${next.above}px`);
    next.bottom?.style.setProperty("margin-bottom", `${next.below}px`);
    spacer = next;
  }

  return {
    /** Show `events` (the visible prefix); `key` changes when a different run is shown. */
    render(events, key, { withMode = false } = {}) {
      const first = events[0] ?? rows[0]?.event;
      const id = `${key}|${withMode}|${first ? `${first.run_id}:${first.seq}` : ""}`;
      // Built rows must show these very events; another list starts over.
      const last = Math.min(events.length, rows.length) - 1;
      if (id !== identity || (last >= 0 && rows[last].event !== events[last])) {
        list.replaceChildren();
        rows = [];
        shown = 0;
        current = null;
        heights = [];
        measured = { sum: 0, count: 0 };
        win = { lo: 0, hi: 0 };
        spacer = {};
        identity = id;
      }
      showMode = withMode;
      const plan = rowPlan(shown, rows.length, events.length);
      for (let i = plan.build[0]; i < plan.build[1]; i += 1) rows.push(rowFor(events[i], i));
      detach(...plan.detach);
      const attachedBefore = Math.min(shown, events.length);
      shown = events.length;
      const now = rows[shown - 1] ?? null;
      if (now !== current) reveal = now !== null;
      const at = reveal || seenTop === null ? 0 : rowAt(heights, estimate(), seenTop, shown);
      const next = rowWindow({ count: shown, focus: reveal ? shown - 1 : null, at, was: win });
      for (let i = plan.attach[0]; i < plan.attach[1]; i += 1) rows[i].hidden = i < next.lo || i >= next.hi;
      if (plan.attach[1] > plan.attach[0]) list.append(...rows.slice(...plan.attach));
      moveWindow(next, attachedBefore);
      if (now !== current) {
        current?.removeAttribute("aria-current");
        now?.setAttribute("aria-current", "step");
        current = now;
      }
    },
    /** After every part of the page is written: measure new rows, reveal the current one. */
    settle() {
      if (list.clientWidth !== width) {
        if (width) [heights, measured] = [[], { sum: 0, count: 0 }]; // rows reflowed: measure again
        width = list.clientWidth;
      }
      for (let i = win.lo; i < win.hi; i += 1) {
        if (heights[i] === undefined) {
          heights[i] = rows[i].getBoundingClientRect().height;
          measured = { sum: measured.sum + heights[i], count: measured.count + 1 };
        }
      }
      if (!reveal || !current) return;
      reveal = false;
      const top = current.offsetTop;
      const bottom = top + current.offsetHeight;
      if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
        list.scrollTop = Math.max(0, bottom - list.clientHeight + 8);
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
