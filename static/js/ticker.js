// The page's own clock: ticks at the chosen speed while it replays events it already holds (a
// rewound live run, the comparison). The server paces live runs; this only paces the buffer.

const MAX_SPEED_TICK_MS = 16; // about a frame

/** Milliseconds between ticks at `speed` (events per second, or "max"). */
export function tickMs(speed) {
  return speed === "max" ? MAX_SPEED_TICK_MS : 1000 / speed;
}

export function createTicker(onTick) {
  let timer = 0;
  const ticker = {
    start(speed) {
      clearInterval(timer);
      timer = setInterval(onTick, tickMs(speed));
    },
    stop() {
      clearInterval(timer);
      timer = 0;
    },
    /** A new speed takes effect at once if it is ticking. */
    retime(speed) {
      if (timer) ticker.start(speed);
    },
    get running() {
      return timer !== 0;
    },
  };
  return ticker;
}
