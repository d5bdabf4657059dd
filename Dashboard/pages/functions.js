// Functions (Swiftbase's WebAssembly plug-ins, Docs/FunctionsAPI.md): the deployed functions with their triggers and
// active version, a form to deploy one (a .wasm file and its config as JSON), and per function its page — the
// module, an HTTP trigger tried from the page, the config edited as a new version, a new module uploaded, the
// versions with a "Make active" (rollback) for each older one, and the function's log, refreshed as it grows.
// Everything goes through /api/functions and /api/fn/{name}.
import { ApiError, authStore, send } from "../lib/api.js";
import { confirmAction, errorEntries, field, formatBytes, h, mount, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { href, registerPage } from "../lib/router.js";

const LOG_REFRESH_MS = 3000;
const CONFIG_EXAMPLE = '{"triggers": [{"type": "http"}], "runAs": "caller"}';
/** The config keys a function answers and a PATCH takes. */
const CONFIG_KEYS = ["triggers", "config", "limits", "runAs", "allowedHosts"];

/** A trigger in a few words: "http", "before create, update on posts", "cron" and its schedule. */
function describeTrigger(trigger) {
  const exported = trigger.export && trigger.export !== "handle" ? ` → ${trigger.export}` : "";
  switch (trigger.type) {
    case "http": return `http${exported}`;
    case "record": return `${trigger.when} ${(trigger.actions || []).join(", ")} on ${trigger.collection}${exported}`;
    case "cron": return `cron ${trigger.schedule}${exported}`;
    case "changes": return `changes${trigger.collections?.length ? ` of ${trigger.collections.join(", ")}` : ""}${exported}`;
    default: return `${trigger.type}${exported}`;
  }
}

/** Who a function acts as: unset means the caller for HTTP calls and a guest for hooks and cron. */
function runAsText(runAs) {
  if (runAs == null) return "default";
  return typeof runAs === "string" ? runAs : "scoped";
}

/**
 * Shows the server's errors on a deploy or edit form: `name` and `module` at their fields, the config's
 * (`config.triggers.0.type`…) as lines under the config box.
 */
function showErrors(form, configSlot, message, error) {
  configSlot.textContent = "";
  if (!(error instanceof ApiError)) {
    message.textContent = error.message;
    return;
  }
  const { config, ...rest } = error.data || {};
  const placed = showFieldErrors(form, rest);
  const lines = errorEntries(config).map(([path, text]) => `${path.join(".") || "config"}: ${text}`);
  configSlot.textContent = lines.join("\n");
  message.textContent = placed || lines.length ? `${error.message} See the marked fields.` : error.message;
}

/** The form that deploys a function (a new one, or a new version of one of that name). */
function deployForm(deployed) {
  const name = h("input", { type: "text", id: "function-name", required: true, pattern: "[a-z][a-z0-9_-]{0,62}",
    placeholder: "hello" });
  const module = h("input", { type: "file", id: "function-module", accept: ".wasm,application/wasm", required: true });
  const config = h("textarea", { id: "function-config", class: "code", rows: 4, spellcheck: "false",
    placeholder: CONFIG_EXAMPLE });
  const configErrors = h("div", { class: "field-error pre", role: "alert", id: "function-config-errors" });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "deploy-function", novalidate: true }, h("h2", {}, "Deploy a function"),
    field("Name", name, { name: "name", hint: "a-z, 0-9, _ and -, starting with a letter. An existing name gets a new version." }),
    field("Module (.wasm, an Extism plug-in)", module, { name: "module" }),
    field("Config (JSON, optional)", config, { hint: "triggers, config, limits, runAs, allowedHosts (Docs/FunctionsAPI.md)." }),
    configErrors, message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Deploy")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    configErrors.textContent = "";
    showFieldErrors(form, {});
    if (config.value.trim()) {
      try {
        JSON.parse(config.value);
      } catch {
        configErrors.textContent = "The config must be JSON.";
        return;
      }
    }
    const body = new FormData();
    body.set("name", name.value.trim());
    if (module.files[0]) body.set("module", module.files[0]);
    if (config.value.trim()) body.set("config", config.value);
    try {
      const fn = await send("/api/functions", { method: "POST", body });
      toast(`Deployed ${fn.name}, version ${fn.version}.`, "ok");
      form.reset();
      await deployed(fn);
    } catch (error) {
      showErrors(form, configErrors, message, error);
    }
  });
  return form;
}

