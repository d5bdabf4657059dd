// Realtime through the public SSE API, as PocketBase's SDK does it: GET /api/realtime gives a clientId in the
// PB_CONNECT event, then POST /api/realtime {clientId, subscriptions} (with the superuser's token) picks the
// topics; each event's name is its topic. Reconnects (EventSource does) re-send the subscriptions.
import { send } from "./api.js";

const listeners = new Map(); // topic → Set of callbacks
let source = null;
let clientId = "";
let ready = null; // resolves once the first PB_CONNECT's subscriptions are submitted

function submit() {
  if (!clientId) return Promise.resolve();
  return send("/api/realtime", { method: "POST", body: { clientId, subscriptions: [...listeners.keys()] } })
    .catch(() => { /* a lost connection reconnects and submits again */ });
}

function connect() {
  if (source) return;
  source = new EventSource("/api/realtime");
  let resolveReady;
  ready = new Promise((resolve) => { resolveReady = resolve; });
  source.addEventListener("PB_CONNECT", (event) => {
    clientId = JSON.parse(event.data).clientId;
    for (const topic of listeners.keys()) attach(topic);
    submit().then(resolveReady);
  });
  source.onerror = () => { clientId = ""; };
}

const attached = new Set();
function attach(topic) {
  if (attached.has(topic)) return;
  attached.add(topic);
  source.addEventListener(topic, (event) => {
    const data = JSON.parse(event.data);
    for (const callback of listeners.get(topic) || []) callback(data);
  });
}

/**
 * Subscribes to a topic ("posts/*", "posts/RECORD_ID"); `callback` receives {action, record}, or {action: "resync"}
 * when changes may have been missed (the page was in the back/forward cache). Resolves, once the server has the
 * subscription, to a function that unsubscribes.
 */
export async function subscribe(topic, callback) {
  connect();
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(callback);
  attach(topic);
  if (clientId) await submit();
  else await ready;
  return async () => {
    const set = listeners.get(topic);
    set?.delete(callback);
    if (set && set.size === 0) listeners.delete(topic);
    await submit();
  };
}

// A page kept in the back/forward cache keeps its connections: its stream would hold one of the six connections a
// browser opens to a server over HTTP/1.1, and five such pages left every later request of the dashboard waiting.
// The stream closes when the page is hidden. When the page comes back as it was left (forms and dialogs as the
// user left them), the stream opens again with the same subscriptions, and every subscriber gets one
// {action: "resync"}: changes made meanwhile were not received, so what it shows is to be read again.
addEventListener("pagehide", () => {
  source?.close();
  source = null;
  clientId = "";
  attached.clear();
});
addEventListener("pageshow", (event) => {
  if (!event.persisted || !listeners.size) return;
  connect();
  ready.then(() => {
    for (const callbacks of listeners.values()) for (const callback of callbacks) callback({ action: "resync" });
  });
});

/** Closes the connection (on sign-out). */
export function disconnect() {
  source?.close();
  source = null;
  clientId = "";
  attached.clear();
  listeners.clear();
}
