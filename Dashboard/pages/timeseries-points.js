// The raw points under the time-series chart: the records API over the range and the chosen tags, newest first, one
// server page at a time (skipTotal; the count comes from the chart's `count` aggregate instead of a count over the raw
// table). The time cell opens the record form, so a point can be corrected or deleted (the rollups follow).
import { ApiError, send } from "../lib/api.js";
import { cellContent } from "../lib/field-cells.js";
import { h, mount, toast } from "../lib/dom.js";
import { rangeFilter } from "../lib/timeseries.js";

const PER_PAGE_CHOICES = [20, 50, 100];

/**
 * A paged table of `collection`'s points; `roles` from fieldRoles, `onEdit(record)` opens a point. Answers
 * `{el, load(span), setTotal(n)}` where span is `{from, to, chosen, signal}`; `load` keeps the page unless
 * `{first: true}` is given.
 */
export function pointsTable(collection, roles, { onEdit }) {
  const columns = [roles.time, ...roles.tags, ...roles.values].filter(Boolean);
  const table = h("table", { class: "records", id: "ts-points" });
  const count = h("span", { class: "muted", id: "ts-points-count", "aria-live": "polite" });
  const pager = h("nav", { class: "pager", "aria-label": "Point pages" });
  const state = { page: 1, perPage: 20, items: [], span: null };
  let loading = null;

  function draw() {
    const head = h("tr", {}, columns.map((f) => h("th", { scope: "col" }, f.name,
      f === roles.time ? " ▼" : "")));
    const ctx = { collections: [], fileToken: "" };
    const rows = state.items.map((point) => h("tr", { dataset: { id: point.id } }, columns.map((f, i) =>
      h("td", { dataset: { field: f.name }, class: roles.values.includes(f) ? "number" : null }, i === 0
        ? h("button", { type: "button", class: "link open-record", onclick: () => onEdit(point),
          "aria-label": `Edit the point of ${point[f.name]}` }, cellContent(point, f, ctx))
        : cellContent(point, f, ctx)))));
    if (!rows.length) {
      rows.push(h("tr", {}, h("td", { colspan: columns.length || 1, class: "empty" }, "No points in this range.")));
    }
    mount(table, h("thead", {}, head), h("tbody", {}, rows));
  }

  function drawPager(hasNext) {
    const perPage = h("select", { "aria-label": "Points per page", id: "ts-per-page", onchange: () => {
      state.perPage = Number(perPage.value);
      state.page = 1;
      load(state.span);
    } }, PER_PAGE_CHOICES.map((n) => h("option", { value: n, selected: n === state.perPage }, `${n} per page`)));
    mount(pager,
      h("button", { type: "button", disabled: state.page <= 1, id: "ts-prev-page",
        onclick: () => { state.page -= 1; load(state.span); } }, "← Newer"),
      h("span", { "aria-current": "page" }, `Page ${state.page}`),
      h("button", { type: "button", disabled: !hasNext, id: "ts-next-page",
        onclick: () => { state.page += 1; load(state.span); } }, "Older →"),
      perPage);
  }

  async function load(span, { first = false } = {}) {
    if (!span) return;
    state.span = span;
    if (first) state.page = 1;
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    span.signal.addEventListener("abort", () => controller.abort(), { once: true });
    const time = roles.time?.name;
    try {
      const answer = await send(`/api/collections/${encodeURIComponent(collection.name)}/records`, {
        query: { page: state.page, perPage: state.perPage, skipTotal: 1,
          sort: time ? `-${time},-@rowid` : "-@rowid",
          filter: time ? rangeFilter(time, span.from, span.to, span.chosen) : "" },
        signal: controller.signal,
      });
      state.items = answer.items;
      draw();
      drawPager(answer.items.length === state.perPage);
    } catch (error) {
      if (error.name === "AbortError") return;
      toast(error instanceof ApiError ? `Points: ${error.message}` : error.message, "error");
    }
  }

  function setTotal(total) {
    count.textContent = total === null ? "" : `${total} point${total === 1 ? "" : "s"} in the range`;
  }

  draw();
  const el = h("section", { "aria-labelledby": "ts-points-title", class: "ts-points" },
    h("div", { class: "page-header" }, h("h2", { id: "ts-points-title" }, "Points"), count),
    h("div", { class: "table-wrap" }, table), pager);
  return { el, load, setTotal, get page() { return state.page; } };
}