registerPage({
  path: "/functions",
  title: "Functions",
  nav: { label: "Functions", order: 22, group: "Integrations" },
  async render({ el, signal }) {
    const tbody = h("tbody", {});
    async function load() {
      const { items } = await send("/api/functions", { signal });
      mount(tbody, items.length ? items.map((fn) => h("tr", { dataset: { name: fn.name } },
        h("td", {}, h("a", { href: href(`/functions/${encodeURIComponent(fn.name)}`) }, fn.name)),
        h("td", {}, String(fn.version)),
        h("td", {}, fn.triggers.length ? fn.triggers.map((t) => h("code", { class: "chip" }, describeTrigger(t))) : "none"),
        h("td", {}, runAsText(fn.runAs)),
        h("td", {}, fn.source === "file" ? h("span", { class: "badge", title: "loaded from the functions directory" }, "file") : "api"),
        h("td", {}, fn.updated),
        h("td", { class: "row-actions" }, h("button", { type: "button", class: "danger delete", onclick: async () => {
          if (!(await confirmAction(`Delete the function "${fn.name}" and all its versions?`, "Delete"))) return;
          try {
            await send(`/api/functions/${encodeURIComponent(fn.name)}`, { method: "DELETE" });
            toast(`Deleted ${fn.name}.`, "ok");
          } catch (error) {
            toast(`Delete: ${error.message}`, "error");
          }
          await load();
        } }, "Delete"))))
        : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No functions yet.")));
    }
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Functions")),
      h("table", { class: "compact", id: "functions-table" }, h("thead", {}, h("tr", {},
        ["Name", "Version", "Triggers", "Runs as", "Source", "Updated", ""].map((t) => h("th", { scope: "col" }, t)))), tbody),
      deployForm(load));
    await load();
  },
});

/** The "Try it" box of a function with an HTTP trigger: sends a request to /api/fn/{name}{path} as the signed-in superuser. */
function tryIt(name) {
  const method = h("select", { id: "try-method" }, ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => h("option", { value: m }, m)));
  const path = h("input", { type: "text", id: "try-path", class: "code", value: "/", spellcheck: "false" });
  const body = h("textarea", { id: "try-body", class: "code", rows: 3, spellcheck: "false", placeholder: '{"hello": "world"}' });
  const answer = h("pre", { id: "try-answer", class: "code", "aria-live": "polite" });
  const form = h("form", { class: "settings-form", id: "try-function" }, h("h2", {}, "Try it"),
    h("p", { class: "hint" }, "Calls ", h("code", {}, `/api/fn/${name}`), " as you (a superuser): a function that runs as its caller has your rights."),
    h("div", { class: "inline-fields" }, method, path), field("Body", body), h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, "Send")), answer);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const suffix = path.value.trim() === "/" ? "" : `/${path.value.trim().replace(/^\/+/, "")}`;
    const init = { method: method.value, headers: { Authorization: authStore.token } };
    if (!["GET", "HEAD"].includes(method.value) && body.value) {
      init.body = body.value;
      init.headers["Content-Type"] = "application/json";
    }
    answer.textContent = "…";
    try {
      const response = await fetch(`/api/fn/${encodeURIComponent(name)}${suffix}`, init);
      const text = await response.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // not JSON: shown as it came
      }
      answer.textContent = `${response.status} ${response.statusText}\n\n${shown}`;
    } catch (error) {
      answer.textContent = `The request failed: ${error.message}`;
    }
  });
  return form;
}

/** The config of `fn` edited as JSON, saved as a new version (PATCH); or a new module uploaded. */
function editForms(fn, saved) {
  const current = Object.fromEntries(CONFIG_KEYS.map((key) => [key, fn[key]]));
  const config = h("textarea", { id: "edit-config", class: "code", rows: 10, spellcheck: "false" }, JSON.stringify(current, null, 2));
  const configErrors = h("div", { class: "field-error pre", role: "alert", id: "edit-config-errors" });
  const message = h("p", { class: "form-error", role: "alert" });
  const configForm = h("form", { class: "settings-form", id: "edit-function", novalidate: true }, h("h2", {}, "Config"),
    field("Triggers, config, limits, runAs, allowedHosts (JSON)", config), configErrors, message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save as a new version")));
  configForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    configErrors.textContent = "";
    let body;
    try {
      body = JSON.parse(config.value);
    } catch {
      configErrors.textContent = "The config must be JSON.";
      return;
    }
    try {
      const updated = await send(`/api/functions/${encodeURIComponent(fn.name)}`, { method: "PATCH", body });
      toast(`Saved: version ${updated.version}.`, "ok");
      await saved();
    } catch (error) {
      showErrors(configForm, configErrors, message, error);
    }
  });

  const module = h("input", { type: "file", id: "edit-module", accept: ".wasm,application/wasm" });
  const moduleMessage = h("p", { class: "form-error", role: "alert" });
  const moduleForm = h("form", { class: "settings-form", id: "upload-module", novalidate: true }, h("h2", {}, "New module"),
    field("Module (.wasm)", module, { name: "module", hint: "Deployed as a new version with the config above." }), moduleMessage,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Upload")));
  moduleForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    moduleMessage.textContent = "";
    showFieldErrors(moduleForm, {});
    if (!module.files[0]) {
      moduleMessage.textContent = "Choose a .wasm file.";
      return;
    }
    const body = new FormData();
    body.set("module", module.files[0]);
    try {
      const updated = await send(`/api/functions/${encodeURIComponent(fn.name)}`, { method: "PATCH", body });
      toast(`Uploaded: version ${updated.version}.`, "ok");
      await saved();
    } catch (error) {
      showFormError(moduleForm, moduleMessage, error);
    }
  });
  return [configForm, moduleForm];
}

