// The event buffer and the cursor: everything received is kept, the cursor says how much of it
// the view shows. Pure: no DOM, no timers, no sockets.

export class Playback {
  constructor() {
    this.clear(null);
  }

  /** Forget everything and follow a new run. */
  clear(runId) {
    this.runId = runId;
    this.events = [];
    this.pending = new Map();
    this.cursor = 0;
    this.following = true;
  }

  get length() {
    return this.events.length;
  }

  get lastSeq() {
    return this.events.length ? this.events[this.events.length - 1].seq : 0;
  }

  /** True when the cursor is behind the newest event received. */
  get rewound() {
    return this.cursor < this.events.length;
  }

  /**
   * Add an event of this run. Duplicates (a reattach re-sends) are ignored and out-of-order
   * events wait for the gap to fill. Returns how many events became visible in the buffer.
   */
  append(event) {
    if (!event || (this.runId !== null && event.run_id && event.run_id !== this.runId)) return 0;
    const seq = Number(event.seq);
    if (!Number.isInteger(seq) || seq <= this.lastSeq || this.pending.has(seq)) return 0;
    this.pending.set(seq, event);
    let added = 0;
    while (this.pending.has(this.lastSeq + 1)) {
      const next = this.lastSeq + 1;
      this.events.push(this.pending.get(next));
      this.pending.delete(next);
      added += 1;
    }
    if (this.following) this.cursor = this.events.length;
    return added;
  }

  /** Move the cursor (clamped); following resumes only when it lands on the newest event. */
  seek(cursor) {
    const n = Math.max(0, Math.min(this.events.length, Math.floor(Number(cursor) || 0)));
    this.cursor = n;
    this.following = n === this.events.length;
    return n;
  }

  /** One event back. Returns false at the start. */
  stepBack() {
    if (this.cursor === 0) return false;
    this.seek(this.cursor - 1);
    this.following = false;
    return true;
  }

  /**
   * One event forward from the buffer. Returns false when the cursor is already at the newest
   * event, meaning the next transition must come from the server.
   */
  stepForward() {
    if (!this.rewound) {
      this.following = true;
      return false;
    }
    this.seek(this.cursor + 1);
    return true;
  }

  /** Follow the live end again (new events move the cursor). */
  follow() {
    this.cursor = this.events.length;
    this.following = true;
  }

  /** Keep the cursor still while events keep arriving (fast-forwarding to a target). */
  hold() {
    this.following = false;
  }
}

/**
 * Fast-forward bookkeeping for a fork: a new run replays at full speed and stops at `target`
 * events. Answers what to do after each append.
 */
export function fastForwardStep(playback, target) {
  if (target === null || target === undefined) return "none";
  if (playback.length >= target) {
    playback.seek(target);
    return "arrived";
  }
  return "continue";
}

/**
 * The cursor to draw in this frame: while a run plays, at most `budget` events past the last one
 * drawn (none, for a new run), so a frame's work stays bounded and the view catches up over the
 * next frames. Any other move is drawn at once.
 */
export function frameCursor({ drawn, cursor, sameRun, playing, budget }) {
  const from = sameRun ? drawn : 0;
  if (!playing || cursor <= from) return cursor;
  return Math.min(cursor, from + budget);
}
