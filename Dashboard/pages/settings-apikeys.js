// API keys (Swiftbase's /api/keys): create one with scopes, shown once; list; revoke. A scope is either a
// collection with record actions or an MQTT topic filter with publish/subscribe (Docs/MQTT.md); a key has no
// update endpoint, so scopes are edited while creating it (revoke and create another to change them).
import { send } from "../lib/api.js";
import { confirmAction, field, h, mount, openDialog, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { allCollections } from "../lib/state.js";
import { SETTINGS_SECTIONS } from "./settings.js";

const ACTIONS = ["list", "view", "create", "update", "delete", "changes"];
const TOPIC_ACTIONS = ["publish", "subscribe"];

/** A scope as the keys table shows it. */
function describeScope(scope) {
  return scope.topic !== undefined ? `topic ${scope.topic}: ${scope.actions.join(", ")}` :
    `${scope.collection}: ${scope.actions.join(", ")}`;
}

/** One editable scope row; `scope` is edited in place, `index` names its error slots (scopes.N.…). */
function scopeRow(scope, index, remove) {
  const isTopic = scope.topic !== undefined;
  const checks = h("fieldset", { class: "checks" }, h("legend", { class: "sr-only" }, "Actions"),
    (isTopic ? TOPIC_ACTIONS : ACTIONS).map((a) => {
      const box = h("input", { type: "checkbox", value: a, checked: scope.actions.includes(a), onchange: () => {
        scope.actions = box.checked ? [...scope.actions, a] : scope.actions.filter((x) => x !== a);
      } });
      return h("label", { class: "check" }, box, a);
    }));
  let target;
  if (isTopic) {
    target = h("input", { type: "text", class: "code scope-topic", value: scope.topic, placeholder: "sensors/+/temperature",
      "aria-label": "Topic filter", oninput: () => { scope.topic = target.value; } });
  } else {
    target = h("select", { class: "scope-collection", "aria-label": "Collection", id: index === 0 ? "apikey-collection" : null,
      onchange: () => { scope.collection = target.value; } },
    h("option", { value: "*" }, "* (all collections)"),
    allCollections().map((c) => h("option", { value: c.name, selected: c.name === scope.collection }, c.name)));
  }
  return h("li", { class: "scope-row", dataset: { scope: isTopic ? "topic" : "collection" } },
    h("span", { class: "badge" }, isTopic ? "MQTT topic" : "Collection"), target, checks,
    h("button", { type: "button", class: "icon", "aria-label": "Remove this scope", onclick: remove }, "✕"),
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: `scopes.${index}.${isTopic ? "topic" : "collection"}` } }),
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: `scopes.${index}.actions` } }));
}

async function apiKeys({ el }) {
  const tbody = h("tbody", {});
  async function load() {
    const { items } = await send("/api/keys");
    mount(tbody, items.length ? items.map((k) => h("tr", { dataset: { id: k.id, name: k.name } },
      h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)),
      h("td", {}, k.scopes.map(describeScope).join("; ")),
      h("td", {}, k.expires || "never"), h("td", {}, k.revoked ? h("span", { class: "badge danger" }, "revoked") : h("span", { class: "badge ok" }, "active")),
      h("td", {}, k.revoked ? null : h("button", { type: "button", class: "danger", onclick: () => revoke(k) }, "Revoke"))))
      : h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No API keys.")));
  }
  async function revoke(key) {
    if (!(await confirmAction(`Revoke the key "${key.name}"? Clients using it stop working at once.`, "Revoke"))) return;
    try {
      await send(`/api/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
      toast(`Revoked ${key.name}.`, "ok");
      await load();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  const name = h("input", { type: "text", id: "apikey-name", required: true });
  let scopes = [{ collection: "*", actions: ["list", "view"] }];
  const scopeList = h("ol", { class: "scope-list", id: "apikey-scopes" });
  const drawScopes = () => mount(scopeList, scopes.map((scope, index) =>
    scopeRow(scope, index, () => { scopes.splice(index, 1); drawScopes(); })));
  const addScope = (scope) => {
    scopes.push(scope);
    drawScopes();
    scopeList.querySelector("li:last-child input, li:last-child select")?.focus();
  };
  const scopesEditor = h("fieldset", { class: "scopes" }, h("legend", {}, "Scopes"), scopeList,
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: "scopes" } }),
    h("div", { class: "row" },
      h("button", { type: "button", id: "add-collection-scope", onclick: () => addScope({ collection: "*", actions: [] }) },
        "+ Collection scope"),
      h("button", { type: "button", id: "add-topic-scope", onclick: () => addScope({ topic: "", actions: ["subscribe"] }) },
        "+ MQTT topic scope")));
  drawScopes();
  const expires = h("input", { type: "datetime-local", id: "apikey-expires" });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "create-apikey", novalidate: true }, h("h2", {}, "New API key"),
    field("Name", name, { name: "name" }), scopesEditor,
    field("Expires (UTC, optional)", expires, { name: "expires" }), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create key")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    const body = { name: name.value, scopes: scopes.map((scope) => ({ ...scope, actions: [...scope.actions] })) };
    if (expires.value) body.expires = `${expires.value.replace("T", " ")}:00.000Z`;
    try {
      const created = await send("/api/keys", { method: "POST", body });
      name.value = "";
      scopes = [{ collection: "*", actions: ["list", "view"] }];
      drawScopes();
      showFieldErrors(form, {});
      const secret = h("input", { type: "text", readonly: true, value: created.key, id: "apikey-secret", class: "code",
        "aria-label": "The new API key" });
      openDialog("API key created", h("div", {},
        h("p", {}, "Copy the key now: it is shown only once."), secret,
        h("div", { class: "actions" }, h("button", { type: "button", onclick: () => {
          navigator.clipboard?.writeText(created.key);
          toast("Copied.", "ok");
        } }, "Copy"))));
      secret.select();
      await load();
    } catch (error) {
      showFormError(form, message, error);
    }
  });

  mount(el, form, h("h2", {}, "Keys"), h("table", { class: "compact", id: "apikeys-table" },
    h("thead", {}, h("tr", {}, ["Name", "Prefix", "Scopes", "Expires", "State", ""].map((t) => h("th", { scope: "col" }, t)))),
    tbody));
  await load();
}

SETTINGS_SECTIONS.push(["api-keys", "API keys", apiKeys]);
