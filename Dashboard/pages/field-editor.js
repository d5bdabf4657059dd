// The schema's field list for the collection editor: one row per field with its name, type, common flags and
// the main options of its type (as PocketBase names them). Works on plain field objects, sent back as they are.
import { h, uid } from "../lib/dom.js";

export const FIELD_TYPES = ["text", "editor", "number", "bool", "email", "url", "date", "autodate", "select", "file",
  "relation", "json", "geoPoint", "password"];

const list = (v) => (Array.isArray(v) ? v.join(", ") : "");
const parseList = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
const num = (s) => (s === "" ? 0 : Number(s));

/** Options per type: [key, label, kind] with kind text | number | bool | list | collection. */
const OPTIONS = {
  text: [["min", "Min length", "number"], ["max", "Max length", "number"], ["pattern", "Pattern (regex)", "text"],
    ["autogeneratePattern", "Autogenerate pattern", "text"]],
  editor: [["maxSize", "Max size (bytes)", "number"], ["convertURLs", "Convert URLs", "bool"]],
  number: [["min", "Min", "nullnumber"], ["max", "Max", "nullnumber"], ["onlyInt", "Integers only", "bool"]],
  bool: [],
  email: [["exceptDomains", "Except domains", "list"], ["onlyDomains", "Only domains", "list"]],
  url: [["exceptDomains", "Except domains", "list"], ["onlyDomains", "Only domains", "list"]],
  date: [["min", "Min (UTC)", "text"], ["max", "Max (UTC)", "text"]],
  autodate: [["onCreate", "Set on create", "bool"], ["onUpdate", "Set on update", "bool"]],
  select: [["values", "Values", "list"], ["maxSelect", "Max select", "number"]],
  file: [["maxSelect", "Max files", "number"], ["maxSize", "Max size (bytes)", "number"],
    ["mimeTypes", "MIME types", "list"], ["thumbs", "Thumb sizes", "list"], ["protected", "Protected", "bool"]],
  relation: [["collectionId", "Collection", "collection"], ["minSelect", "Min select", "number"],
    ["maxSelect", "Max select", "number"], ["cascadeDelete", "Cascade delete", "bool"]],
  json: [["maxSize", "Max size (bytes)", "number"]],
  geoPoint: [],
  password: [["min", "Min length", "number"], ["max", "Max length", "number"], ["pattern", "Pattern (regex)", "text"]],
};

/** What each role of a time series' field means, for the badge's tooltip. */
const ROLE_HINTS = {
  time: "The time of each point (required).",
  tag: "A tag: points are filtered and grouped by it.",
  value: "A value: aggregated in the rollups.",
  id: "The point's id.",
  refused: "A time series takes only one date field, text and single select tags, and number values.",
};

/** Defaults for a new field of `type` (the server fills in the rest). */
export function newField(type, name = "") {
  const field = { name, type, required: false, hidden: false, presentable: false };
  if (type === "select" || type === "relation" || type === "file") field.maxSelect = 1;
  if (type === "autodate") Object.assign(field, { onCreate: true, onUpdate: false });
  return field;
}

function optionControl(field, [key, label, kind], collections, index) {
  const id = uid();
  const errorSlot = h("div", { class: "field-error", role: "alert", dataset: { errorFor: `fields.${index}.${key}` } });
  let control;
  if (kind === "bool") {
    control = h("input", { type: "checkbox", id, checked: !!field[key], onchange: () => { field[key] = control.checked; } });
    return h("div", { class: "option check" }, control, h("label", { for: id }, label), errorSlot);
  }
  if (kind === "collection") {
    control = h("select", { id, onchange: () => { field[key] = control.value; } },
      h("option", { value: "" }, "— choose —"),
      collections.map((c) => h("option", { value: c.id, selected: c.id === field[key] }, c.name)));
  } else if (kind === "list") {
    control = h("input", { id, type: "text", value: list(field[key]), oninput: () => { field[key] = parseList(control.value); } });
  } else if (kind === "number" || kind === "nullnumber") {
    control = h("input", { id, type: "number", step: "any", value: field[key] ?? "",
      oninput: () => { field[key] = kind === "nullnumber" && control.value === "" ? null : num(control.value); } });
  } else {
    control = h("input", { id, type: "text", value: field[key] ?? "", oninput: () => { field[key] = control.value; } });
  }
  return h("div", { class: "option" }, h("label", { for: id }, label), control, errorSlot);
}

/**
 * Renders `fields` (an array edited in place) into `host`; `collections` feeds relation targets. `types` limits the
 * type picker (a time series takes four), and `role(field)`, when given, labels each row with what the field is
 * (time, tag, value…). Answers a function that draws again (after a field is added).
 */
export function fieldEditor(host, fields, collections, { types = FIELD_TYPES, role } = {}) {
  const draw = () => {
    host.replaceChildren(...fields.map((field, index) => {
      const nameId = uid();
      const name = h("input", { id: nameId, type: "text", value: field.name, required: true, disabled: field.system,
        class: "field-name", "aria-label": `Field ${index + 1} name`, oninput: () => { field.name = name.value; } });
      const type = h("select", { "aria-label": `Field ${index + 1} type`, class: "field-type", disabled: !!field.id,
        onchange: () => {
          const replacement = newField(type.value, field.name);
          Object.keys(field).forEach((k) => delete field[k]);
          Object.assign(field, replacement);
          draw();
        } }, (types.includes(field.type) ? types : [...types, field.type])
        .map((t) => h("option", { value: t, selected: t === field.type }, t)));
      const fieldRole = role?.(field);
      const flag = (key, label) => {
        const id = uid();
        const box = h("input", { type: "checkbox", id, checked: !!field[key], disabled: field.system && key !== "presentable",
          onchange: () => { field[key] = box.checked; } });
        return h("span", { class: "check" }, box, h("label", { for: id }, label));
      };
      const move = (delta) => {
        const to = index + delta;
        if (to < 0 || to >= fields.length) return;
        [fields[index], fields[to]] = [fields[to], fields[index]];
        draw();
      };
      const options = (OPTIONS[field.type] || []).map((o) => optionControl(field, o, collections, index));
      return h("li", { class: "field-row", dataset: { index } },
        h("div", { class: "row" },
          h("label", { for: nameId, class: "sr-only" }, "Name"), name, type,
          fieldRole ? h("span", { class: `badge role-${fieldRole}`, dataset: { role: fieldRole },
            title: ROLE_HINTS[fieldRole] || "" }, fieldRole) : null,
          flag("required", "Required"), flag("hidden", "Hidden"), flag("presentable", "Presentable"),
          h("div", { class: "spacer" }),
          h("button", { type: "button", class: "icon", "aria-label": `Move ${field.name || "field"} up`, onclick: () => move(-1) }, "↑"),
          h("button", { type: "button", class: "icon", "aria-label": `Move ${field.name || "field"} down`, onclick: () => move(1) }, "↓"),
          field.system ? null : h("button", { type: "button", class: "icon danger", "aria-label": `Remove field ${field.name}`,
            onclick: () => { fields.splice(index, 1); draw(); } }, "✕")),
        h("div", { class: "field-error", role: "alert", dataset: { errorFor: `fields.${index}.name` } }),
        h("div", { class: "field-error", role: "alert", dataset: { errorFor: `fields.${index}.type` } }),
        options.length ? h("div", { class: "options" }, options) : null);
    }));
  };
  draw();
  return draw;
}
