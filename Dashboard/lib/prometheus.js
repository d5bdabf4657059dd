// Prometheus' text exposition format (what /api/metrics answers), parsed in the browser, plus the sums and
// histogram quantiles the metrics page charts.

/** Parses the text into samples [{name, labels: {…}, value}] (comments and TYPE/HELP lines skipped). */
export function parsePrometheus(text) {
  const samples = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    if (match[3]) {
      const labelRE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
      let m;
      while ((m = labelRE.exec(match[3]))) labels[m[1]] = m[2].replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const value = match[4] === "+Inf" ? Infinity : match[4] === "-Inf" ? -Infinity : Number(match[4]);
    samples.push({ name: match[1], labels, value });
  }
  return samples;
}

/** The sum of every sample named `name` whose labels include `where`. */
export function sum(samples, name, where = {}) {
  return samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}

/** Names of the samples, for finding a family by suffix. */
export function names(samples) {
  return [...new Set(samples.map((s) => s.name))];
}

/**
 * Histogram buckets of `family` (its `<family>_bucket` samples) summed over all label sets: [{le, count}],
 * ascending. Subtracting an earlier scrape's buckets gives the window between them.
 */
export function buckets(samples, family) {
  const byLe = new Map();
  for (const s of samples) {
    if (s.name !== `${family}_bucket`) continue;
    const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + s.value);
  }
  return [...byLe.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** `later` minus `earlier`, bucket by bucket (counts never go negative: a restart resets them). */
export function bucketDelta(later, earlier) {
  return later.map((b) => {
    const before = earlier.find((e) => e.le === b.le);
    return { le: b.le, count: Math.max(0, b.count - (before ? before.count : 0)) };
  });
}

/** The q-quantile (0…1) of cumulative buckets, interpolated linearly inside its bucket as Prometheus does. */
export function quantile(q, cumulative) {
  if (!cumulative.length) return NaN;
  const total = cumulative[cumulative.length - 1].count;
  if (!total) return NaN;
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const b of cumulative) {
    if (b.count >= rank) {
      if (b.le === Infinity) return previousLe;
      const inBucket = b.count - previousCount;
      return inBucket ? previousLe + (b.le - previousLe) * ((rank - previousCount) / inBucket) : b.le;
    }
    previousLe = b.le;
    previousCount = b.count;
  }
  return previousLe;
}
