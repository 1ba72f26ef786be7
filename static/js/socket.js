// The only module that talks Socket.IO. It turns the wire protocol into promises and callbacks;
// it knows nothing about the view.

const ACK_TIMEOUT_MS = 8000;

/**
 * Connect to the server. Callbacks: onEvent(runId, event), onRunState(payload),
 * onError(payload), onConnection({connected, reconnected, reason}).
 * Returns {start, control, inject, reattach, connected, close}; each request resolves to the
 * server's ack: {ok: true, ...} or {ok: false, error: {code, reason}}.
 */
export function connectSocket({
  onEvent = () => {}, onRunState = () => {}, onError = () => {}, onConnection = () => {},
  factory = globalThis.io,
} = {}) {
  if (typeof factory !== "function") {
    throw new Error("The Socket.IO client did not load (static/vendor/socket.io/socket.io.min.js).");
  }
  const socket = factory({ transports: ["websocket"], reconnectionDelayMax: 4000 });
  let everConnected = false;

  socket.on("connect", () => {
    onConnection({ connected: true, reconnected: everConnected });
    everConnected = true;
  });
  socket.on("disconnect", (reason) => onConnection({ connected: false, reconnected: false, reason }));
  socket.on("connect_error", (err) => onConnection({
    connected: false, reconnected: false, reason: err?.message ?? "cannot reach the server",
  }));
  socket.on("saga_event", (payload) => {
    if (payload && payload.event) onEvent(payload.run_id ?? payload.event.run_id, payload.event);
  });
  socket.on("run_state", (payload) => payload && onRunState(payload));
  socket.on("error", (payload) => onError(payload ?? {}));

  function request(name, payload) {
    // While the connection is (re)opening, Socket.IO buffers the message and sends it once
    // connected; the timeout still bounds how long the caller waits.
    return new Promise((resolve) => {
      socket.timeout(ACK_TIMEOUT_MS).emit(name, payload, (err, ack) => {
        if (err) {
          resolve({ ok: false, error: { code: "timeout", reason: `The server did not answer "${name}".` } });
        } else if (!ack || typeof ack !== "object") {
          resolve({ ok: false, error: { code: "bad_ack", reason: `Unexpected answer to "${name}".` } });
        } else resolve(ack);
      });
    });
  }

  return {
    start: (options) => request("start", options),
    control: (runId, action, extra = {}) => request("control", { run_id: runId, action, ...extra }),
    inject: (runId, failure) => request("inject", { run_id: runId, failure }),
    reattach: (runId, token, lastSeq) => request("reattach", { run_id: runId, token, last_seq: lastSeq }),
    get connected() {
      return socket.connected;
    },
    close: () => socket.close(),
  };
}
