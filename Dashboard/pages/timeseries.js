// A `timeseries` collection's page (Docs/TimeSeries.md): a time range (last 15 min / 1 h / 24 h / 7 d or custom, in
// UTC), a filter per tag listing the tags' values found in the range, the value fields and an aggregate to chart,
// an optional tag to split the lines by, the line chart from GET /api/timeseries/{name}/query with a bucket picked
// from the range (at most MAX_BUCKETS), and the raw points under it (pages/timeseries-points.js). A "last …" range
// refreshes on a bounded timer: points keep no change log, so realtime never announces them. The choices live in
// the URL, so a reload or a shared link shows the same view.
import { ApiError, send } from "../lib/api.js";
import { chartsAvailable, makeTimeChart } from "../lib/charts.js";
import { h, mount, uid } from "../lib/dom.js";
import { fromLocalInput, toLocalInput } from "../lib/field-inputs.js";
import { href } from "../lib/router.js";
import {
  AGGREGATES, dateMs, dateText, fieldRoles, RANGES, refreshSeconds, seriesFrom, stepFor, stepText, tagFilter, tagValues,
  timeLabel, wholeRangeStep,
} from "../lib/timeseries.js";
import { openRecordForm } from "./record-form.js";
import { pointsTable } from "./timeseries-points.js";

/** More lines than this make an unreadable chart: the rest are left out (and the page says so). */
const MAX_SERIES = 12;

/** The page's choices, read from the URL query (see `writeURL`). */
function readState(query, roles) {
  const tagNames = roles.tags.map((t) => t.name);
  const valueNames = roles.values.map((v) => v.name);
  const picked = (query.values || "").split(",").filter((v) => valueNames.includes(v));
  const chosen = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith("tag.") && tagNames.includes(key.slice(4))) chosen[key.slice(4)] = value;
  }
  const custom = query.range === "custom" && Number.isFinite(dateMs(query.from)) && Number.isFinite(dateMs(query.to));
  return {
    range: custom ? "custom" : RANGES.some((r) => r.key === query.range) ? query.range : "1h",
    from: custom ? dateMs(query.from) : 0,
    to: custom ? dateMs(query.to) : 0,
    aggregate: AGGREGATES.includes(query.agg) ? query.agg : "avg",
    values: picked.length ? picked : valueNames,
    groupBy: tagNames.includes(query.group) ? query.group : "",
    chosen,
    live: query.live !== "off",
  };
}

function writeURL(state) {
  const url = new URL(location.href);
  for (const key of [...url.searchParams.keys()]) if (key !== "view") url.searchParams.delete(key);
  const set = (key, value) => { if (value) url.searchParams.set(key, value); };
  set("range", state.range === "1h" ? "" : state.range);
  if (state.range === "custom") { set("from", dateText(state.from)); set("to", dateText(state.to)); }
  set("agg", state.aggregate === "avg" ? "" : state.aggregate);
  set("values", state.values.join(","));
  set("group", state.groupBy);
  for (const [tag, value] of Object.entries(state.chosen)) url.searchParams.set(`tag.${tag}`, value);
  set("live", state.live ? "" : "off");
  history.replaceState(null, "", url);
}

