// Create, edit and delete a collection: name and type, the field editor (base, auth and timeseries), the view query
// (view), indexes, API rules, for auth collections the sign-in methods and OAuth2 (pages/oauth2-options.js), for
// time series the roles of the fields and the retentions (pages/timeseries-options.js). Rules
// are checked by the server on save: a bad rule answers 400 with the rule's error, shown under that rule.
import { ApiError, collections as collectionsAPI } from "../lib/api.js";
import { confirmAction, field as labelled, h, mount, showFieldErrors, toast } from "../lib/dom.js";
import { href, navigate, registerPage } from "../lib/router.js";
import { allCollections, findCollection, reloadCollections } from "../lib/state.js";
import { fieldEditor, FIELD_TYPES, newField } from "./field-editor.js";
import { adaptFieldsToTimeSeries, roleIn, TIMESERIES_FIELD_TYPES, timeSeriesSection } from "./timeseries-options.js";
import { loadOAuth2Providers, oauth2ClientErrors, oauth2Payload, oauth2Section, rememberStoredProviders } from "./oauth2-options.js";

const RULES = [
  ["listRule", "List/Search rule"], ["viewRule", "View rule"], ["createRule", "Create rule"],
  ["updateRule", "Update rule"], ["deleteRule", "Delete rule"],
];
const AUTH_RULES = [["authRule", "Auth rule"], ["manageRule", "Manage rule"]];

function ruleEditor(draft, key, label) {
  const id = `rule-${key}`;
  const locked = draft[key] === null || draft[key] === undefined;
  const area = h("textarea", { id, rows: 2, class: "code", spellcheck: "false", disabled: locked,
    placeholder: 'Empty = anyone; e.g. @request.auth.id != "" && author = @request.auth.id',
    value: locked ? "" : draft[key] });
  area.value = locked ? "" : draft[key];
  const lock = h("input", { type: "checkbox", id: `${id}-lock`, checked: locked, onchange: () => {
    area.disabled = lock.checked;
    draft[key] = lock.checked ? null : area.value;
  } });
  area.addEventListener("input", () => { draft[key] = area.value; });
  return h("div", { class: "field rule" },
    h("label", { for: id }, label),
    h("span", { class: "check" }, lock, h("label", { for: `${id}-lock` }, "Superusers only")),
    area, h("div", { class: "field-error", role: "alert", dataset: { errorFor: key } }));
}

/**
 * The server's errors with field indexes of the form's list: a new collection sent without an `id` field gets one
 * put first before it is validated, so the server's `fields.<i>` is the form's `fields.<i-1>`.
 */
function draftIndexes(data, payload) {
  if (payload.id || !Array.isArray(payload.fields) || payload.fields.some((f) => f.name === "id")) return data;
  const fields = data?.fields;
  if (!fields || typeof fields !== "object" || typeof fields.code === "string") return data;
  const shifted = {};
  for (const [key, value] of Object.entries(fields)) {
    if (/^\d+$/.test(key) && Number(key) > 0) shifted[String(Number(key) - 1)] = value;
    else shifted[key] = value;
  }
  return { ...data, fields: shifted };
}

