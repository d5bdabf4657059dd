// A collection's records: a server-paged table (skipTotal for the page, a separate count), the filter language,
// sort by clicking a column, a column picker, relations expanded inline, live updates over realtime, and the
// record form for create/edit/delete.
import { ApiError, fileToken, send } from "../lib/api.js";
import { cellContent } from "../lib/field-cells.js";
import { debounce, h, mount, toast } from "../lib/dom.js";
import { subscribe } from "../lib/realtime.js";
import { href, navigate, registerPage } from "../lib/router.js";
import { allCollections, findCollection, reloadCollections } from "../lib/state.js";
import { openRecordForm } from "./record-form.js";
import { renderTimeSeries } from "./timeseries.js";

const PER_PAGE_CHOICES = [20, 50, 100];
const columnsKey = (name) => `swiftbase_dashboard_columns_${name}`;

function defaultColumns(collection) {
  const fields = collection.fields.filter((f) => f.type !== "password" && !f.hidden || f.name === "id");
  return fields.slice(0, 12).map((f) => f.name);
}

function savedColumns(collection) {
  try {
    const saved = JSON.parse(localStorage.getItem(columnsKey(collection.name)) || "null");
    if (Array.isArray(saved)) {
      const known = new Set(collection.fields.map((f) => f.name));
      const kept = saved.filter((n) => known.has(n));
      if (kept.length) return kept;
    }
  } catch { /* fall back to the default columns */ }
  return defaultColumns(collection);
}