export async function renderTimeSeries({ el, collection, query, signal }) {
  const roles = fieldRoles(collection);
  const state = readState(query, roles);
  const name = encodeURIComponent(collection.name);
  let known = {}; // tag → values seen in the range (select tags also offer their declared values)
  let chart = null;
  let timer = null;

  /** The range now: a "last …" range ends at this moment. */
  const span = () => {
    if (state.range === "custom") return { from: state.from, to: state.to };
    const to = Date.now();
    return { from: to - RANGES.find((r) => r.key === state.range).ms, to };
  };

  // --- the toolbar: range, custom range, aggregate, group by, live
  const rangeButtons = [...RANGES, { key: "custom", label: "Custom" }].map((r) => h("button", {
    type: "button", dataset: { range: r.key }, "aria-pressed": String(state.range === r.key),
    onclick: () => chooseRange(r.key) }, r.label));
  const fromInput = h("input", { type: "datetime-local", step: "1", id: "ts-from", "aria-label": "From (UTC)" });
  const toInput = h("input", { type: "datetime-local", step: "1", id: "ts-to", "aria-label": "To (UTC)" });
  const customError = h("div", { class: "field-error", role: "alert", id: "ts-custom-error" });
  const customForm = h("form", { class: "ts-custom", id: "ts-custom", hidden: state.range !== "custom" },
    h("label", { for: "ts-from" }, "From"), fromInput, h("label", { for: "ts-to" }, "to"), toInput,
    h("span", { class: "muted" }, "UTC"), h("button", { type: "submit" }, "Apply"), customError);
  customForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = dateMs(fromLocalInput(fromInput.value));
    const to = dateMs(fromLocalInput(toInput.value));
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
      customError.textContent = "Give a start and an end after it.";
      return;
    }
    customError.textContent = "";
    Object.assign(state, { range: "custom", from, to });
    changed({ tags: true });
  });

  const aggregate = h("select", { id: "ts-agg", onchange: () => { state.aggregate = aggregate.value; changed(); } },
    AGGREGATES.map((a) => h("option", { value: a, selected: a === state.aggregate }, a)));
  const groupBy = h("select", { id: "ts-group", onchange: () => { state.groupBy = groupBy.value; changed(); } },
    h("option", { value: "" }, "— none —"),
    roles.tags.map((t) => h("option", { value: t.name, selected: t.name === state.groupBy }, t.name)));
  const liveBox = h("input", { type: "checkbox", id: "ts-live", checked: state.live, onchange: () => {
    state.live = liveBox.checked;
    writeURL(state);
    schedule();
  } });
  const liveBadge = h("span", { class: "badge", id: "ts-live-badge", "aria-live": "polite" });
  const refresh = h("button", { type: "button", id: "ts-refresh", onclick: () => loadAll({ tags: true }) }, "Refresh");

  // --- values and tags
  const valueBoxes = roles.values.map((v) => {
    const id = uid("ts-value");
    const box = h("input", { type: "checkbox", id, value: v.name, checked: state.values.includes(v.name),
      onchange: () => {
        state.values = roles.values.map((x) => x.name).filter((n) => (n === v.name ? box.checked : state.values.includes(n)));
        changed();
      } });
    return h("span", { class: "check" }, box, h("label", { for: id }, v.name));
  });
  const tagsHost = h("div", { class: "ts-tags", id: "ts-tags" });

  // --- chart, figures, summary, error
  const canvas = h("canvas", { id: "ts-chart", role: "img", "aria-label": `${collection.name} over time` });
  const figures = h("dl", { class: "figures", id: "ts-figures", "aria-live": "polite" });
  const summary = h("p", { class: "muted", id: "ts-summary", "aria-live": "polite" });
  const error = h("p", { class: "form-error", role: "alert", id: "ts-error" });
  const points = pointsTable(collection, roles, { onEdit: (record) => edit(record) });

  mount(el,
    h("div", { class: "page-header" },
      h("h1", {}, collection.name, " ", h("span", { class: "badge" }, collection.type)),
      h("div", { class: "spacer" }),
      h("a", { class: "button", href: href(`/collections/${name}?view=records`), id: "ts-records-view",
        title: "The points in the records table, with the filter language" }, "Records view"),
      h("a", { class: "button", href: href(`/collections/${name}/schema`), id: "edit-collection" }, "Edit collection"),
      h("button", { type: "button", class: "primary", id: "new-record", onclick: () => edit(null) }, "+ New point")),
    roles.time ? null : h("p", { class: "form-error", role: "alert" }, "This collection has no date field to chart by."),
    h("div", { class: "toolbar ts-toolbar" },
      h("div", { class: "segmented", role: "group", "aria-label": "Time range", id: "ts-range" }, rangeButtons),
      h("label", { class: "inline" }, "Aggregate ", aggregate),
      h("label", { class: "inline" }, "Split by ", groupBy),
      h("span", { class: "check" }, liveBox, h("label", { for: "ts-live" }, "Auto-refresh")), liveBadge, refresh),
    customForm,
    roles.values.length ? h("fieldset", { class: "checks ts-values", id: "ts-values" },
      h("legend", {}, "Values"), valueBoxes) : h("p", { class: "muted" }, "This collection has no number fields to chart."),
    tagsHost, error, figures,
    h("div", { class: "chart-box ts-chart" }, canvas), summary,
    points.el);

  function chooseRange(key) {
    if (key === "custom") {
      const now = span();
      fromInput.value = toLocalInput(dateText(state.range === "custom" ? state.from : now.from));
      toInput.value = toLocalInput(dateText(state.range === "custom" ? state.to : now.to));
      customForm.hidden = false;
      fromInput.focus();
      return;
    }
    customForm.hidden = true;
    state.range = key;
    changed({ tags: true });
  }

  function drawRangeButtons() {
    for (const button of rangeButtons) button.setAttribute("aria-pressed", String(button.dataset.range === state.range));
  }

  function drawTags() {
    mount(tagsHost, roles.tags.map((tag) => {
      const id = `ts-tag-${tag.name}`;
      const values = new Set([...(known[tag.name] || []), ...(tag.type === "select" ? tag.values || [] : [])]);
      if (state.chosen[tag.name] !== undefined) values.add(state.chosen[tag.name]);
      // "=" + value, so that an empty tag value stays apart from "any".
      const select = h("select", { id, dataset: { tag: tag.name }, onchange: () => {
        if (select.value === "") delete state.chosen[tag.name];
        else state.chosen[tag.name] = select.value.slice(1);
        changed();
      } }, h("option", { value: "" }, "any"), [...values].sort().map((v) => h("option", {
        value: `=${v}`, selected: state.chosen[tag.name] === v }, v === "" ? "(empty)" : v)));
      return h("span", { class: "ts-tag" }, h("label", { for: id }, tag.name), select);
    }));
  }

  // --- loading
  const controllers = {};
  function controllerFor(kind) {
    controllers[kind]?.abort();
    const controller = new AbortController();
    signal.addEventListener("abort", () => controller.abort(), { once: true });
    controllers[kind] = controller;
    return controller;
  }

  /** The tags' values present in the range: one query grouped by every tag, in one or two week-wide buckets. */
  async function loadTags({ from, to }) {
    if (!roles.tags.length) return;
    const controller = controllerFor("tags");
    const answer = await send(`/api/timeseries/${name}/query`, { signal: controller.signal, query: {
      from: dateText(from), to: dateText(to), step: wholeRangeStep(to - from), agg: "count",
      fields: roles.values[0]?.name, groupBy: roles.tags.map((t) => t.name).join(",") } });
    known = tagValues(answer, roles.tags.map((t) => t.name));
    drawTags();
  }

  async function loadChart({ from, to }) {
    const controller = controllerFor("chart");
    const stepSeconds = stepFor(to - from);
    const values = state.values.length ? state.values : roles.values.slice(0, 1).map((v) => v.name);
    const answer = await send(`/api/timeseries/${name}/query`, { signal: controller.signal, query: {
      from: dateText(from), to: dateText(to), step: stepText(stepSeconds),
      agg: [...new Set([state.aggregate, "count", "last"])].join(","), fields: values.join(","),
      filter: tagFilter(state.chosen), groupBy: state.groupBy } });
    const result = seriesFrom(answer, { from, to, stepSeconds, values, aggregate: state.aggregate, groupBy: state.groupBy });
    const shown = state.values.length ? result.series.slice(0, MAX_SERIES) : [];
    drawChart(shown, { from, to, stepSeconds });
    const plotted = shown.reduce((n, s) => n + s.points.length, 0);
    canvas.dataset.points = String(plotted);
    canvas.setAttribute("aria-label", `${collection.name}: ${shown.map((s) => s.label).join(", ") || "nothing chosen"}, ` +
      `${plotted} points from ${dateText(from)} to ${dateText(to)}`);
    points.setTotal(roles.values.length ? result.total : null);
    mount(figures,
      h("div", {}, h("dt", {}, "Points in range"), h("dd", { id: "ts-total" }, roles.values.length ? String(result.total) : "–")),
      state.groupBy ? null : roles.values.filter((v) => values.includes(v.name)).map((v) => h("div", {}, h("dt", {}, `Latest ${v.name}`),
        h("dd", { dataset: { latest: v.name } }, result.latest[v.name] === undefined ? "–" : String(result.latest[v.name])))));
    const hidden = result.series.length - shown.length;
    summary.textContent = `${result.buckets} of ${result.grid} buckets of ${stepText(stepSeconds)} hold points ` +
      `(read from ${answer.source === "raw" ? "raw points" : `${answer.source} rollups`}), ` +
      `${dateText(from)} – ${dateText(to)} UTC.` +
      (state.values.length && hidden > 0 ? ` ${hidden} more line${hidden === 1 ? "" : "s"} not drawn.` : "");
  }

  function drawChart(series, { from, to, stepSeconds }) {
    if (!chartsAvailable()) return;
    chart?.destroy();
    chart = makeTimeChart(canvas, {
      datasets: series.map((s) => ({ label: s.label, data: s.points, spanGaps: s.spanGaps })),
      label: (ms) => timeLabel(ms, to - from, stepSeconds),
    });
    chart.options.scales.x.min = Math.floor(from / (stepSeconds * 1000)) * stepSeconds * 1000;
    chart.options.scales.x.max = to;
    chart.update();
  }

  /** Loads the chart and the points (and the tags' values when asked); `first` sends the table to its first page. */
  async function loadAll({ tags = false, first = false } = {}) {
    const { from, to } = span();
    const jobs = [loadChart({ from, to }), points.load({ from, to, chosen: state.chosen, signal }, { first })];
    if (tags) jobs.push(loadTags({ from, to }));
    const results = await Promise.allSettled(jobs);
    const failure = results.find((r) => r.status === "rejected" && r.reason?.name !== "AbortError");
    error.textContent = failure ? (failure.reason instanceof ApiError ? failure.reason.message : String(failure.reason)) : "";
  }

  function changed({ tags = false } = {}) {
    drawRangeButtons();
    writeURL(state);
    schedule();
    loadAll({ tags, first: true });
  }

  /** A live range refreshes about once a bucket (5–60 s) while the tab is visible; a custom range never does. */
  function schedule() {
    clearInterval(timer);
    timer = null;
    const live = state.range !== "custom" && state.live;
    liveBox.disabled = state.range === "custom";
    if (!live) {
      liveBadge.textContent = state.range === "custom" ? "fixed range" : "paused";
      liveBadge.classList.remove("ok");
      return;
    }
    const seconds = refreshSeconds(stepFor(span().to - span().from));
    liveBadge.textContent = `live · every ${seconds} s`;
    liveBadge.classList.add("ok");
    timer = setInterval(() => {
      if (document.hidden || signal.aborted) return;
      // Only the newest page follows the clock; an older page being read stays where it is.
      if (points.page === 1) loadAll();
      else loadChart(span()).catch(() => {});
    }, seconds * 1000);
  }

  function edit(record) {
    openRecordForm(collection, record, { onSaved: () => loadAll({ tags: true }) });
  }

  const redrawOnTheme = () => loadChart(span()).catch(() => {});
  document.addEventListener("sb:theme", redrawOnTheme);
  drawTags();
  writeURL(state);
  schedule();
  await loadAll({ tags: true, first: true });
  return () => {
    clearInterval(timer);
    document.removeEventListener("sb:theme", redrawOnTheme);
    chart?.destroy();
  };
}
