// One form control per field type, each answering {el, value(), files?} so the record form can build its body:
// text/number/bool/email/url/editor/date/select/json/file/relation/password/geoPoint; autodate is read-only.
import { fileURL, records as recordsAPI } from "./api.js";
import { debounce, h, uid } from "./dom.js";
import { recordLabel } from "./field-cells.js";

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/** PocketBase's "2024-01-02 03:04:05.000Z" ↔ a datetime-local value, both in UTC. */
export function toLocalInput(value) {
  return value ? String(value).replace(" ", "T").slice(0, 19) : "";
}
export function fromLocalInput(value) {
  if (!value) return "";
  const [date, time = "00:00"] = value.split("T");
  const full = time.length === 5 ? `${time}:00` : time;
  return `${date} ${full}.000Z`;
}

function labelFor(field) {
  return `${field.name}${field.required ? " *" : ""}`;
}

function wrap(field, control, extra) {
  const id = control.id || uid();
  control.id = id;
  return h("div", { class: "field", dataset: { fieldType: field.type, fieldName: field.name } },
    h("label", { for: id }, labelFor(field), h("span", { class: "type" }, field.type)),
    control, extra, h("div", { class: "field-error", role: "alert", dataset: { errorFor: field.name } }));
}

function textLike(field, value, type) {
  const input = h("input", { type, name: field.name, value: value ?? "", required: field.required && type !== "password",
    autocomplete: type === "password" ? "new-password" : "off" });
  if (field.max) input.maxLength = field.max;
  return { el: wrap(field, input), value: () => input.value };
}

function numberInput(field, value) {
  const input = h("input", { type: "number", name: field.name, step: field.onlyInt ? "1" : "any",
    value: value ?? "" });
  if (field.min !== null && field.min !== undefined) input.min = field.min;
  if (field.max !== null && field.max !== undefined) input.max = field.max;
  return { el: wrap(field, input), value: () => (input.value === "" ? null : Number(input.value)) };
}

function boolInput(field, value) {
  const input = h("input", { type: "checkbox", name: field.name, checked: !!value });
  return { el: wrap(field, input), value: () => input.checked };
}

function dateInput(field, value) {
  const input = h("input", { type: "datetime-local", step: "1", name: field.name, value: toLocalInput(value) });
  return { el: wrap(field, input, h("div", { class: "hint" }, "UTC")), value: () => fromLocalInput(input.value) };
}

function selectInput(field, value) {
  const values = field.values || [];
  if ((field.maxSelect || 1) <= 1) {
    const select = h("select", { name: field.name },
      h("option", { value: "" }, "—"), values.map((v) => h("option", { value: v, selected: v === value }, v)));
    return { el: wrap(field, select), value: () => select.value };
  }
  const chosen = new Set(Array.isArray(value) ? value : []);
  const group = h("fieldset", { class: "checks", id: uid() }, h("legend", { class: "sr-only" }, field.name),
    values.map((v) => h("label", { class: "check" },
      h("input", { type: "checkbox", value: v, checked: chosen.has(v) }), v)));
  return { el: wrap(field, group),
    value: () => [...group.querySelectorAll("input:checked")].map((i) => i.value) };
}

function jsonInput(field, value) {
  const area = h("textarea", { name: field.name, rows: 6, spellcheck: "false", class: "code" },
    value === undefined || value === null ? "" : JSON.stringify(value, null, 2));
  const status = h("div", { class: "hint json-status", "aria-live": "polite" });
  const check = () => {
    if (!area.value.trim()) { status.textContent = ""; area.removeAttribute("aria-invalid"); return true; }
    try {
      JSON.parse(area.value);
      status.textContent = "Valid JSON";
      area.removeAttribute("aria-invalid");
      return true;
    } catch (error) {
      status.textContent = `Invalid JSON: ${error.message}`;
      area.setAttribute("aria-invalid", "true");
      return false;
    }
  };
  area.addEventListener("input", check);
  check();
  return { el: wrap(field, area, status), valid: check,
    value: () => (area.value.trim() ? JSON.parse(area.value) : null) };
}

function editorInput(field, value) {
  const area = h("textarea", { name: field.name, rows: 6 }, value ?? "");
  return { el: wrap(field, area, h("div", { class: "hint" }, "HTML")), value: () => area.value };
}

function geoInput(field, value) {
  const lon = h("input", { type: "number", step: "any", min: -180, max: 180, "aria-label": `${field.name} longitude`,
    value: value?.lon ?? 0 });
  const lat = h("input", { type: "number", step: "any", min: -90, max: 90, "aria-label": `${field.name} latitude`,
    value: value?.lat ?? 0 });
  const box = h("div", { class: "row", id: uid() }, "lon ", lon, " lat ", lat);
  return { el: wrap(field, box), value: () => ({ lon: Number(lon.value), lat: Number(lat.value) }) };
}

