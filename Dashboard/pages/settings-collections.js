// The settings sections a PocketBase dashboard user looks for beside the application's: crons (the registered jobs,
// each run on demand), exporting every collection as JSON (copied or downloaded), importing a collections JSON (a
// review of what it adds, changes and deletes before PUT /api/collections/import), and files storage (S3, with a
// connection test). All through the public API, as PocketBase's own dashboard does.
import { ApiError, send } from "../lib/api.js";
import { field, h, mount, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { reloadCollections } from "../lib/state.js";
import { SETTINGS_SECTIONS } from "./settings.js";

async function crons({ el }) {
  const tbody = h("tbody", {});
  const jobs = await send("/api/crons");
  mount(tbody, jobs.length ? jobs.map((job) => h("tr", { dataset: { id: job.id } },
    h("td", {}, h("code", {}, job.id)), h("td", {}, h("code", {}, job.expression)),
    h("td", { class: "row-actions" }, h("button", { type: "button", class: "run", onclick: async () => {
      try {
        await send(`/api/crons/${encodeURIComponent(job.id)}`, { method: "POST" });
        toast(`Started ${job.id}.`, "ok");
      } catch (error) {
        toast(`Run ${job.id}: ${error.message}`, "error");
      }
    } }, "Run now"))))
    : h("tr", {}, h("td", { colspan: 3, class: "empty" }, "No cron jobs.")));
  mount(el, h("h2", {}, "Crons"),
    h("p", { class: "hint" }, "The jobs the server runs on a schedule: functions' cron triggers, the app's own, and the system's (",
      h("code", {}, "__pb…"), "). Run now starts one in the background."),
    h("table", { class: "compact", id: "crons-table" }, h("thead", {}, h("tr", {},
      ["Job", "Schedule", ""].map((t) => h("th", { scope: "col" }, t)))), tbody));
}

/** Every collection, as GET /api/collections answers it, for an export (all pages). */
async function allCollections() {
  const items = [];
  for (let page = 1; ; page += 1) {
    const answer = await send("/api/collections", { query: { page, perPage: 200, sort: "created" } });
    items.push(...answer.items);
    if (page >= answer.totalPages) return items;
  }
}

async function exportCollections({ el }) {
  const collections = await allCollections();
  const text = JSON.stringify(collections, null, 2);
  const box = h("textarea", { id: "export-json", class: "code", rows: 18, readonly: true, spellcheck: "false" }, text);
  const download = h("button", { type: "button", class: "primary", id: "export-download", onclick: () => {
    const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })),
      download: `collections_${new Date().toISOString().slice(0, 10)}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  } }, "Download JSON");
  const copy = h("button", { type: "button", onclick: () => {
    navigator.clipboard?.writeText(text);
    toast("Copied.", "ok");
  } }, "Copy");
  mount(el, h("h2", {}, "Export collections"),
    h("p", { class: "hint" }, `${collections.length} collections, system ones included: what Import collections here or in PocketBase reads.`),
    box, h("div", { class: "actions" }, copy, download));
}

/** What an import would do to the current collections: names added, changed, and (with deleteMissing) deleted. */
function importPlan(current, incoming, deleteMissing) {
  const byKey = new Map(current.map((c) => [c.id, c]));
  const byName = new Map(current.map((c) => [c.name, c]));
  const plan = { added: [], changed: [], deleted: [] };
  const seen = new Set();
  for (const item of incoming) {
    const existing = byKey.get(item.id) || byName.get(item.name);
    if (!existing) {
      plan.added.push(item.name);
      continue;
    }
    seen.add(existing.id);
    const comparable = (c) => JSON.stringify({ ...c, created: undefined, updated: undefined });
    if (comparable({ ...existing, ...item }) !== comparable(existing)) plan.changed.push(item.name);
  }
  if (deleteMissing) plan.deleted = current.filter((c) => !seen.has(c.id) && !c.system).map((c) => c.name);
  return plan;
}

async function importCollections({ el }) {
  const file = h("input", { type: "file", id: "import-file", accept: ".json,application/json" });
  const box = h("textarea", { id: "import-json", class: "code", rows: 14, spellcheck: "false",
    placeholder: '[{"name": "posts", "type": "base", "fields": [{"name": "title", "type": "text"}]}]' });
  const deleteMissing = h("input", { type: "checkbox", id: "import-delete-missing" });
  const review = h("div", { id: "import-review", "aria-live": "polite" });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "import-form", novalidate: true }, h("h2", {}, "Import collections"),
    field("From a file", file), field("Or paste the JSON", box),
    h("label", { class: "check" }, deleteMissing, " Delete the collections and fields the import does not have"),
    h("div", { class: "field-error pre", role: "alert", dataset: { errorFor: "collections" } }), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Review")), review);
  file.addEventListener("change", async () => {
    if (file.files[0]) box.value = await file.files[0].text();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    mount(review);
    showFieldErrors(form, {});
    let incoming;
    try {
      incoming = JSON.parse(box.value);
    } catch {
      message.textContent = "The import must be JSON: a list of collections.";
      return;
    }
    if (!Array.isArray(incoming)) {
      message.textContent = "The import must be a list of collections.";
      return;
    }
    const removing = deleteMissing.checked; // what the review shows is what the import does, whatever is ticked later
    const plan = importPlan(await allCollections(), incoming, removing);
    const line = (label, names, cls) => (names.length
      ? h("li", { class: cls }, `${label}: `, names.map((n) => h("code", { class: "chip" }, n))) : null);
    const confirm = h("button", { type: "button", class: "danger", id: "import-confirm", onclick: async () => {
      confirm.disabled = true;
      try {
        await send("/api/collections/import", { method: "PUT", body: { collections: incoming, deleteMissing: removing } });
        toast("Collections imported.", "ok");
        mount(review, h("p", { class: "ok", id: "import-done" }, "Imported."));
        await reloadCollections();
      } catch (error) {
        mount(review);
        const placed = error instanceof ApiError && showFieldErrors(form, error.data);
        const details = error instanceof ApiError ? JSON.stringify(error.data) : "";
        message.textContent = placed ? error.message : `${error.message} ${details}`;
      }
    } }, "Import");
    mount(review, h("h3", {}, "What the import does"),
      plan.added.length + plan.changed.length + plan.deleted.length
        ? h("ul", { id: "import-plan" }, line("Added", plan.added, "added"), line("Changed", plan.changed, "changed"),
          line("Deleted", plan.deleted, "deleted"))
        : h("p", { id: "import-plan" }, "Nothing changes."),
      h("div", { class: "actions" }, confirm));
  });
  mount(el, form);
}

async function filesStorage({ el }) {
  const { s3 = {} } = await send("/api/settings");
  const input = (key, attrs = {}) => h("input", { type: "text", value: s3[key] ?? "", id: `s3-${key}`, ...attrs });
  const enabled = h("input", { type: "checkbox", id: "s3-enabled", checked: !!s3.enabled });
  const bucket = input("bucket");
  const region = input("region");
  const endpoint = input("endpoint", { type: "url", placeholder: "https://s3.example.com" });
  const accessKey = input("accessKey");
  const secret = h("input", { type: "password", id: "s3-secret", placeholder: "unchanged unless typed", autocomplete: "off" });
  const forcePathStyle = h("input", { type: "checkbox", id: "s3-forcePathStyle", checked: !!s3.forcePathStyle });
  const message = h("p", { class: "form-error", role: "alert" });
  const row = (label, control, key) => field(label, control, { name: `s3.${key}` });
  const save = h("button", { type: "submit", class: "primary" }, "Save");
  const test = h("button", { type: "button", id: "s3-test" }, "Test connection");
  const form = h("form", { class: "settings-form", id: "s3-form", novalidate: true }, h("h2", {}, "Files storage"),
    h("p", { class: "hint" }, "Uploaded files are kept in the data directory unless an S3-compatible bucket is set here."),
    h("label", { class: "check" }, enabled, " Use S3 storage"),
    row("Bucket", bucket, "bucket"), row("Region", region, "region"), row("Endpoint", endpoint, "endpoint"),
    row("Access key", accessKey, "accessKey"), row("Secret", secret, "secret"),
    h("label", { class: "check" }, forcePathStyle, " Force path-style addressing"), message,
    h("div", { class: "actions" }, test, h("div", { class: "spacer" }), save));
  const body = () => {
    const value = { enabled: enabled.checked, bucket: bucket.value, region: region.value, endpoint: endpoint.value,
      accessKey: accessKey.value, forcePathStyle: forcePathStyle.checked };
    if (secret.value) value.secret = secret.value;
    return { s3: value };
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    showFieldErrors(form, {});
    save.disabled = true;
    try {
      await send("/api/settings", { method: "PATCH", body: body() });
      secret.value = "";
      toast("Files storage saved.", "ok");
    } catch (error) {
      showFormError(form, message, error);
    } finally {
      save.disabled = false;
    }
  });
  test.addEventListener("click", async () => {
    message.textContent = "";
    try {
      await send("/api/settings/test/s3", { method: "POST", body: { filesystem: "storage" } });
      toast("The bucket answered.", "ok");
    } catch (error) {
      message.textContent = `Test failed: ${error.message}`;
    }
  });
  mount(el, form);
}

SETTINGS_SECTIONS.push(["files", "Files storage", filesStorage], ["crons", "Crons", crons],
  ["export", "Export collections", exportCollections], ["import", "Import collections", importCollections]);
