// MQTT (Swiftbase's broker, Docs/MQTT.md): the clients the broker knows — connected, or gone with their session
// kept — with identity, protocol, subscriptions and queues, refreshed every few seconds, each connected one with a
// Disconnect button (DELETE /api/mqtt/clients/{id}, audited) and each with Discard session (the same with
// ?discardSession=true: subscriptions and queued messages go); and the `mqtt` settings — anonymous clients, the auth
// collection password logins use, the keep-alive bound, the ACL and the ingest routes — saved through
// PATCH /api/settings, the server's field errors shown where they belong.
import { ApiError, send } from "../lib/api.js";
import { confirmAction, errorEntries, field, h, mount, showFieldErrors, toast } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const REFRESH_MS = 5000;
const ACL_EXAMPLE = '[{"topic": "devices/{auth.id}/#", "publish": "", "subscribe": ""}]';
const INGEST_EXAMPLE = '[{"topic": "sensors/+/temperature", "collection": "readings", "fields": {"device": "topic[1]", "celsius": "$.value"}}]';

/** One row of the clients table; `act(client, discard)` disconnects it, or with `discard` ends its session too. */
function clientRow(client, act) {
  const state = client.connected ? h("span", { class: "badge ok" }, "connected") : h("span", { class: "badge" }, "offline");
  return h("tr", { dataset: { clientId: client.clientId } },
    h("td", {}, h("code", {}, client.clientId)),
    h("td", {}, state),
    h("td", {}, client.protocol ?? "–"),
    h("td", {}, client.identity ?? "–"),
    h("td", {}, client.keepAlive == null ? "–" : `${client.keepAlive} s`),
    h("td", {}, client.subscriptions.length ? client.subscriptions.map((s) => h("code", { class: "chip" }, s)) : "–"),
    h("td", {}, `${client.inflight} / ${client.queued}`),
    h("td", { class: "row-actions" },
      client.connected
        ? h("button", { type: "button", class: "danger disconnect", onclick: () => act(client, false) }, "Disconnect")
        : null,
      h("button", { type: "button", class: "danger discard", onclick: () => act(client, true) }, "Discard session")));
}

/** A JSON list typed in a textarea, or an error message for it. */
function parseList(text, name) {
  if (!text.trim()) return { value: [] };
  try {
    const value = JSON.parse(text);
    if (Array.isArray(value)) return { value };
  } catch {
    // answered below
  }
  return { error: { code: "validation_invalid_json", message: `${name} must be a JSON list.` } };
}

/**
 * The server's errors for `mqtt.acl` or `mqtt.ingest` come per entry (`{"0": {"topic": {code, message}}}`); the
 * textarea holds the whole list, so they are shown under it as "entry 1, topic: …".
 */
function listErrors(errors) {
  return errorEntries(errors).map(([[index, ...rest], text]) => (index === undefined ? text
    : `entry ${Number(index) + 1}${rest.length ? `, ${rest.join(".")}` : ""}: ${text}`)).join("\n");
}