registerPage({
  path: "/functions/:name",
  title: (p) => `Function ${p.name}`,
  async render({ el, params, signal }) {
    const name = params.name;
    const logBody = h("tbody", {});
    let fn;

    async function loadLogs() {
      let items;
      try {
        ({ items } = await send(`/api/functions/${encodeURIComponent(name)}/logs`, { query: { limit: 100 }, signal }));
      } catch (error) {
        if (error.name !== "AbortError") mount(logBody, h("tr", {}, h("td", { colspan: 4, class: "empty" }, error.message)));
        return;
      }
      mount(logBody, items.length ? items.map((line) => h("tr", {},
        h("td", {}, line.time), h("td", {}, h("span", { class: `badge level-${line.level}` }, line.level)),
        h("td", {}, line.trigger || "–"), h("td", { class: "code" }, line.message)))
        : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "Nothing logged yet.")));
    }

    async function load() {
      try {
        fn = await send(`/api/functions/${encodeURIComponent(name)}`, { signal });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          mount(el, h("h1", {}, "Function not found"), h("p", {}, h("a", { href: href("/functions") }, "All functions")));
          return false;
        }
        throw error;
      }
      const versions = h("tbody", {}, fn.versions.map((v) => h("tr", { dataset: { version: v.version } },
        h("td", {}, String(v.version)), h("td", {}, h("code", { title: v.sha256 }, v.sha256.slice(0, 12))),
        h("td", {}, formatBytes(v.size)), h("td", {}, v.created),
        h("td", { class: "row-actions" }, v.active ? h("span", { class: "badge ok" }, "active")
          : h("button", { type: "button", class: "activate", onclick: async () => {
            try {
              await send(`/api/functions/${encodeURIComponent(name)}/rollback`, { method: "POST", body: { version: v.version } });
              toast(`Version ${v.version} is active.`, "ok");
            } catch (error) {
              toast(`Rollback: ${error.message}`, "error");
            }
            await load();
          } }, "Make active")))));
      const hasHTTP = fn.triggers.some((t) => t.type === "http");
      mount(el,
        h("div", { class: "page-header" }, h("h1", {}, fn.name), h("span", { class: "badge", id: "function-version" }, `version ${fn.version}`),
          h("a", { href: href("/functions"), class: "button" }, "All functions")),
        h("dl", { class: "figures", id: "function-summary" },
          h("div", {}, h("dt", {}, "Triggers"), h("dd", {}, fn.triggers.length ? fn.triggers.map((t) => h("code", { class: "chip" }, describeTrigger(t))) : "none")),
          h("div", {}, h("dt", {}, "Runs as"), h("dd", {
            title: fn.runAs == null ? "the caller for HTTP calls, a guest for hooks and cron" : undefined }, runAsText(fn.runAs))),
          h("div", {}, h("dt", {}, "Module"), h("dd", {}, `${formatBytes(fn.module.size)}, exports ${fn.module.exports.join(", ") || "none"}`)),
          h("div", {}, h("dt", {}, "Source"), h("dd", {}, fn.source))),
        hasHTTP ? tryIt(fn.name) : null,
        h("section", {}, h("h2", {}, "Versions"), h("table", { class: "compact", id: "function-versions" }, h("thead", {}, h("tr", {},
          ["Version", "SHA-256", "Size", "Deployed", ""].map((t) => h("th", { scope: "col" }, t)))), versions)),
        ...editForms(fn, load),
        h("section", {}, h("div", { class: "page-header" }, h("h2", {}, "Log"),
          h("button", { type: "button", id: "function-log-refresh", onclick: () => loadLogs() }, "Refresh")),
          h("table", { class: "compact", id: "function-log" }, h("thead", {}, h("tr", {},
            ["Time", "Level", "Trigger", "Message"].map((t) => h("th", { scope: "col" }, t)))), logBody)));
      await loadLogs();
      return true;
    }

    if (!(await load())) return undefined;
    const timer = setInterval(loadLogs, LOG_REFRESH_MS);
    return () => clearInterval(timer);
  },
});

