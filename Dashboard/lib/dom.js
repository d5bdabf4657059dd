// DOM helpers: element building (text always as text nodes, never HTML), dialogs, toasts and confirmations.

/**
 * h("button", {class: "primary", onclick: fn, "aria-label": "Save"}, "Save") — an element with attributes,
 * event handlers (on…), properties (value, checked…) and children (nodes, strings, arrays, null/false skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" || key === "checked" || key === "selected" || key === "indeterminate") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let fieldCounter = 0;
/** A unique id for label/input pairs. */
export function uid(prefix = "f") {
  fieldCounter += 1;
  return `${prefix}-${fieldCounter}`;
}

/** A labelled form row: label, the control (given an id), an optional hint and an error slot. */
export function field(label, control, { hint, name } = {}) {
  const id = control.id || uid();
  control.id = id;
  if (name) control.name = name;
  const error = h("div", { class: "field-error", role: "alert", dataset: { errorFor: name || id } });
  return h("div", { class: "field" }, h("label", { for: id }, label), control,
    hint ? h("div", { class: "hint" }, hint) : null, error);
}

/**
 * Shows PocketBase validation errors ({data: {name: {code, message}}}) next to the fields of a form
 * (elements with data-error-for), and answers whether any was placed.
 */
export function showFieldErrors(root, data, prefix = "") {
  let placed = false;
  for (const el of root.querySelectorAll("[data-error-for]")) el.textContent = "";
  const walk = (value, path) => {
    if (!value || typeof value !== "object") return;
    if (typeof value.message === "string" && typeof value.code === "string") {
      const slot = root.querySelector(`[data-error-for="${CSS.escape(path)}"]`);
      if (slot) {
        slot.textContent = value.message;
        placed = true;
      }
      return;
    }
    for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
  };
  walk(data, prefix);
  return placed;
}

/**
 * A failed request's error on a form: the field errors (an ApiError's `data`) at their fields, and the message in
 * `message`, pointing at them when any was placed; errors for which the form has no field (a scope's collection,
 * a nested option) are listed under the message as "path: message" lines. Answers whether any was placed.
 */
export function showFormError(form, message, error) {
  const placed = Boolean(error?.data) && showFieldErrors(form, error.data);
  const unplaced = errorEntries(error?.data)
    .filter(([path]) => !form.querySelector(`[data-error-for="${CSS.escape(path.join("."))}"]`))
    .map(([path, text]) => (path.length ? `${path.join(".")}: ${text}` : text));
  message.textContent = [placed ? `${error.message} See the marked fields.` : error.message, ...unplaced].join("\n");
  return placed;
}

/** PocketBase's nested validation errors as a flat list of [path (keys from the top), message]. */
export function errorEntries(data) {
  const out = [];
  const walk = (value, path) => {
    if (!value || typeof value !== "object") return;
    if (typeof value.message === "string" && typeof value.code === "string") {
      out.push([path, value.message]);
      return;
    }
    for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
  };
  walk(data, []);
  return out;
}

/** A transient message at the bottom of the screen (role=status, so screen readers announce it). */
export function toast(message, kind = "info") {
  let host = document.getElementById("toasts");
  if (!host) {
    host = h("div", { id: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(host);
  }
  const item = h("div", { class: `toast ${kind}` }, message);
  host.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

/**
 * Opens a modal <dialog> (Escape closes it, focus stays inside) with a title and content; answers the
 * dialog. `onClose` runs once when it closes.
 */
export function openDialog(title, content, { wide = false, onClose } = {}) {
  const titleId = uid("dlg");
  const close = h("button", { type: "button", class: "icon", "aria-label": "Close", onclick: () => dialog.close() }, "✕");
  const dialog = h("dialog", { class: wide ? "wide" : "", "aria-labelledby": titleId },
    h("header", {}, h("h2", { id: titleId }, title), close), content);
  dialog.addEventListener("close", () => {
    dialog.remove();
    onClose?.();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks a yes/no question in a dialog; resolves true on confirm. */
export function confirmAction(question, confirmLabel = "Confirm") {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h("button", { type: "button", class: "danger", onclick: () => { answer = true; dialog.close(); } }, confirmLabel);
    const no = h("button", { type: "button", onclick: () => dialog.close() }, "Cancel");
    const dialog = openDialog("Confirm", h("div", {}, h("p", {}, question), h("div", { class: "actions" }, no, yes)),
      { onClose: () => resolve(answer) });
    yes.focus();
  });
}

/** Ctrl+Enter (Cmd+Enter) in `textarea` submits `form`, as query editors do. */
export function submitOnCtrlEnter(textarea, form) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** Formats a byte count for people. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

/** Debounces a function by `ms`. */
export function debounce(fn, ms = 250) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
