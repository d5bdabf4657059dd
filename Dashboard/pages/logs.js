// Request logs, over PocketBase's logs API: /api/logs (filter, sort, paging), /api/logs/stats (requests per
// hour, charted), /api/logs/{id} (the detail dialog) and DELETE /api/logs ("Delete all logs").
import { ApiError, send } from "../lib/api.js";
import { chartsAvailable, makeChart } from "../lib/charts.js";
import { confirmAction, h, mount, openDialog, toast } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";

const LEVELS = { "-4": "DEBUG", 0: "INFO", 4: "WARN", 8: "ERROR" };

function levelName(level) {
  return LEVELS[level] || String(level);
}

/** "2024-05-01 13:00:00.000Z" → "05-01 13:00" (UTC), short enough for an axis. */
function hourLabel(date) {
  return String(date).slice(5, 16);
}

function showDetail(log) {
  const rows = [["id", log.id], ["created", log.created], ["level", levelName(log.level)], ["message", log.message],
    ...Object.entries(log.data || {}).map(([k, v]) => [`data.${k}`, typeof v === "object" ? JSON.stringify(v) : String(v)])];
  openDialog("Log entry", h("div", { id: "log-detail" },
    h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, h("code", {}, v))])),
    h("details", {}, h("summary", {}, "JSON"), h("pre", { class: "code" }, JSON.stringify(log, null, 2)))), { wide: true });
}

registerPage({
  path: "/logs",
  title: "Logs",
  nav: { label: "Logs", order: 30, group: "Monitoring" },
  async render({ el, query, signal }) {
    const state = { page: 1, perPage: 50, filter: query.filter || "", sort: "-created", superusers: false };
    const filterInput = h("input", { type: "search", id: "logs-filter", value: state.filter, spellcheck: "false",
      placeholder: 'e.g. data.status >= 400 && data.url ~ "/api/collections"', "aria-label": "Filter logs" });
    const withSuperusers = h("input", { type: "checkbox", id: "logs-superusers" });
    const filterError = h("div", { class: "field-error", role: "alert", id: "logs-filter-error" });
    const form = h("form", { class: "filter-bar", role: "search" }, filterInput, h("button", { type: "submit" }, "Apply"),
      h("span", { class: "check" }, withSuperusers, h("label", { for: "logs-superusers" }, "Include superusers' requests")),
      filterError);
    const canvas = h("canvas", { id: "logs-chart", role: "img", "aria-label": "Requests per hour" });
    const summary = h("p", { class: "muted", id: "logs-summary", "aria-live": "polite" });
    const tbody = h("tbody", {});
    const pager = h("nav", { class: "pager", "aria-label": "Log pages" });
    const clear = h("button", { type: "button", class: "danger", id: "logs-delete-all", onclick: async () => {
      if (!(await confirmAction("Delete every stored log entry? This cannot be undone.", "Delete all logs"))) return;
      try {
        await send("/api/logs", { method: "DELETE" });
        toast("All logs deleted.");
        state.page = 1;
        load();
      } catch (error) {
        toast(error.message, "error");
      }
    } }, "Delete all logs");
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Logs"), clear), form,
      h("div", { class: "chart-box" }, canvas), summary,
      h("table", { class: "compact logs", id: "logs-table" }, h("thead", {}, h("tr", {},
        ["Time (UTC)", "Level", "Method", "Status", "URL", "Duration", "Message"].map((t) => h("th", { scope: "col" }, t)))), tbody),
      pager);
    let chart = null;

    const effectiveFilter = () => {
      const parts = [];
      if (state.filter) parts.push(`(${state.filter})`);
      if (!withSuperusers.checked) parts.push('data.auth != "_superusers"');
      return parts.join(" && ");
    };

    async function load() {
      const filter = effectiveFilter();
      try {
        const [list, stats] = await Promise.all([
          send("/api/logs", { query: { page: state.page, perPage: state.perPage, sort: state.sort, filter }, signal }),
          send("/api/logs/stats", { query: { filter }, signal }),
        ]);
        filterError.textContent = "";
        filterInput.removeAttribute("aria-invalid");
        mount(tbody, list.items.length ? list.items.map((log) => {
          const d = log.data || {};
          return h("tr", { dataset: { id: log.id } },
            h("td", {}, h("button", { type: "button", class: "link", onclick: () => openLog(log.id) }, log.created)),
            h("td", {}, h("span", { class: `badge level-${levelName(log.level).toLowerCase()}` }, levelName(log.level))),
            h("td", {}, d.method || ""), h("td", {}, d.status ?? ""), h("td", { class: "url" }, d.url || ""),
            h("td", {}, d.execTime !== undefined ? `${Number(d.execTime).toFixed(1)} ms` : ""), h("td", {}, log.message));
        }) : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No logs match.")));
        mount(pager,
          h("button", { type: "button", disabled: state.page <= 1, onclick: () => { state.page -= 1; load(); } }, "← Previous"),
          h("span", {}, `Page ${list.page} of ${Math.max(1, list.totalPages)}`),
          h("button", { type: "button", disabled: list.page >= list.totalPages, onclick: () => { state.page += 1; load(); } }, "Next →"));
        const total = stats.reduce((sum, s) => sum + s.total, 0);
        summary.textContent = `${list.totalItems} entries; ${total} requests charted over ${stats.length} hour${stats.length === 1 ? "" : "s"}.`;
        if (chartsAvailable()) {
          chart?.destroy();
          chart = makeChart(canvas, { type: "bar", labels: stats.map((s) => hourLabel(s.date)),
            datasets: [{ label: "Requests per hour", data: stats.map((s) => s.total) }], yTitle: "requests" });
        }
      } catch (error) {
        if (error.name === "AbortError") return;
        if (error instanceof ApiError && error.status === 400) {
          filterError.textContent = error.message;
          filterInput.setAttribute("aria-invalid", "true");
        } else if (error instanceof ApiError && error.status === 404) {
          mount(el, h("h1", {}, "Logs"), h("p", { role: "alert" }, "This server has no logs API."));
        } else {
          toast(error.message, "error");
        }
      }
    }

    async function openLog(id) {
      try { showDetail(await send(`/api/logs/${encodeURIComponent(id)}`)); } catch (error) { toast(error.message, "error"); }
    }

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      state.filter = filterInput.value.trim();
      state.page = 1;
      load();
    });
    withSuperusers.addEventListener("change", () => { state.page = 1; load(); });
    await load();
    return () => chart?.destroy();
  },
});
