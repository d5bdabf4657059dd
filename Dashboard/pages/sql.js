// The SQL console (POST /api/sql, PocketBase 0.40's, Docs/SQLConsole.md): a query run as the superuser, its rows in
// a table (at most 1,000, every value as text or null), or the rows a write changed, with the time it took and
// SQLite's own error when it fails; the collections' tables listed beside it, a click away from a first look. The last
// query is kept across reloads; Ctrl+Enter runs. Every run is in the audit log.
import { ApiError, send } from "../lib/api.js";
import { debounce, h, mount, submitOnCtrlEnter } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const STORAGE_KEY = "swiftbase_dashboard_sql";

/** The answer of a run as a table (a read) or a line (a write). */
function resultView(answer) {
  if (!answer.columns?.length) {
    return h("p", { id: "sql-affected" }, `${answer.affectedRows} row${answer.affectedRows === 1 ? "" : "s"} changed.`);
  }
  return h("div", { class: "table-scroll" }, h("table", { class: "compact", id: "sql-rows" },
    h("thead", {}, h("tr", {}, answer.columns.map((c) => h("th", { scope: "col", title: c.type || "" }, c.name)))),
    h("tbody", {}, answer.rows.length
      ? answer.rows.map((row) => h("tr", {}, row.map((value) => (value === null
        ? h("td", { class: "muted" }, "NULL") : h("td", { class: "code" }, value)))))
      : h("tr", {}, h("td", { colspan: answer.columns.length, class: "empty" }, "No rows.")))));
}

registerPage({
  path: "/sql",
  title: "SQL",
  nav: { label: "SQL", order: 14, group: "Data" },
  async render({ el, signal }) {
    const query = h("textarea", { id: "sql-query", class: "code", rows: 8, spellcheck: "false",
      "aria-label": "SQL query" }, localStorage.getItem(STORAGE_KEY) || "select id, email from _superusers");
    const status = h("span", { class: "muted", id: "sql-status", "aria-live": "polite" });
    const error = h("pre", { class: "form-error pre", id: "sql-error", role: "alert" });
    const result = h("div", { id: "sql-result" });
    const run = h("button", { type: "submit", class: "primary", id: "sql-run" }, "Run");
    const form = h("form", { class: "settings-form wide", id: "sql-form", novalidate: true }, query,
      h("div", { class: "actions" }, h("span", { class: "hint" }, "Ctrl+Enter runs it. Writes skip hooks, rules and the change log."),
        status, h("div", { class: "spacer" }), run), error);
    const keep = () => localStorage.setItem(STORAGE_KEY, query.value);
    query.addEventListener("input", debounce(keep, 300));
    submitOnCtrlEnter(query, form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      keep();
      error.textContent = "";
      status.textContent = "…";
      run.disabled = true;
      try {
        const answer = await send("/api/sql", { method: "POST", body: { query: query.value }, signal });
        const rows = answer.columns?.length ? `${answer.rows.length} row${answer.rows.length === 1 ? "" : "s"}` : "done";
        status.textContent = `${rows} · ${answer.execTime} ms`;
        mount(result, resultView(answer));
      } catch (failure) {
        if (failure.name === "AbortError") return;
        status.textContent = failure instanceof ApiError ? `${failure.status}` : "";
        error.textContent = failure.message;
        mount(result);
      } finally {
        run.disabled = false;
        result.dataset.runs = String(Number(result.dataset.runs || 0) + 1); // runs finished (tests wait on it)
      }
    });

    // The collections' tables, from the collections API (a query of sqlite_master would be one more audited run
    // per visit).
    const collections = await reloadCollections();
    const tables = h("ul", { class: "plain", id: "sql-tables" }, collections.map((c) => h("li", {},
      h("button", { type: "button", class: "link", dataset: { table: c.name }, onclick: () => {
        query.value = `select * from "${c.name.replace(/"/g, '""')}" limit 50`;
        form.requestSubmit();
      } }, c.name))));
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "SQL")),
      h("div", { class: "split" }, h("aside", { "aria-label": "Tables" }, h("h2", {}, "Tables"), tables),
        h("div", {}, form, result)));
    return keep;
  },
});
