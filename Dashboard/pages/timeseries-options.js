// The collection editor's part for a `timeseries` collection (Docs/TimeSeries.md): which field types it takes, the
// fields a new one starts with, and its `timeseries` options — how long raw points and each rollup level are kept.
// The server validates them; its errors (`timeseries.rawRetention`, `timeseries.rollups.1m`, `fields.<i>.type`…)
// land in the slots named here.
import { h } from "../lib/dom.js";
import { fieldRole } from "../lib/timeseries.js";
import { newField } from "./field-editor.js";

/** The field types a time series accepts: its time, tags and values. */
export const TIMESERIES_FIELD_TYPES = ["date", "text", "select", "number"];

/** The rollup levels the server keeps, with their labels. */
const LEVELS = [["1m", "1-minute rollups"], ["1h", "1-hour rollups"]];

/**
 * Makes a new collection's draft fit a time series: the autodate fields a base collection starts with go (a time
 * series refuses them), and a `time` date field comes first when there is no date field yet.
 */
export function adaptFieldsToTimeSeries(draft) {
  draft.fields = draft.fields.filter((f) => f.type !== "autodate");
  if (!draft.fields.some((f) => f.type === "date")) {
    const time = newField("date", draft.fields.some((f) => f.name === "time") ? "timestamp" : "time");
    time.required = true;
    const after = draft.fields.findIndex((f) => f.name === "id") + 1;
    draft.fields.splice(after, 0, time);
  }
  draft.timeseries ??= { rawRetention: "", rollups: { "1m": "", "1h": "" } };
}

/** The role of a field in this draft, for the field editor's badges. */
export function roleIn(draft) {
  return (field) => fieldRole(field, draft.fields);
}

/** The retention inputs, editing `draft.timeseries` in place. */
export function timeSeriesSection(draft) {
  draft.timeseries ??= { rawRetention: "", rollups: {} };
  draft.timeseries.rollups ??= {};
  const options = draft.timeseries;
  const retention = (id, label, errorFor, get, set) => {
    const input = h("input", { type: "text", id, value: get() ?? "", placeholder: "keep forever", spellcheck: "false",
      size: 10, "aria-describedby": "ts-retention-hint", oninput: () => set(input.value.trim()) });
    return h("div", { class: "field" }, h("label", { for: id }, label), input,
      h("div", { class: "field-error", role: "alert", dataset: { errorFor } }));
  };
  return h("section", { "aria-labelledby": "ts-options-title", class: "ts-options" },
    h("h2", { id: "ts-options-title" }, "Time series"),
    h("p", { class: "hint" }, "The date field is each point's time; text and single select fields are tags; number ",
      "fields are values. Rollups per minute and per hour are kept up to date as points arrive."),
    h("div", { class: "row" },
      retention("ts-raw-retention", "Raw points kept for", "timeseries.rawRetention",
        () => options.rawRetention, (v) => { options.rawRetention = v; }),
      LEVELS.map(([level, label]) => retention(`ts-retention-${level}`, `${label} kept for`, `timeseries.rollups.${level}`,
        () => options.rollups[level], (v) => { options.rollups[level] = v; }))),
    h("div", { class: "hint", id: "ts-retention-hint" },
      "A whole number with a unit — s, m, h, d or w (7d, 12h, 2w) — or empty to keep forever."),
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: "timeseries" } }));
}
