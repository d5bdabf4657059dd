// Create or edit one record in a dialog: a control per field (lib/field-inputs.js), files sent as multipart
// with the other values in @jsonPayload (as PocketBase's SDK sends them), validation errors shown by their
// fields, delete, and for auth records impersonation.
import { ApiError, records as recordsAPI } from "../lib/api.js";
import { confirmAction, h, openDialog, showFieldErrors, toast } from "../lib/dom.js";
import { inputFor } from "../lib/field-inputs.js";
import { allCollections } from "../lib/state.js";

/** Opens the form for `record` (null = a new one) of `collection`; `onSaved` runs after a save or delete. */
export function openRecordForm(collection, record, { onSaved, fileToken } = {}) {
  const isNew = !record;
  const controls = [];
  const fields = collection.fields.filter((f) => !(f.hidden && f.system && f.name === "tokenKey"));
  for (const field of fields) {
    if (field.name === "id" && !isNew) continue;
    const control = inputFor(field, record, { collections: allCollections(), fileToken, isNew });
    if (control) controls.push({ field, control });
  }
  const message = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "primary", id: "save-record" }, isNew ? "Create" : "Save changes");
  const actions = h("div", { class: "actions" });
  if (!isNew && collection.type !== "view") {
    actions.append(h("button", { type: "button", class: "danger", id: "delete-record", onclick: remove }, "Delete"));
    if (collection.type === "auth") {
      actions.append(h("button", { type: "button", id: "impersonate", onclick: impersonate }, "Impersonate"));
    }
  }
  actions.append(h("div", { class: "spacer" }), save);
  const form = h("form", { class: "record-form", novalidate: true },
    isNew ? null : h("p", { class: "muted" }, "id ", h("code", { id: "record-id" }, record.id)),
    controls.map((c) => c.control.el), message, actions);
  const dialog = openDialog(isNew ? `New ${collection.name} record` : `Edit ${collection.name} record`, form,
    { wide: true });
  form.querySelector("input, select, textarea")?.focus();

  function body() {
    const values = {};
    const files = [];
    for (const { field, control } of controls) {
      if (control.readOnly) continue;
      if (control.isFile) {
        for (const file of control.files()) files.push([control.multiple ? `${field.name}+` : field.name, file]);
        for (const name of control.removed()) files.push([`${field.name}-`, name]);
        continue;
      }
      if (control.isPassword) {
        const password = control.value();
        if (password) { values[field.name] = password; values.passwordConfirm = control.confirm(); }
        continue;
      }
      if (field.primaryKey && !control.value()) continue;
      values[field.name] = control.value();
    }
    if (!files.length) return values;
    const data = new FormData();
    data.append("@jsonPayload", JSON.stringify(values));
    for (const [name, value] of files) data.append(name, value);
    return data;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    if (controls.some((c) => c.control.valid && !c.control.valid())) {
      message.textContent = "Fix the invalid JSON first.";
      return;
    }
    save.disabled = true;
    try {
      const api = recordsAPI(collection.name);
      const saved = isNew ? await api.create(body()) : await api.update(record.id, body());
      toast(isNew ? `Created ${saved.id}.` : `Saved ${saved.id}.`, "ok");
      dialog.close();
      onSaved?.(saved);
    } catch (error) {
      if (error instanceof ApiError && showFieldErrors(form, error.data)) message.textContent = error.message;
      else message.textContent = error.message;
    } finally {
      save.disabled = false;
    }
  });

  async function remove() {
    if (!(await confirmAction(`Delete record ${record.id}?`, "Delete"))) return;
    try {
      await recordsAPI(collection.name).delete(record.id);
      toast(`Deleted ${record.id}.`, "ok");
      dialog.close();
      onSaved?.(null);
    } catch (error) {
      message.textContent = error.message;
    }
  }

  async function impersonate() {
    try {
      const answer = await recordsAPI(collection.name).impersonate(record.id, 3600);
      const token = h("textarea", { readonly: true, rows: 4, class: "code", id: "impersonate-token",
        "aria-label": "Impersonation token" }, answer.token);
      openDialog(`Token for ${record.email || record.id}`, h("div", {},
        h("p", {}, "A token that acts as this record for one hour. Treat it as a password."), token,
        h("div", { class: "actions" }, h("button", { type: "button", onclick: () => {
          navigator.clipboard?.writeText(answer.token);
          toast("Copied.", "ok");
        } }, "Copy"))));
      token.select();
    } catch (error) {
      message.textContent = error.message;
    }
  }
}
