// A thin wrapper over Chart.js 3.9.1 (vendor/chart.min.js, Debian's libjs-chart.js, loaded as a classic script):
// colours that follow the theme, and charts that are destroyed with their page; category charts (logs, metrics)
// and charts over time (the time-series view).

function themeColors() {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue("--text").trim() || "#222",
    grid: style.getPropertyValue("--border").trim() || "#ddd",
    accent: style.getPropertyValue("--accent").trim() || "#f05138",
  };
}

export const PALETTE = ["#f05138", "#2f80ed", "#27ae60", "#9b51e0", "#f2994a"];
/** More colours than PALETTE, for charts with a series per tag value; each readable on both themes. */
const SERIES_COLORS = [...PALETTE, "#00a3a3", "#c2185b", "#8d6e63", "#607d8b", "#cddc39", "#ff80ab", "#3949ab"];

/** Whether Chart.js is loaded (it is deferred; module scripts run after deferred ones, so it normally is). */
export function chartsAvailable() {
  return typeof window.Chart === "function";
}

/** A line or bar chart on `canvas`; answers the Chart instance (call .destroy() when leaving the page). */
export function makeChart(canvas, { type = "line", labels = [], datasets = [], yTitle = "" }) {
  const colors = themeColors();
  return new window.Chart(canvas, {
    type,
    data: { labels, datasets: datasets.map((d, i) => ({ borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: `${PALETTE[i % PALETTE.length]}55`, pointRadius: 0, borderWidth: 2, tension: 0.2, ...d })) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { labels: { color: colors.text } } },
      scales: {
        x: { ticks: { color: colors.text, maxRotation: 0, autoSkip: true, maxTicksLimit: 12 }, grid: { color: colors.grid } },
        y: { beginAtZero: true, ticks: { color: colors.text }, grid: { color: colors.grid },
          title: { display: !!yTitle, text: yTitle, color: colors.text } },
      },
    },
  });
}

/**
 * A line chart over time on `canvas`: `datasets` of `{label, data: [{x: epoch ms, y}], spanGaps}` (x ascending; the line
 * breaks where two points lie further apart than `spanGaps` ms), on a linear x axis labelled by `label(ms)` —
 * Chart.js's own time axis needs a date adapter we do not ship.
 */
export function makeTimeChart(canvas, { datasets = [], label = String, yTitle = "" }) {
  const colors = themeColors();
  const few = datasets.every((d) => d.data.length <= 60);
  return new window.Chart(canvas, {
    type: "line",
    data: { datasets: datasets.map((d, i) => ({ borderColor: SERIES_COLORS[i % SERIES_COLORS.length],
      backgroundColor: SERIES_COLORS[i % SERIES_COLORS.length], pointRadius: few ? 2 : 0, borderWidth: 2,
      tension: 0, ...d })) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      plugins: {
        legend: { labels: { color: colors.text, boxWidth: 12 } },
        tooltip: { callbacks: { title: (items) => (items.length ? label(items[0].parsed.x) : "") } },
      },
      scales: {
        x: { type: "linear", ticks: { color: colors.text, maxRotation: 0, autoSkip: true, maxTicksLimit: 10,
          callback: (value) => label(value) }, grid: { color: colors.grid } },
        y: { ticks: { color: colors.text }, grid: { color: colors.grid },
          title: { display: !!yTitle, text: yTitle, color: colors.text } },
      },
    },
  });
}
