// A thin wrapper over Chart.js 3.9.1 (vendor/chart.min.js, Debian's libjs-chart.js, loaded as a classic script):
// colours that follow the theme, and charts that are destroyed with their page.

function themeColors() {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue("--text").trim() || "#222",
    grid: style.getPropertyValue("--border").trim() || "#ddd",
    accent: style.getPropertyValue("--accent").trim() || "#f05138",
  };
}

export const PALETTE = ["#f05138", "#2f80ed", "#27ae60", "#9b51e0", "#f2994a"];

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