async function renderRecords({ el, params, query, signal }) {
  let collection = findCollection(params.name);
  if (!collection) {
    await reloadCollections().catch(() => {});
    collection = findCollection(params.name);
  }
  if (!collection) {
    mount(el, h("h1", {}, "Collection not found"), h("p", {}, `There is no collection "${params.name}".`));
    return undefined;
  }
  // A time series opens on its chart; "?view=records" keeps this table (the filter language over raw points).
  if (collection.type === "timeseries" && query.view !== "records") {
    return renderTimeSeries({ el, collection, query, signal });
  }
  const hasRowOrder = collection.type !== "view";
  const state = {
    page: Number(query.page) || 1,
    perPage: PER_PAGE_CHOICES.includes(Number(query.perPage)) ? Number(query.perPage) : 20,
    filter: query.filter || "",
    sort: query.sort || (hasRowOrder ? "-@rowid" : ""),
    columns: savedColumns(collection),
    items: [],
    token: "",
  };
  if (collection.fields.some((f) => f.type === "file" && f.protected)) {
    state.token = await fileToken().catch(() => "");
  }

  // --- toolbar
  const filterInput = h("input", { type: "search", id: "records-filter", value: state.filter,
    placeholder: 'Filter, e.g. title ~ "hello" && created > "2024-01-01"', "aria-label": "Filter records",
    spellcheck: "false" });
  const filterError = h("div", { class: "field-error", role: "alert", id: "filter-error" });
  const filterForm = h("form", { class: "filter-bar", role: "search" }, filterInput,
    h("button", { type: "submit" }, "Apply"), filterError);
  filterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    state.filter = filterInput.value.trim();
    state.page = 1;
    load();
  });

  const picker = h("details", { class: "column-picker" }, h("summary", {}, "Columns"),
    h("fieldset", {}, h("legend", { class: "sr-only" }, "Visible columns"), collection.fields.map((f) => {
      const box = h("input", { type: "checkbox", checked: state.columns.includes(f.name), value: f.name,
        onchange: () => {
          state.columns = collection.fields.map((x) => x.name)
            .filter((n) => (n === f.name ? box.checked : state.columns.includes(n)));
          localStorage.setItem(columnsKey(collection.name), JSON.stringify(state.columns));
          drawTable();
          load();
        } });
      return h("label", { class: "check" }, box, f.name);
    })));

  const count = h("span", { class: "muted", id: "records-count", "aria-live": "polite" });
  const live = h("span", { class: "badge", id: "live-badge", title: "Updates arrive over realtime" }, "connecting…");
  const table = h("table", { class: "records", id: "records-table" });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" });

  const header = h("div", { class: "page-header" },
    h("h1", {}, collection.name, " ", h("span", { class: "badge" }, collection.type)),
    live, h("div", { class: "spacer" }),
    collection.type === "timeseries"
      ? h("a", { class: "button", href: href(`/collections/${encodeURIComponent(collection.name)}`), id: "ts-chart-view" },
        "Chart view")
      : null,
    h("a", { class: "button", href: href(`/collections/${encodeURIComponent(collection.name)}/schema`), id: "edit-collection" },
      "Edit collection"),
    collection.type !== "view"
      ? h("button", { type: "button", class: "primary", id: "new-record", onclick: () => edit(null) }, "+ New record")
      : null);
  mount(el, header, h("div", { class: "toolbar" }, filterForm, picker, count), h("div", { class: "table-wrap" }, table), pager);

  function edit(record) {
    openRecordForm(collection, record, { onSaved: () => load(), fileToken: state.token });
  }

  function sortState(name) {
    if (state.sort === name || state.sort === `+${name}`) return "ascending";
    if (state.sort === `-${name}`) return "descending";
    return "none";
  }

  function drawTable() {
    const visible = state.columns.map((n) => collection.fields.find((f) => f.name === n)).filter(Boolean);
    const head = h("tr", {}, visible.map((f) => {
      const sort = sortState(f.name);
      return h("th", { scope: "col", "aria-sort": sort },
        h("button", { type: "button", class: "sort", dataset: { sort: f.name }, onclick: () => {
          state.sort = sort === "ascending" ? `-${f.name}` : `+${f.name}`;
          state.page = 1;
          drawTable();
          load();
        } }, f.name, sort === "ascending" ? " ▲" : sort === "descending" ? " ▼" : ""));
    }));
    const ctx = { collections: allCollections(), fileToken: state.token };
    const rows = state.items.map((record) => h("tr", { dataset: { id: record.id } }, visible.map((f, i) =>
      h("td", { dataset: { field: f.name } }, i === 0
        ? h("button", { type: "button", class: "link open-record", onclick: () => edit(record),
          "aria-label": `Edit record ${record.id}` }, cellContent(record, f, ctx))
        : cellContent(record, f, ctx)))));
    if (!rows.length) {
      rows.push(h("tr", {}, h("td", { colspan: visible.length || 1, class: "empty" },
        state.filter ? "No records match the filter." : "No records yet.")));
    }
    mount(table, h("thead", {}, head), h("tbody", {}, rows));
  }

  function drawPager(hasNext) {
    const perPage = h("select", { "aria-label": "Records per page", onchange: () => {
      state.perPage = Number(perPage.value);
      state.page = 1;
      load();
    } }, PER_PAGE_CHOICES.map((n) => h("option", { value: n, selected: n === state.perPage }, `${n} per page`)));
    mount(pager,
      h("button", { type: "button", disabled: state.page <= 1, id: "prev-page",
        onclick: () => { state.page -= 1; load(); } }, "← Previous"),
      h("span", { "aria-current": "page" }, `Page ${state.page}`),
      h("button", { type: "button", disabled: !hasNext, id: "next-page",
        onclick: () => { state.page += 1; load(); } }, "Next →"),
      perPage);
  }

  let loading = null;
  async function load() {
    loading?.abort();
    const controller = new AbortController();
    loading = controller;
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    const relations = state.columns
      .map((n) => collection.fields.find((f) => f.name === n))
      .filter((f) => f?.type === "relation").map((f) => f.name);
    const options = { skipTotal: 1, sort: state.sort, filter: state.filter, expand: relations.join(",") };
    const url = new URL(location.href);
    for (const [key, value] of Object.entries({ page: state.page > 1 ? state.page : "", filter: state.filter,
      sort: state.sort === "-@rowid" ? "" : state.sort })) {
      if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
    }
    history.replaceState(null, "", url);
    try {
      const answer = await send(`/api/collections/${encodeURIComponent(collection.name)}/records`,
        { query: { page: state.page, perPage: state.perPage, ...options }, signal: controller.signal });
      filterError.textContent = "";
      filterInput.removeAttribute("aria-invalid");
      state.items = answer.items;
      drawTable();
      drawPager(answer.items.length === state.perPage);
      // The total needs a count over the whole filter: asked apart, one id only, so the page shows first.
      send(`/api/collections/${encodeURIComponent(collection.name)}/records`,
        { query: { page: 1, perPage: 1, fields: "id", filter: state.filter }, signal: controller.signal })
        .then((c) => { count.textContent = `${c.totalItems} record${c.totalItems === 1 ? "" : "s"}`; })
        .catch(() => {});
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error instanceof ApiError && error.status === 400) {
        filterError.textContent = `${error.message} Check the filter.`;
        filterInput.setAttribute("aria-invalid", "true");
      } else {
        toast(error.message, "error");
      }
    }
  }

  drawTable();
  await load();

  // Live: any change in the collection reloads the page shown (debounced), so filter and sort still hold.
  const reload = debounce(load, 150);
  let unsubscribe = null;
  subscribe(`${collection.name}/*`, () => reload()).then((stop) => {
    if (signal.aborted) { stop(); return; }
    unsubscribe = stop;
    live.textContent = "live";
    live.classList.add("ok");
  }).catch(() => { live.textContent = "offline"; });
  if (query.record) send(`/api/collections/${encodeURIComponent(collection.name)}/records/${encodeURIComponent(query.record)}`)
    .then(edit).catch(() => {});
  return () => unsubscribe?.();
}

registerPage({ path: "/collections/:name", title: (p) => p.name, render: renderRecords });

registerPage({
  path: "/collections",
  title: "Collections",
  nav: { label: "Collections", order: 10, group: "Data" },
  async render({ el }) {
    const list = await reloadCollections().catch(() => []);
    const first = list.find((c) => !c.system);
    if (first) { navigate(`/collections/${encodeURIComponent(first.name)}`, { replace: true }); return; }
    mount(el, h("h1", {}, "Collections"),
      h("p", {}, "No collections yet. ", h("a", { href: href("/collections-new") }, "Create the first one"), "."));
  },
});

registerPage({
  path: "/",
  title: "Swiftbase",
  render() { navigate("/collections", { replace: true }); },
});

export { renderRecords };