/** Existing files with thumbnails and a remove toggle, plus an <input type=file> for new ones. */
function fileInput(field, value, record, fileToken) {
  const multiple = (field.maxSelect || 1) > 1;
  const existing = Array.isArray(value) ? value : value ? [value] : [];
  const removed = new Set();
  const list = h("ul", { class: "file-list" }, existing.map((name) => {
    const token = field.protected ? fileToken : undefined;
    const item = h("li", {},
      IMAGE.test(name) ? h("img", { class: "thumb", alt: name, src: fileURL(record, name, { thumb: "100x100", token }) }) : null,
      h("a", { href: fileURL(record, name, { token }), target: "_blank", rel: "noopener" }, name),
      h("button", { type: "button", class: "small", "aria-pressed": "false", onclick: (event) => {
        const button = event.currentTarget;
        if (removed.has(name)) { removed.delete(name); item.classList.remove("removed"); button.textContent = "Remove"; }
        else { removed.add(name); item.classList.add("removed"); button.textContent = "Undo"; }
        button.setAttribute("aria-pressed", String(removed.has(name)));
      } }, "Remove"));
    return item;
  }));
  const input = h("input", { type: "file", name: field.name, multiple });
  if (field.mimeTypes?.length) input.accept = field.mimeTypes.join(",");
  const previews = h("div", { class: "files" });
  input.addEventListener("change", () => {
    previews.replaceChildren(...[...input.files].map((f) => (f.type.startsWith("image/")
      ? h("img", { class: "thumb", alt: f.name, src: URL.createObjectURL(f) }) : h("span", { class: "chip" }, f.name))));
  });
  return {
    el: wrap(field, input, h("div", {}, list, previews)),
    isFile: true,
    removed: () => [...removed],
    files: () => [...input.files],
    multiple,
  };
}

/** Chosen related records as chips, and a search box over the related collection (server-side filter). */
function relationInput(field, value, record, collections) {
  const target = collections.find((c) => c.id === field.collectionId);
  const multiple = (field.maxSelect || 1) > 1;
  let chosen = Array.isArray(value) ? [...value] : value ? [value] : [];
  const expanded = record?.expand?.[field.name];
  const labels = new Map((Array.isArray(expanded) ? expanded : expanded ? [expanded] : [])
    .map((r) => [r.id, recordLabel(r, target)]));
  const chips = h("div", { class: "chips" });
  const search = h("input", { type: "search", placeholder: `Search ${target?.name || "records"}`,
    "aria-label": `Search ${target?.name || "related records"} for ${field.name}`, autocomplete: "off" });
  const results = h("ul", { class: "relation-results", role: "listbox", "aria-label": `${field.name} choices` });
  const draw = () => chips.replaceChildren(...chosen.map((id) => h("span", { class: "chip" }, labels.get(id) || id,
    h("button", { type: "button", class: "icon", "aria-label": `Remove ${labels.get(id) || id}`,
      onclick: () => { chosen = chosen.filter((x) => x !== id); draw(); } }, "✕"))));
  const textFields = (target?.fields || []).filter((f) => ["text", "email", "url"].includes(f.type) && !f.hidden)
    .map((f) => f.name);
  const find = debounce(async () => {
    if (!target) return;
    const term = search.value.trim();
    const quoted = JSON.stringify(term);
    const filter = term ? ["id", ...textFields.filter((n) => n !== "id")].map((n) => `${n} ~ ${quoted}`).join(" || ") : "";
    try {
      const answer = await recordsAPI(target.name).getList(1, 10, { filter, skipTotal: 1 });
      results.replaceChildren(...answer.items.map((r) => {
        labels.set(r.id, recordLabel(r, target));
        return h("li", { role: "option" }, h("button", { type: "button", class: "link", dataset: { id: r.id },
          onclick: () => {
            chosen = multiple ? [...new Set([...chosen, r.id])] : [r.id];
            draw();
            results.replaceChildren();
            search.value = "";
          } }, `${recordLabel(r, target)} (${r.id})`));
      }));
    } catch {
      results.replaceChildren(h("li", { class: "muted" }, "Search failed."));
    }
  }, 200);
  search.addEventListener("input", find);
  search.addEventListener("focus", find);
  draw();
  return { el: wrap(field, search, h("div", {}, chips, results)), value: () => (multiple ? chosen : chosen[0] || "") };
}

/** The control for one field; null for fields no form sets (autodate shows as text). */
export function inputFor(field, record, { collections, fileToken, isNew }) {
  const value = record ? record[field.name] : undefined;
  switch (field.type) {
    case "text":
      if (field.primaryKey) {
        if (!isNew) return null;
        const control = textLike(field, "", "text");
        control.el.querySelector("input").placeholder = "Leave empty to generate";
        control.el.querySelector("input").required = false;
        return control;
      }
      return textLike(field, value, "text");
    case "email": return textLike(field, value, "email");
    case "url": return textLike(field, value, "url");
    case "number": return numberInput(field, value);
    case "bool": return boolInput(field, value);
    case "date": return dateInput(field, value);
    case "select": return selectInput(field, value);
    case "json": return jsonInput(field, value);
    case "editor": return editorInput(field, value);
    case "geoPoint": return geoInput(field, value);
    case "file": return fileInput(field, value, record, fileToken);
    case "relation": return relationInput(field, value, record, collections);
    case "password": {
      const password = textLike(field, "", "password");
      const confirm = h("input", { type: "password", autocomplete: "new-password", name: "passwordConfirm",
        "aria-label": "Confirm password", placeholder: "Confirm password" });
      password.el.insertBefore(confirm, password.el.querySelector(".field-error"));
      return { el: password.el, value: password.value, confirm: () => confirm.value, isPassword: true };
    }
    case "autodate":
      return { el: h("div", { class: "field readonly" }, h("span", { class: "label" }, field.name), " ", value || "—"),
        readOnly: true };
    default:
      return textLike(field, typeof value === "object" ? JSON.stringify(value) : value, "text");
  }
}
