// Server metrics from /api/metrics (Prometheus text, parsed here): request rate, latency percentiles over the
// last interval and realtime clients, scraped every few seconds and charted as they come.
import { authStore } from "../lib/api.js";
import { chartsAvailable, makeChart } from "../lib/charts.js";
import { h, mount, toast } from "../lib/dom.js";
import { bucketDelta, buckets, names, parsePrometheus, quantile, sum } from "../lib/prometheus.js";
import { registerPage } from "../lib/router.js";

const DEFAULT_SECONDS = 5; // between scrapes; ?every=N (1…60) changes it
const KEEP = 120; // points per chart: ten minutes at the default interval

async function scrape(signal) {
  const response = await fetch("/api/metrics", { headers: { Authorization: authStore.token }, signal });
  if (!response.ok) throw new Error(`Metrics answered ${response.status}.`);
  return parsePrometheus(await response.text());
}

/** The request counter and duration histogram families, found by name (whatever the metrics backend adds). */
function families(samples) {
  const all = names(samples);
  const requests = all.find((n) => /requests(_total)?$/.test(n) && !/active|error/.test(n));
  const durationBucket = all.find((n) => /request.*duration.*_bucket$/.test(n));
  const clients = all.find((n) => /realtime_clients$/.test(n));
  return { requests, duration: durationBucket?.replace(/_bucket$/, ""), clients };
}

registerPage({
  path: "/metrics",
  title: "Metrics",
  nav: { label: "Metrics", order: 32, group: "Monitoring" },
  async render({ el, query, signal }) {
    const seconds = Math.min(60, Math.max(1, Number(query.every) || DEFAULT_SECONDS));
    const rateCanvas = h("canvas", { id: "metrics-rate", role: "img", "aria-label": "Requests per second" });
    const latencyCanvas = h("canvas", { id: "metrics-latency", role: "img", "aria-label": "Latency percentiles" });
    const clientsCanvas = h("canvas", { id: "metrics-clients", role: "img", "aria-label": "Realtime clients" });
    const figures = h("dl", { class: "figures", id: "metrics-figures", "aria-live": "polite" });
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Metrics"), h("span", { class: "muted" }, `every ${seconds} s`)),
      figures,
      h("div", { class: "charts" },
        h("section", {}, h("h2", {}, "Requests per second"), h("div", { class: "chart-box" }, rateCanvas)),
        h("section", {}, h("h2", {}, "Latency (ms)"), h("div", { class: "chart-box" }, latencyCanvas)),
        h("section", {}, h("h2", {}, "Realtime clients"), h("div", { class: "chart-box" }, clientsCanvas))));
    const charts = chartsAvailable() ? {
      rate: makeChart(rateCanvas, { datasets: [{ label: "req/s", data: [] }] }),
      latency: makeChart(latencyCanvas, { datasets: [{ label: "p50", data: [] }, { label: "p90", data: [] }, { label: "p99", data: [] }] }),
      clients: makeChart(clientsCanvas, { datasets: [{ label: "clients", data: [] }] }),
    } : null;
    let previous = null;

    const push = (chart, label, values) => {
      if (!chart) return;
      chart.data.labels.push(label);
      values.forEach((v, i) => chart.data.datasets[i].data.push(v));
      if (chart.data.labels.length > KEEP) {
        chart.data.labels.shift();
        chart.data.datasets.forEach((d) => d.data.shift());
      }
      chart.update();
    };

    async function tick() {
      let samples;
      try {
        samples = await scrape(signal);
      } catch (error) {
        if (error.name !== "AbortError") toast(error.message, "error");
        return;
      }
      const now = Date.now();
      const f = families(samples);
      const total = f.requests ? sum(samples, f.requests) : 0;
      const cumulative = f.duration ? buckets(samples, f.duration) : [];
      const clients = f.clients ? sum(samples, f.clients) : 0;
      const label = new Date(now).toLocaleTimeString();
      const window = previous ? bucketDelta(cumulative, previous.cumulative) : cumulative;
      const ms = (q) => { const v = quantile(q, window); return Number.isFinite(v) ? +(v * 1000).toFixed(2) : null; };
      const rate = previous ? Math.max(0, (total - previous.total) / ((now - previous.at) / 1000)) : 0;
      if (previous) {
        push(charts?.rate, label, [+rate.toFixed(2)]);
        push(charts?.latency, label, [ms(0.5), ms(0.9), ms(0.99)]);
      }
      push(charts?.clients, label, [clients]);
      mount(figures,
        h("div", {}, h("dt", {}, "Requests (total)"), h("dd", { id: "figure-requests" }, String(total))),
        h("div", {}, h("dt", {}, "Requests/s"), h("dd", {}, previous ? rate.toFixed(2) : "…")),
        h("div", {}, h("dt", {}, "p50 / p90 / p99"), h("dd", {}, [ms(0.5), ms(0.9), ms(0.99)].map((v) => (v === null ? "–" : `${v} ms`)).join(" / "))),
        h("div", {}, h("dt", {}, "Realtime clients"), h("dd", { id: "figure-clients" }, String(clients))));
      previous = { at: now, total, cumulative };
    }

    await tick();
    const timer = setInterval(tick, seconds * 1000);
    return () => {
      clearInterval(timer);
      Object.values(charts || {}).forEach((c) => c.destroy());
    };
  },
});
