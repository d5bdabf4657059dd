// How a record's value shows in a table cell, per field type: text cut short, booleans as ✓, files as
// thumbnails (?thumb=), relations as their expanded record's presentable value.
import { fileURL } from "./api.js";
import { h } from "./dom.js";

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

/** A short label for a record: its presentable fields, else a name/title/email, else its id. */
export function recordLabel(record, collection) {
  if (!record) return "";
  const presentable = (collection?.fields || []).filter((f) => f.presentable).map((f) => record[f.name]);
  const chosen = presentable.filter((v) => v !== undefined && v !== null && v !== "");
  if (chosen.length) return chosen.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(" · ");
  for (const key of ["name", "title", "email", "username", "label", "slug"]) {
    if (record[key]) return String(record[key]);
  }
  return record.id;
}

function short(text, max = 80) {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The cell content for `record[field.name]`; `ctx` gives {collections, fileToken}. */
export function cellContent(record, field, ctx) {
  const value = record[field.name];
  switch (field.type) {
    case "bool":
      return h("span", { class: value ? "yes" : "no", "aria-label": value ? "true" : "false" }, value ? "✓" : "–");
    case "file": {
      const names = Array.isArray(value) ? value : value ? [value] : [];
      return h("span", { class: "files" }, names.slice(0, 4).map((name) => IMAGE.test(name)
        ? h("img", { class: "thumb", alt: name, loading: "lazy",
          src: fileURL(record, name, { thumb: "100x100", token: field.protected ? ctx.fileToken : undefined }) })
        : h("span", { class: "chip" }, short(name, 24))));
    }
    case "relation": {
      const ids = Array.isArray(value) ? value : value ? [value] : [];
      const expanded = record.expand?.[field.name];
      const list = Array.isArray(expanded) ? expanded : expanded ? [expanded] : [];
      const target = ctx.collections.find((c) => c.id === field.collectionId);
      return h("span", { class: "chips" }, ids.slice(0, 5).map((id) => {
        const found = list.find((r) => r.id === id);
        return h("span", { class: "chip", title: id }, short(found ? recordLabel(found, target) : id, 30));
      }), ids.length > 5 ? h("span", { class: "muted" }, ` +${ids.length - 5}`) : null);
    }
    case "select":
      return h("span", { class: "chips" }, (Array.isArray(value) ? value : value ? [value] : [])
        .map((v) => h("span", { class: "chip" }, v)));
    case "json":
      return h("code", {}, short(JSON.stringify(value ?? null), 60));
    case "editor": {
      const doc = new DOMParser().parseFromString(String(value || ""), "text/html");
      return short(doc.body.textContent || "", 80);
    }
    case "geoPoint":
      return value ? `${value.lat}, ${value.lon}` : "";
    case "password":
      return "••••";
    default:
      return value === null || value === undefined ? "" : short(value);
  }
}
