// API keys (Swiftbase's /api/keys): create one with scopes (collection × actions), shown once; list; revoke.
import { ApiError, send } from "../lib/api.js";
import { confirmAction, field, h, mount, openDialog, showFieldErrors, toast } from "../lib/dom.js";
import { allCollections } from "../lib/state.js";
import { SETTINGS_SECTIONS } from "./settings.js";

const ACTIONS = ["list", "view", "create", "update", "delete", "changes"];

async function apiKeys({ el }) {
  const tbody = h("tbody", {});
  async function load() {
    const { items } = await send("/api/keys");
    mount(tbody, items.length ? items.map((k) => h("tr", { dataset: { id: k.id, name: k.name } },
      h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)),
      h("td", {}, k.scopes.map((s) => `${s.collection}: ${s.actions.join(", ")}`).join("; ")),
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
  const collection = h("select", { id: "apikey-collection" }, h("option", { value: "*" }, "* (all collections)"),
    allCollections().map((c) => h("option", { value: c.name }, c.name)));
  const actions = h("fieldset", { class: "checks" }, h("legend", {}, "Actions"), ACTIONS.map((a) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", value: a, checked: a === "list" || a === "view" }), a)));
  const expires = h("input", { type: "datetime-local", id: "apikey-expires" });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "create-apikey", novalidate: true }, h("h2", {}, "New API key"),
    field("Name", name, { name: "name" }), field("Collection", collection, { name: "scopes" }), actions,
    field("Expires (UTC, optional)", expires, { name: "expires" }), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create key")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    const body = { name: name.value, scopes: [{ collection: collection.value,
      actions: [...actions.querySelectorAll("input:checked")].map((i) => i.value) }] };
    if (expires.value) body.expires = `${expires.value.replace("T", " ")}:00.000Z`;
    try {
      const created = await send("/api/keys", { method: "POST", body });
      name.value = "";
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
      const placed = error instanceof ApiError && showFieldErrors(form, error.data);
      message.textContent = placed ? error.message : `${error.message} ${JSON.stringify(error.data || {})}`;
    }
  });

  mount(el, form, h("h2", {}, "Keys"), h("table", { class: "compact", id: "apikeys-table" },
    h("thead", {}, h("tr", {}, ["Name", "Prefix", "Scopes", "Expires", "State", ""].map((t) => h("th", { scope: "col" }, t)))),
    tbody));
  await load();
}

SETTINGS_SECTIONS.push(["api-keys", "API keys", apiKeys]);
