// Settings: application, mail (with a test mail), rate limits and logs retention — PATCH /api/settings with
// only the section edited. Backups, API keys and the audit log are sections of their own (settings-*.js);
// every section registers in SETTINGS_SECTIONS so the sub-navigation lists it.
import { send } from "../lib/api.js";
import { field, h, mount, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { href, navigate, registerPage } from "../lib/router.js";

/** Sections of the settings page: [slug, label, render({el, signal})]. Other modules push theirs. */
export const SETTINGS_SECTIONS = [];

function input(value, attrs = {}) {
  return h("input", { type: "text", value: value ?? "", ...attrs });
}

function checkbox(value) {
  return h("input", { type: "checkbox", checked: !!value });
}

/** A form that PATCHes `build()` and shows errors by field (data-error-for paths like "meta.appName"). */
function settingsForm(title, controls, build, extra) {
  const message = h("p", { class: "form-error", role: "alert" });
  const save = h("button", { type: "submit", class: "primary" }, "Save");
  const form = h("form", { class: "settings-form", novalidate: true }, h("h2", {}, title), controls, message,
    h("div", { class: "actions" }, h("div", { class: "spacer" }), save), extra);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    save.disabled = true;
    try {
      await send("/api/settings", { method: "PATCH", body: build() });
      showFieldErrors(form, {});
      toast("Settings saved.", "ok");
    } catch (error) {
      showFormError(form, message, error);
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function errorSlot(path) {
  return h("div", { class: "field-error", role: "alert", dataset: { errorFor: path } });
}

function row(label, control, path) {
  const f = field(label, control);
  f.querySelector(".field-error").dataset.errorFor = path;
  return f;
}

async function application({ el }) {
  const { meta, batch, trustedProxy } = await send("/api/settings");
  const appName = input(meta.appName, { id: "app-name" });
  const appURL = input(meta.appURL, { type: "url", id: "app-url" });
  const hide = checkbox(meta.hideControls);
  const batchOn = checkbox(batch?.enabled);
  const batchMax = input(batch?.maxRequests, { type: "number" });
  const proxyHeaders = input((trustedProxy?.headers || []).join(", "));
  mount(el, settingsForm("Application", [
    row("Application name", appName, "meta.appName"), row("Application URL", appURL, "meta.appURL"),
    row("Hide collection create and edit controls", hide, "meta.hideControls"),
    row("Batch API enabled", batchOn, "batch.enabled"), row("Batch max requests", batchMax, "batch.maxRequests"),
    row("Trusted proxy headers (comma separated)", proxyHeaders, "trustedProxy.headers"),
  ], () => ({
    meta: { appName: appName.value, appURL: appURL.value, hideControls: hide.checked },
    batch: { enabled: batchOn.checked, maxRequests: Number(batchMax.value) || 0 },
    trustedProxy: { headers: proxyHeaders.value.split(",").map((s) => s.trim()).filter(Boolean) },
  })));
}

async function mail({ el }) {
  const { meta, smtp } = await send("/api/settings");
  const senderName = input(meta.senderName);
  const senderAddress = input(meta.senderAddress, { type: "email" });
  const enabled = checkbox(smtp.enabled);
  const host = input(smtp.host);
  const port = input(smtp.port, { type: "number" });
  const username = input(smtp.username, { autocomplete: "off" });
  const password = input("", { type: "password", autocomplete: "new-password", placeholder: "unchanged" });
  const tls = checkbox(smtp.tls);
  const form = settingsForm("Mail", [
    row("Sender name", senderName, "meta.senderName"), row("Sender address", senderAddress, "meta.senderAddress"),
    row("Use an SMTP server", enabled, "smtp.enabled"), row("SMTP host", host, "smtp.host"), row("SMTP port", port, "smtp.port"),
    row("Username", username, "smtp.username"), row("Password", password, "smtp.password"), row("TLS", tls, "smtp.tls"),
  ], () => {
    const smtpBody = { enabled: enabled.checked, host: host.value, port: Number(port.value) || 0,
      username: username.value, tls: tls.checked };
    if (password.value) smtpBody.password = password.value;
    return { meta: { senderName: senderName.value, senderAddress: senderAddress.value }, smtp: smtpBody };
  });
  const to = h("input", { type: "email", id: "test-email-to", required: true });
  const template = h("select", { id: "test-email-template" },
    ["verification", "password-reset", "email-change", "otp", "login-alert"].map((t) => h("option", { value: t }, t)));
  const testMessage = h("p", { role: "status" });
  const test = h("form", { class: "settings-form", id: "test-email-form" }, h("h2", {}, "Send a test mail"),
    field("To", to), field("Template", template), errorSlot("email"), testMessage,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send test mail")));
  test.addEventListener("submit", async (event) => {
    event.preventDefault();
    testMessage.textContent = "Sending…";
    try {
      await send("/api/settings/test/email", { method: "POST",
        body: { email: to.value, template: template.value, collection: "_superusers" } });
      testMessage.textContent = `Sent to ${to.value}.`;
    } catch (error) {
      showFieldErrors(test, error.data);
      testMessage.textContent = error.message;
    }
  });
  mount(el, form, test);
}

async function rateLimits({ el }) {
  const { rateLimits, logs } = await send("/api/settings");
  const enabled = checkbox(rateLimits.enabled);
  const rules = (rateLimits.rules || []).map((r) => ({ ...r }));
  const table = h("tbody", {});
  const draw = () => mount(table, rules.map((rule, i) => {
    const cell = (key, type = "text") => {
      const control = h("input", { type, value: rule[key] ?? "", "aria-label": `Rule ${i + 1} ${key}`,
        oninput: () => { rule[key] = type === "number" ? Number(control.value) : control.value; } });
      return h("td", {}, control, errorSlot(`rateLimits.rules.${i}.${key}`));
    };
    const audience = h("select", { "aria-label": `Rule ${i + 1} audience`, onchange: () => { rule.audience = audience.value; } },
      [["", "all"], ["@guest", "guests"], ["@auth", "signed in"]].map(([v, l]) => h("option", { value: v, selected: (rule.audience || "") === v }, l)));
    return h("tr", {}, cell("label"), cell("maxRequests", "number"), cell("duration", "number"), h("td", {}, audience),
      h("td", {}, h("button", { type: "button", class: "icon danger", "aria-label": `Remove rule ${i + 1}`,
        onclick: () => { rules.splice(i, 1); draw(); } }, "✕")));
  }));
  draw();
  const maxDays = input(logs?.maxDays, { type: "number" });
  const minLevel = input(logs?.minLevel, { type: "number" });
  const logIP = checkbox(logs?.logIP);
  const logAuthId = checkbox(logs?.logAuthId);
  mount(el, settingsForm("Rate limits", [
    row("Enabled", enabled, "rateLimits.enabled"),
    h("table", { class: "compact" }, h("thead", {}, h("tr", {}, ["Label (e.g. *:create, /api/)", "Max requests", "Per seconds", "Audience", ""]
      .map((t) => h("th", { scope: "col" }, t)))), table),
    h("button", { type: "button", onclick: () => { rules.push({ label: "", maxRequests: 300, duration: 10, audience: "" }); draw(); } }, "+ Add rule"),
    h("h2", {}, "Logs"),
    row("Keep logs for (days)", maxDays, "logs.maxDays"), row("Minimum level", minLevel, "logs.minLevel"),
    row("Log IP addresses", logIP, "logs.logIP"), row("Log the auth id", logAuthId, "logs.logAuthId"),
  ], () => ({
    rateLimits: { enabled: enabled.checked, rules },
    logs: { maxDays: Number(maxDays.value) || 0, minLevel: Number(minLevel.value) || 0, logIP: logIP.checked,
      logAuthId: logAuthId.checked },
  })));
}

SETTINGS_SECTIONS.push(["application", "Application", application], ["mail", "Mail", mail],
  ["rate-limits", "Rate limits & logs", rateLimits]);

registerPage({
  path: "/settings/:section",
  title: (p) => `Settings · ${p.section}`,
  nav: { label: "Settings", order: 42, group: "Admin", href: "/settings/application" },
  async render({ el, params, signal }) {
    const section = SETTINGS_SECTIONS.find(([slug]) => slug === params.section) || SETTINGS_SECTIONS[0];
    const content = h("div", { class: "settings-content", id: `settings-${section[0]}` });
    mount(el, h("h1", {}, "Settings"), h("div", { class: "settings" },
      h("nav", { class: "subnav", "aria-label": "Settings sections" }, h("ul", {}, SETTINGS_SECTIONS.map(([slug, label]) =>
        h("li", {}, h("a", { href: href(`/settings/${slug}`), "aria-current": slug === section[0] ? "page" : null }, label))))),
      content));
    try {
      return await section[2]({ el: content, signal });
    } catch (error) {
      mount(content, h("p", { class: "form-error", role: "alert" }, error.message));
      return undefined;
    }
  },
});
registerPage({ path: "/settings", title: "Settings", render: () => navigate("/settings/application", { replace: true }) });
