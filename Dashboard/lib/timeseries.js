// What the time-series view computes without the DOM: the roles of a `timeseries` collection's fields (the one date
// field is the time, text and single select fields are tags, number fields are values — Docs/TimeSeries.md), the
// bucket width for a range, the filter for chosen tag values, and the chart's series from a query answer.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** The ranges offered next to "custom", as a Grafana or InfluxDB user knows them. */
export const RANGES = [
  { key: "15m", label: "Last 15 min", ms: 15 * MINUTE },
  { key: "1h", label: "Last 1 h", ms: HOUR },
  { key: "24h", label: "Last 24 h", ms: DAY },
  { key: "7d", label: "Last 7 d", ms: WEEK },
];

export const AGGREGATES = ["avg", "min", "max", "last", "sum", "count"];

/** Bucket widths the chart picks from, in seconds: each a whole unit the query endpoint's `step` accepts. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];

/** At most this many buckets on the chart: a week at 30 minutes is 336, a day at 5 minutes 288. */
export const MAX_BUCKETS = 400;

/** The field roles: `{time, tags, values}` (field objects; `time` null when the schema has no date field). */
export function fieldRoles(collection) {
  const fields = collection.fields || [];
  return {
    time: fields.find((f) => f.type === "date") || null,
    tags: fields.filter((f) => (f.type === "text" && f.name !== "id") || (f.type === "select" && (f.maxSelect || 1) <= 1)),
    values: fields.filter((f) => f.type === "number"),
  };
}

/** What `field` is in a time series: "time", "tag", "value", "id" or "refused" (the server answers a 400). */
export function fieldRole(field, fields) {
  if (field.name === "id" && field.type === "text") return "id";
  if (field.type === "date") return fields.find((f) => f.type === "date") === field ? "time" : "refused";
  if (field.type === "text") return "tag";
  if (field.type === "select") return (field.maxSelect || 1) <= 1 ? "tag" : "refused";
  if (field.type === "number") return "value";
  return "refused";
}