/** The `mqtt` settings form, filled from `mqtt` (the settings' current object). */
function settingsForm(mqtt, authCollections) {
  const anonymous = h("input", { type: "checkbox", id: "mqtt-allow-anonymous", checked: !!mqtt.allowAnonymous });
  const collection = h("select", { id: "mqtt-auth-collection" },
    h("option", { value: "" }, "every auth collection (except superusers)"),
    authCollections.map((c) => h("option", { value: c.name, selected: c.name === mqtt.authCollection }, c.name)));
  const keepAlive = h("input", { type: "number", id: "mqtt-max-keepalive", min: 0, max: 65535, value: mqtt.maxKeepAlive ?? 0 });
  const acl = h("textarea", { id: "mqtt-acl", class: "code", rows: 6, spellcheck: "false", placeholder: ACL_EXAMPLE },
    JSON.stringify(mqtt.acl ?? [], null, 2));
  const ingest = h("textarea", { id: "mqtt-ingest", class: "code", rows: 6, spellcheck: "false", placeholder: INGEST_EXAMPLE },
    JSON.stringify(mqtt.ingest ?? [], null, 2));
  const aclErrors = h("div", { class: "field-error pre", role: "alert", id: "mqtt-acl-errors" });
  const ingestErrors = h("div", { class: "field-error pre", role: "alert", id: "mqtt-ingest-errors" });
  const message = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "primary" }, "Save");
  const form = h("form", { class: "settings-form", id: "mqtt-settings", novalidate: true }, h("h2", {}, "Broker settings"),
    h("label", { class: "check" }, anonymous, " Allow anonymous clients (no user name or password)"),
    field("Password logins look in", collection, { name: "mqtt.authCollection" }),
    field("Longest keep-alive (seconds, 0: the client's)", keepAlive,
      { name: "mqtt.maxKeepAlive", hint: "0, or 10 to 65535: a longer keep-alive, or none, is answered with this one (MQTT 5)." }),
    field("Access control list (JSON)", acl, { hint: "The first entry whose topic matches decides; no match denies; superusers pass. Rules are filters over @request.auth: \"\" anyone signed in, null nobody." }),
    aclErrors,
    field("Ingest routes (JSON)", ingest, { hint: "Each matching publish becomes a record (or a time-series point) of the route's collection." }),
    ingestErrors, message,
    h("div", { class: "actions" }, h("div", { class: "spacer" }), save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    aclErrors.textContent = "";
    ingestErrors.textContent = "";
    showFieldErrors(form, {});
    const aclList = parseList(acl.value, "The access control list");
    const ingestList = parseList(ingest.value, "The ingest routes");
    if (aclList.error || ingestList.error) {
      aclErrors.textContent = aclList.error?.message ?? "";
      ingestErrors.textContent = ingestList.error?.message ?? "";
      return;
    }
    save.disabled = true;
    try {
      await send("/api/settings", { method: "PATCH", body: { mqtt: {
        allowAnonymous: anonymous.checked, authCollection: collection.value, maxKeepAlive: Number(keepAlive.value) || 0,
        acl: aclList.value, ingest: ingestList.value,
      } } });
      toast("MQTT settings saved.", "ok");
    } catch (error) {
      const errors = error instanceof ApiError ? error.data?.mqtt : null;
      aclErrors.textContent = listErrors(errors?.acl);
      ingestErrors.textContent = listErrors(errors?.ingest);
      const placed = error instanceof ApiError && showFieldErrors(form, error.data);
      message.textContent = placed || aclErrors.textContent || ingestErrors.textContent
        ? `${error.message} See the marked fields.` : error.message;
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

registerPage({
  path: "/mqtt",
  title: "MQTT",
  nav: { label: "MQTT", order: 24, group: "Integrations" },
  async render({ el, signal }) {
    const [settings, collections] = await Promise.all([send("/api/settings", { signal }), reloadCollections()]);
    const authCollections = collections.filter((c) => c.type === "auth" && c.name !== "_superusers");
    const summary = h("p", { class: "muted", id: "mqtt-summary", "aria-live": "polite" });
    const tbody = h("tbody", {});
    const table = h("table", { class: "compact", id: "mqtt-clients" }, h("thead", {}, h("tr", {},
      ["Client ID", "State", "Protocol", "Identity", "Keep-alive", "Subscriptions", "In flight / queued", ""]
        .map((t) => h("th", { scope: "col" }, t)))), tbody);
    const clients = h("section", {}, h("h2", {}, "Clients"), summary, table);

    async function act(client, discard) {
      const question = discard
        ? `Discard the session of "${client.clientId}"? Its subscriptions and queued messages are lost${client.connected ? ", and it is disconnected" : ""}.`
        : `Disconnect "${client.clientId}"? It may connect again at once.`;
      if (!(await confirmAction(question, discard ? "Discard session" : "Disconnect"))) return;
      const path = `/api/mqtt/clients/${encodeURIComponent(client.clientId)}${discard ? "?discardSession=true" : ""}`;
      try {
        await send(path, { method: "DELETE" });
        toast(discard ? `Discarded the session of ${client.clientId}.` : `Disconnected ${client.clientId}.`, "ok");
      } catch (error) {
        toast(`${discard ? "Discard session" : "Disconnect"}: ${error.message}`, "error");
      }
      await load();
    }

    let brokerOn = true;
    async function load() {
      let answer;
      try {
        answer = await send("/api/mqtt/clients", { signal });
      } catch (error) {
        if (error.name === "AbortError") return;
        if (error instanceof ApiError && error.status === 404) {
          brokerOn = false;
          mount(clients, h("h2", {}, "Clients"), h("p", { class: "notice", id: "mqtt-off" },
            "The MQTT broker is not running. Start the server with ", h("code", {}, "--mqtt 127.0.0.1:1883"),
            " (and WebSocket clients connect at ", h("code", {}, "/api/mqtt"), "). The settings below apply once it runs."));
          return;
        }
        summary.textContent = error.message;
        return;
      }
      const connected = answer.items.filter((c) => c.connected).length;
      summary.textContent = `${connected} connected, ${answer.items.length - connected} offline with a session kept.`;
      mount(tbody, answer.items.length ? answer.items.map((c) => clientRow(c, act))
        : h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No clients.")));
    }

    mount(el, h("div", { class: "page-header" }, h("h1", {}, "MQTT"),
      h("button", { type: "button", id: "mqtt-refresh", onclick: () => load() }, "Refresh")),
      clients, settingsForm(settings.mqtt ?? {}, authCollections));
    await load();
    const timer = setInterval(() => { if (brokerOn) load(); }, REFRESH_MS);
    return () => clearInterval(timer);
  },
});
