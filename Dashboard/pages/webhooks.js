// Webhooks (Swiftbase's /api/webhooks, Docs/Webhooks.md): the list with each webhook's state, a form to add one
// (its signing secret shown once), enable or disable, rotate the secret, send a test message, delete; and per
// webhook its deliveries log, filtered by status, with a retry for a failed or pending delivery.
import { ApiError, send } from "../lib/api.js";
import { confirmAction, field, h, mount, openDialog, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { href, navigate, registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const ACTIONS = ["create", "update", "delete"];
const STATUSES = ["", "pending", "succeeded", "failed"];

/** Shows a signing secret once, with a copy button. */
function showSecret(title, secret) {
  const box = h("input", { type: "text", readonly: true, value: secret, id: "webhook-secret", class: "code",
    "aria-label": "The webhook's signing secret" });
  openDialog(title, h("div", {},
    h("p", {}, "Copy the signing secret now: it is shown only once. Receivers verify each message with it ",
      h("a", { href: "https://www.standardwebhooks.com", target: "_blank", rel: "noopener" }, "(Standard Webhooks)"), "."),
    box,
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => {
      navigator.clipboard?.writeText(secret);
      toast("Copied.", "ok");
    } }, "Copy"))));
  box.select();
}

/** The form that adds a webhook, choosing among `known` collections; `created` runs after the server made it. */
function createForm(known, created) {
  const name = h("input", { type: "text", id: "webhook-name", required: true });
  const url = h("input", { type: "url", id: "webhook-url", required: true, placeholder: "https://example.com/hooks/swiftbase",
    class: "code" });
  const collections = h("select", { id: "webhook-collections", multiple: true, size: 4 },
    known.filter((c) => !c.system).map((c) => h("option", { value: c.name }, c.name)));
  const actionBoxes = ACTIONS.map((a) => h("input", { type: "checkbox", value: a, checked: true, id: `webhook-action-${a}` }));
  const actions = h("fieldset", { class: "checks" }, h("legend", {}, "Actions"),
    actionBoxes.map((box) => h("label", { class: "check" }, box, box.value)),
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: "actions" } }));
  const filter = h("input", { type: "text", id: "webhook-filter", class: "code", spellcheck: "false",
    placeholder: 'e.g. status = "published"' });
  const headers = h("textarea", { id: "webhook-headers", class: "code", rows: 2, spellcheck: "false",
    placeholder: '{"Authorization": "Bearer …"}' });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "create-webhook", novalidate: true }, h("h2", {}, "New webhook"),
    field("Name", name, { name: "name" }), field("URL", url, { name: "url" }),
    field("Collections", collections, { name: "collections", hint: "None selected: every collection." }), actions,
    field("Filter (optional)", filter, { name: "filter", hint: "The filter language, over the changed record." }),
    field("Extra headers (optional, JSON)", headers, { name: "headers" }), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create webhook")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    showFieldErrors(form, {});
    const body = {
      name: name.value, url: url.value, collections: [...collections.selectedOptions].map((o) => o.value),
      actions: actionBoxes.filter((box) => box.checked).map((box) => box.value), filter: filter.value,
    };
    if (headers.value.trim()) {
      try {
        body.headers = JSON.parse(headers.value);
      } catch {
        showFieldErrors(form, { headers: { code: "validation_invalid_json", message: "Must be a JSON object." } });
        return;
      }
    }
    try {
      const webhook = await send("/api/webhooks", { method: "POST", body });
      form.reset();
      actionBoxes.forEach((box) => { box.checked = true; });
      showSecret(`Webhook ${webhook.name} created`, webhook.secret);
      await created();
    } catch (error) {
      showFormError(form, message, error);
    }
  });
  return form;
}

/** What a webhook's state column says. */
function stateBadge(webhook) {
  if (webhook.enabled) return h("span", { class: "badge ok" }, "enabled");
  return h("span", { class: "badge danger", title: webhook.disabledReason || "" },
    webhook.disabledReason ? "disabled (failing)" : "disabled");
}