async function renderEditor({ el, params, signal }) {
  const [, oauth2Providers] = await Promise.all([reloadCollections().catch(() => {}), loadOAuth2Providers(signal)]);
  const existing = params.name ? findCollection(params.name) : null;
  if (params.name && !existing) {
    mount(el, h("h1", {}, "Collection not found"));
    return;
  }
  const draft = existing ? structuredClone(existing) : {
    name: "", type: "base", listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null,
    fields: [newField("autodate", "created"), newField("autodate", "updated")], indexes: [],
  };
  if (!existing) draft.fields[1].onUpdate = true;
  rememberStoredProviders(draft);
  const isNew = !existing;

  const name = h("input", { type: "text", value: draft.name, required: true, id: "collection-name",
    oninput: () => { draft.name = name.value; } });
  const type = h("select", { id: "collection-type", disabled: !isNew, onchange: () => {
    draft.type = type.value;
    if (draft.type === "timeseries") adaptFieldsToTimeSeries(draft);
    drawBody();
  } }, ["base", "auth", "view", "timeseries"].map((t) => h("option", { value: t, selected: t === draft.type }, t)));
  const body = h("div", {});
  const message = h("p", { class: "form-error", role: "alert", id: "collection-error" });
  const save = h("button", { type: "submit", class: "primary", id: "save-collection" }, isNew ? "Create collection" : "Save changes");
  const form = h("form", { class: "collection-form", novalidate: true },
    h("div", { class: "row" }, labelled("Name", name, { name: "name" }), labelled("Type", type, { name: "type" })),
    body, message,
    h("div", { class: "actions" },
      existing && !existing.system ? h("button", { type: "button", class: "danger", id: "delete-collection", onclick: remove }, "Delete collection") : null,
      existing && existing.type !== "view" ? h("button", { type: "button", id: "truncate-collection", onclick: truncate }, "Delete all records") : null,
      h("div", { class: "spacer" }), save));

  function drawBody() {
    const parts = [];
    if (draft.type === "view") {
      const query = h("textarea", { id: "view-query", rows: 6, class: "code", spellcheck: "false",
        oninput: () => { draft.viewQuery = query.value; } });
      query.value = draft.viewQuery || "";
      parts.push(labelled("View query (SQL SELECT)", query, { name: "viewQuery" }));
    } else {
      const list = h("ol", { class: "field-list", id: "field-list" });
      const series = draft.type === "timeseries";
      const types = series ? TIMESERIES_FIELD_TYPES : FIELD_TYPES;
      const addType = h("select", { "aria-label": "New field type", id: "new-field-type" },
        types.map((t) => h("option", { value: t, selected: series && t === "number" }, t)));
      const redraw = fieldEditor(list, draft.fields, allCollections(),
        series ? { types, role: roleIn(draft) } : {});
      parts.push(h("section", { "aria-labelledby": "fields-title" }, h("h2", { id: "fields-title" }, "Fields"), list,
        h("div", { class: "field-error", role: "alert", dataset: { errorFor: "fields" } }),
        h("div", { class: "row" }, addType, h("button", { type: "button", id: "add-field", onclick: () => {
          draft.fields.push(newField(addType.value));
          redraw();
          list.querySelector("li:last-child .field-name")?.focus();
        } }, "+ Add field"))));
      if (series) parts.push(timeSeriesSection(draft));
      const indexes = h("textarea", { id: "collection-indexes", rows: 3, class: "code", spellcheck: "false",
        oninput: () => { draft.indexes = indexes.value.split("\n").map((s) => s.trim()).filter(Boolean); } });
      indexes.value = (draft.indexes || []).join("\n");
      parts.push(labelled("Indexes (one CREATE INDEX per line)", indexes, { name: "indexes" }));
    }
    if (draft.type === "auth") parts.push(authOptions(), oauth2Section(draft, oauth2Providers));
    const rules = [...RULES, ...(draft.type === "auth" ? AUTH_RULES : [])];
    parts.push(h("section", { "aria-labelledby": "rules-title", class: "rules" }, h("h2", { id: "rules-title" }, "API rules"),
      h("p", { class: "hint" }, "PocketBase's filter language with @request.*, @collection.*; checked by the server when you save."),
      rules.map(([key, label]) => ruleEditor(draft, key, label))));
    mount(body, parts);
  }

  /** The sign-in methods of an auth collection (the server fills in the other options' defaults). */
  function authOptions() {
    const toggle = (key, label) => {
      const id = `auth-${key}`;
      const box = h("input", { type: "checkbox", id, checked: !!draft[key]?.enabled, onchange: () => {
        draft[key] = { ...(draft[key] || {}), enabled: box.checked };
      } });
      return h("span", { class: "check" }, box, h("label", { for: id }, label),
        h("span", { class: "field-error", role: "alert", dataset: { errorFor: `${key}.enabled` } }));
    };
    return h("section", { "aria-labelledby": "auth-options-title" }, h("h2", { id: "auth-options-title" }, "Sign-in methods"),
      h("div", { class: "row" }, toggle("passwordAuth", "Password"), toggle("otp", "One-time code by mail"),
        toggle("mfa", "Multi-factor (two methods)")));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    save.disabled = true;
    const payload = { ...draft };
    if (payload.type === "view") delete payload.fields;
    if (payload.type !== "timeseries") delete payload.timeseries;
    if (payload.type === "auth") {
      const errors = oauth2ClientErrors(draft);
      if (errors) {
        showFieldErrors(form, errors);
        message.textContent = "Some OAuth2 providers need their client secret. See the marked fields.";
        form.querySelector(".field-error:not(:empty)")?.scrollIntoView({ block: "center" });
        save.disabled = false;
        return;
      }
      payload.oauth2 = oauth2Payload(draft.oauth2);
    } else {
      delete payload.oauth2;
    }
    try {
      const saved = isNew ? await collectionsAPI.create(payload) : await collectionsAPI.update(existing.id, payload);
      toast(`Saved ${saved.name}.`, "ok");
      await reloadCollections();
      navigate(`/collections/${encodeURIComponent(saved.name)}`);
    } catch (error) {
      const placed = error instanceof ApiError && showFieldErrors(form, draftIndexes(error.data, payload));
      message.textContent = placed ? `${error.message} See the marked fields.` :
        `${error.message}${error.data && Object.keys(error.data).length ? ` ${JSON.stringify(error.data)}` : ""}`;
      form.querySelector(".field-error:not(:empty)")?.scrollIntoView({ block: "center" });
    } finally {
      save.disabled = false;
    }
  });

  async function remove() {
    if (!(await confirmAction(`Delete the collection "${existing.name}" and all its records?`, "Delete"))) return;
    try {
      await collectionsAPI.delete(existing.id);
      toast(`Deleted ${existing.name}.`, "ok");
      await reloadCollections();
      navigate("/collections");
    } catch (error) {
      message.textContent = error.message;
    }
  }

  async function truncate() {
    if (!(await confirmAction(`Delete every record of "${existing.name}"?`, "Delete all"))) return;
    try {
      await collectionsAPI.truncate(existing.id);
      toast("All records deleted.", "ok");
    } catch (error) {
      message.textContent = error.message;
    }
  }

  drawBody();
  mount(el, h("div", { class: "page-header" }, h("h1", {}, isNew ? "New collection" : `Edit ${existing.name}`),
    h("div", { class: "spacer" }),
    existing ? h("a", { class: "button", href: href(`/collections/${encodeURIComponent(existing.name)}`) }, "Records") : null), form);
  name.focus();
}

registerPage({ path: "/collections-new", title: "New collection", render: renderEditor });
registerPage({ path: "/collections/:name/schema", title: (p) => `Edit ${p.name}`, render: renderEditor });