/** A step in the query endpoint's syntax: 300 → "5m", 86400 → "1d". */
export function stepText(seconds) {
  for (const [unit, size] of [["w", 604800], ["d", 86400], ["h", 3600], ["m", 60]]) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** The smallest listed step that keeps `rangeMs` within MAX_BUCKETS buckets, in seconds. */
export function stepFor(rangeMs) {
  const least = rangeMs / MAX_BUCKETS / SECOND;
  return STEPS.find((s) => s >= least) || Math.ceil(least / 604800) * 604800;
}

/** A step that puts the whole range in one or two buckets, for listing the tags' values cheaply (hour rollups). */
export function wholeRangeStep(rangeMs) {
  return `${Math.max(1, Math.ceil(rangeMs / WEEK))}w`;
}

/** Milliseconds → PocketBase's date text, "2026-12-06 10:00:00.000Z" (UTC). */
export function dateText(ms) {
  return new Date(ms).toISOString().replace("T", " ");
}

/** PocketBase's date text (or ISO) → milliseconds, NaN when it is none. */
export function dateMs(text) {
  return Date.parse(String(text).replace(" ", "T"));
}

/** A string literal of the filter language: `\\` and `\"` escaped, every other character as it is. */
export function quoted(value) {
  return `"${String(value).replace(/[\\"]/g, "\\$&")}"`;
}

/** `device = "d1" && site = "north"` for the chosen values (`{tag: value}`, a tag left out matches any value). */
export function tagFilter(chosen) {
  return Object.entries(chosen).map(([tag, v]) => `${tag} = ${quoted(v)}`).join(" && ");
}

/** The raw points' filter: the range on the time field, and the tags. */
export function rangeFilter(timeField, from, to, chosen) {
  const parts = [`${timeField} >= ${quoted(dateText(from))}`, `${timeField} < ${quoted(dateText(to))}`];
  const tags = tagFilter(chosen);
  if (tags) parts.push(tags);
  return parts.join(" && ");
}

/** Each tag's values present in a query answer grouped by every tag: `{tag: [values, sorted]}`. */
export function tagValues(answer, tags) {
  const seen = Object.fromEntries(tags.map((t) => [t, new Set()]));
  for (const item of answer.items || []) {
    for (const t of tags) {
      const v = item.group?.[t];
      if (v !== undefined && v !== null) seen[t].add(String(v));
    }
  }
  return Object.fromEntries(tags.map((t) => [t, [...seen[t]].sort()]));
}

/**
 * The chart's series from a query answer: one per value field and group, each `{label, field, group, points,
 * spanGaps}` with a point `{x: bucket start ms, y}` per bucket that holds points, and the widest gap the line
 * bridges (see `bridgedGap`). Also answers `total` (points in the range, from the `count` aggregate), `buckets`
 * (answered buckets), `grid` (buckets in the range) and `latest` (`{field: the last value of the newest bucket}`).
 */
export function seriesFrom(answer, { from, to, stepSeconds, values, aggregate, groupBy }) {
  const step = stepSeconds * SECOND;
  const first = Math.floor(from / step) * step;
  const grid = Math.max(0, Math.ceil((to - first) / step));
  const byKey = new Map();
  let total = 0;
  const latest = {};
  let latestTime = -Infinity;
  const items = answer.items || [];
  for (const item of items) {
    const time = dateMs(item.time);
    const group = groupBy ? String(item.group?.[groupBy] ?? "") : "";
    let counted = false;
    for (const field of values) {
      const aggregates = item.values?.[field];
      if (!aggregates) continue;
      if (!counted && typeof aggregates.count === "number") { total += aggregates.count; counted = true; }
      const key = `${field}\u0000${group}`;
      if (!byKey.has(key)) byKey.set(key, { field, group, at: new Map() });
      byKey.get(key).at.set(time, aggregates[aggregate] ?? null);
      if (time >= latestTime && typeof aggregates.last === "number") {
        if (time > latestTime) { for (const k of Object.keys(latest)) delete latest[k]; latestTime = time; }
        latest[field] = aggregates.last;
      }
    }
  }
  const series = [...byKey.values()]
    .sort((a, b) => values.indexOf(a.field) - values.indexOf(b.field) || a.group.localeCompare(b.group))
    .map(({ field, group, at }) => {
      const points = [...at].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y }));
      return {
        label: groupBy ? `${field} · ${groupBy}=${group || "(empty)"} (${aggregate})` : `${field} (${aggregate})`,
        field, group, points, spanGaps: bridgedGap(points.map((p) => p.x), step),
      };
    });
  return { series, total, buckets: new Set(items.map((i) => i.time)).size, latest, grid };
}

/**
 * The widest gap (ms) a line bridges: two and a half times the median distance between its buckets, at least two
 * steps. Points a minute apart charted at 10-second buckets stay one line; a device silent for much longer than it
 * usually is leaves a visible break (Grafana's "connect null values" with a threshold).
 */
export function bridgedGap(xs, step) {
  const gaps = xs.slice(1).map((x, i) => x - xs[i]).sort((a, b) => a - b);
  const median = gaps.length ? gaps[Math.floor(gaps.length / 2)] : step;
  return Math.max(2 * step, 2.5 * median);
}

/** An axis label for a bucket start: "14:05" within a day, "12-06 14:05" over longer ranges, seconds when steps are. */
export function timeLabel(ms, rangeMs, stepSeconds) {
  const iso = new Date(ms).toISOString();
  const clock = stepSeconds < 60 ? iso.slice(11, 19) : iso.slice(11, 16);
  return rangeMs > DAY ? `${iso.slice(5, 10)} ${clock}` : clock;
}

/** Seconds between refreshes of a live range: about one bucket, at least 5 s, at most a minute. */
export function refreshSeconds(stepSeconds) {
  return Math.min(60, Math.max(5, stepSeconds));
}