registerPage({
  path: "/webhooks",
  title: "Webhooks",
  nav: { label: "Webhooks", order: 20, group: "Integrations" },
  async render({ el, signal }) {
    const tbody = h("tbody", {});
    async function act(what, run) {
      try {
        await run();
        await load();
      } catch (error) {
        toast(`${what}: ${error.message}`, "error");
      }
    }
    async function load() {
      const { items } = await send("/api/webhooks", { signal });
      mount(tbody, items.length ? items.map((w) => h("tr", { dataset: { id: w.id, name: w.name } },
        h("td", {}, h("a", { href: href(`/webhooks/${encodeURIComponent(w.id)}`) }, w.name)),
        h("td", {}, h("code", {}, w.url)),
        h("td", {}, w.collections.length ? w.collections.join(", ") : "all"),
        h("td", {}, w.actions.join(", ")),
        h("td", {}, stateBadge(w), w.consecutiveFailures ? ` ${w.consecutiveFailures} failed in a row` : ""),
        h("td", { class: "row-actions" },
          h("button", { type: "button", class: "toggle", onclick: () => act(w.enabled ? "Disable" : "Enable", () =>
            send(`/api/webhooks/${encodeURIComponent(w.id)}`, { method: "PATCH", body: { enabled: !w.enabled } })) },
          w.enabled ? "Disable" : "Enable"),
          h("button", { type: "button", class: "test", onclick: () => act("Test", async () => {
            const delivery = await send(`/api/webhooks/${encodeURIComponent(w.id)}/test`, { method: "POST" });
            toast(delivery.status === "succeeded" ? `Test message delivered (${delivery.responseStatus}).` :
              `Test message failed: ${delivery.error}`, delivery.status === "succeeded" ? "ok" : "error");
          }) }, "Send test"),
          h("button", { type: "button", class: "rotate", onclick: () => act("Rotate", async () => {
            if (!(await confirmAction(`Rotate the secret of "${w.name}"? Its receiver must use the new one at once.`, "Rotate"))) return;
            const rotated = await send(`/api/webhooks/${encodeURIComponent(w.id)}/rotate-secret`, { method: "POST" });
            showSecret(`New secret for ${w.name}`, rotated.secret);
          }) }, "Rotate secret"),
          h("button", { type: "button", class: "danger delete", onclick: () => act("Delete", async () => {
            if (!(await confirmAction(`Delete the webhook "${w.name}" and its deliveries log?`, "Delete"))) return;
            await send(`/api/webhooks/${encodeURIComponent(w.id)}`, { method: "DELETE" });
            toast(`Deleted ${w.name}.`, "ok");
          }) }, "Delete"))))
        : h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No webhooks.")));
    }
    // Fresh, so a collection made a moment ago (elsewhere, or through the API) can be chosen.
    const known = await reloadCollections();
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Webhooks")),
      h("table", { class: "compact", id: "webhooks-table" }, h("thead", {}, h("tr", {},
        ["Name", "URL", "Collections", "Actions", "State", ""].map((t) => h("th", { scope: "col" }, t)))), tbody),
      createForm(known, load));
    await load();
  },
});

registerPage({
  path: "/webhooks/:id",
  title: "Webhook deliveries",
  async render({ el, params, query, signal }) {
    const id = encodeURIComponent(params.id);
    let webhook;
    try {
      webhook = await send(`/api/webhooks/${id}`, { signal });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        mount(el, h("h1", {}, "Webhook not found"), h("p", {}, h("a", { href: href("/webhooks") }, "All webhooks")));
        return;
      }
      throw error;
    }
    const state = { page: 1, status: STATUSES.includes(query.status) ? query.status : "" };
    const status = h("select", { id: "deliveries-status", "aria-label": "Status",
      onchange: () => { state.status = status.value; state.page = 1; load(); } },
    STATUSES.map((s) => h("option", { value: s, selected: s === state.status }, s || "every status")));
    const summary = h("p", { class: "muted", id: "deliveries-summary", "aria-live": "polite" });
    const tbody = h("tbody", {});
    const pager = h("nav", { class: "pager", "aria-label": "Delivery pages" });

    async function retry(delivery) {
      try {
        await send(`/api/webhooks/${id}/deliveries/${encodeURIComponent(delivery.id)}/retry`, { method: "POST" });
        toast("Retry scheduled.", "ok");
        await load();
      } catch (error) {
        toast(error.message, "error");
      }
    }
    async function load() {
      const page = await send(`/api/webhooks/${id}/deliveries`,
        { query: { page: state.page, perPage: 30, status: state.status }, signal });
      summary.textContent = `${page.totalItems} deliveries`;
      mount(tbody, page.items.length ? page.items.map((d) => h("tr", { dataset: { id: d.id, status: d.status } },
        h("td", {}, d.created), h("td", {}, d.seq ?? "test"), h("td", {}, d.type),
        h("td", {}, h("span", { class: `badge ${d.status === "succeeded" ? "ok" : d.status === "failed" ? "danger" : ""}` }, d.status)),
        h("td", {}, String(d.attempts)), h("td", {}, d.responseStatus ? String(d.responseStatus) : "—"),
        h("td", {}, `${d.durationMs} ms`), h("td", { class: "error-text" }, d.error),
        h("td", {}, d.nextAttempt || ""),
        h("td", {}, d.status === "succeeded" ? null : h("button", { type: "button", class: "retry", onclick: () => retry(d) }, "Retry now"))))
        : h("tr", {}, h("td", { colspan: 10, class: "empty" }, "No deliveries.")));
      mount(pager,
        h("button", { type: "button", disabled: state.page <= 1, onclick: () => { state.page -= 1; load(); } }, "Previous"),
        h("span", {}, `Page ${page.page} of ${Math.max(1, page.totalPages)}`),
        h("button", { type: "button", disabled: state.page >= page.totalPages, onclick: () => { state.page += 1; load(); } }, "Next"));
    }
    mount(el, h("div", { class: "page-header" }, h("h1", {}, `Webhook ${webhook.name}`),
      h("button", { type: "button", onclick: () => navigate("/webhooks") }, "All webhooks")),
    h("dl", { class: "details", id: "webhook-details" },
      [["URL", webhook.url], ["Collections", webhook.collections.join(", ") || "all"], ["Actions", webhook.actions.join(", ")],
        ["Filter", webhook.filter || "—"], ["Cursor", String(webhook.cursor)], ["State", webhook.enabled ? "enabled" : `disabled ${webhook.disabledReason}`]]
        .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("div", { class: "filter-bar" }, status, h("button", { type: "button", id: "deliveries-refresh", onclick: () => load() }, "Refresh")),
    summary,
    h("table", { class: "compact", id: "deliveries-table" }, h("thead", {}, h("tr", {},
      ["Time (UTC)", "Seq", "Type", "Status", "Attempts", "Answer", "Duration", "Error", "Next attempt", ""]
        .map((t) => h("th", { scope: "col" }, t)))), tbody),
    pager);
    await load();
  },
});
