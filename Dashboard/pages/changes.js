// The change feed (README "Change feed and consumers"): the log followed live from its head (GET /api/changes/head,
// then /api/changes/stream?after=HEAD, read with fetch since EventSource sends no Authorization header), newest
// first, by collection, paused and resumed with no gap, each entry's record a click away; and the named consumers
// with their collections, filter, committed cursor and lag behind the head, refreshed every few seconds so a
// consumer falling behind shows, created and deleted here. Everything goes through /api/changes and /api/consumers.
import { ApiError, authStore, send, withQuery } from "../lib/api.js";
import { confirmAction, field, h, mount, openDialog, showFieldErrors, showFormError, toast } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const REFRESH_MS = 5000;
const LIVE_ROWS = 100;

/**
 * Reads /api/changes/stream from `after` (Server-Sent Events: `id`, `event: change`, `data`) and calls `onEntry`
 * with each entry until `signal` aborts or the stream ends.
 */
async function follow(after, collection, signal, onEntry) {
  const response = await fetch(withQuery("/api/changes/stream", { after, collections: collection }),
    { headers: { Authorization: authStore.token, Accept: "text/event-stream" }, signal });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = buffer.slice(0, end).split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
      buffer = buffer.slice(end + 2);
      if (data) onEntry(JSON.parse(data));
      end = buffer.indexOf("\n\n");
    }
  }
}

/** The live section: the newest changes first, at most LIVE_ROWS, from the log's head on. */
function liveFeed(known, pageSignal) {
  const tbody = h("tbody", {}, h("tr", { class: "waiting" }, h("td", { colspan: 6, class: "empty" }, "Waiting for changes…")));
  const state = h("span", { class: "muted", id: "feed-state", "aria-live": "polite" });
  const collection = h("select", { id: "feed-collection", "aria-label": "Collection" },
    h("option", { value: "" }, "every collection"),
    known.filter((c) => !c.system).map((c) => h("option", { value: c.name }, c.name)));
  const pause = h("button", { type: "button", id: "feed-pause" }, "Pause");
  let controller = null;
  let last = null; // the newest seq shown: a resume reads on from it, so a pause loses nothing
  pageSignal.addEventListener("abort", () => controller?.abort(), { once: true }); // leaving the page ends the stream
  // Hidden in the back/forward cache the page would keep its stream open (one of the browser's six connections to
  // the server, see lib/realtime.js): it stops there, and reads on from the last entry shown if the page comes back.
  let hiddenWhileLive = false;
  addEventListener("pagehide", () => {
    hiddenWhileLive = Boolean(controller && !controller.signal.aborted);
    controller?.abort();
  }, { signal: pageSignal });
  addEventListener("pageshow", (event) => {
    if (event.persisted && hiddenWhileLive) start(last);
  }, { signal: pageSignal });

  function show(entry) {
    tbody.querySelector("tr.waiting")?.remove();
    const badge = { create: "ok", update: "", delete: "danger" }[entry.action] ?? "";
    tbody.prepend(h("tr", { dataset: { seq: entry.seq }, tabindex: 0, class: "clickable",
      onclick: () => openDialog(`Change ${entry.seq}`, h("pre", { class: "code" }, JSON.stringify(entry, null, 2)), { wide: true }),
      onkeydown: (event) => { if (event.key === "Enter") event.currentTarget.click(); } },
    h("td", { class: "num" }, String(entry.seq)), h("td", {}, entry.created), h("td", {}, entry.collection),
    h("td", {}, h("span", { class: `badge ${badge}` }, entry.action)), h("td", {}, h("code", {}, entry.recordId)),
    h("td", {}, entry.actor || "–")));
    while (tbody.rows.length > LIVE_ROWS) tbody.lastElementChild.remove();
    last = entry.seq;
  }

  async function start(after) {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    try {
      const from = after ?? (await send("/api/changes/head", { query: { collections: collection.value }, signal })).head;
      if (after == null) last = from;
      state.textContent = `Following from seq ${from}.`;
      await follow(from, collection.value, signal, show);
      state.textContent = "The stream ended.";
    } catch (error) {
      if (error.name !== "AbortError") state.textContent = error.message;
    }
  }

  pause.addEventListener("click", () => {
    if (controller && !controller.signal.aborted) {
      controller.abort();
      pause.textContent = "Resume";
      state.textContent = `Paused after seq ${last}.`;
    } else {
      pause.textContent = "Pause";
      start(last);
    }
  });
  collection.addEventListener("change", () => {
    mount(tbody, h("tr", { class: "waiting" }, h("td", { colspan: 6, class: "empty" }, "Waiting for changes…")));
    pause.textContent = "Pause";
    start(null);
  });
  const section = h("section", { id: "feed" }, h("div", { class: "page-header" }, h("h2", {}, "Live"), collection, pause, state),
    h("table", { class: "compact", id: "feed-table" }, h("thead", {}, h("tr", {},
      ["Seq", "Committed", "Collection", "Action", "Record", "Actor"].map((t) => h("th", { scope: "col" }, t)))), tbody));
  return { section, start: () => start(null) };
}

function createForm(known, created) {
  const name = h("input", { type: "text", id: "consumer-name", required: true, placeholder: "search-indexer" });
  const collections = h("select", { id: "consumer-collections", multiple: true, size: 4 },
    known.filter((c) => !c.system).map((c) => h("option", { value: c.name }, c.name)));
  const filter = h("input", { type: "text", id: "consumer-filter", class: "code", spellcheck: "false",
    placeholder: 'e.g. status = "published"' });
  const message = h("p", { class: "form-error", role: "alert" });
  const form = h("form", { class: "settings-form", id: "create-consumer", novalidate: true }, h("h2", {}, "New consumer"),
    field("Name", name, { name: "name", hint: "Letters, digits, _, - and . — what a service polls as /api/consumers/NAME/poll." }),
    field("Collections", collections, { name: "collections", hint: "None selected: every collection." }),
    field("Filter (optional)", filter, { name: "filter", hint: "The filter language, over each change's record." }), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create consumer")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    showFieldErrors(form, {});
    try {
      const consumer = await send("/api/consumers", { method: "POST", body: {
        name: name.value.trim(), collections: [...collections.selectedOptions].map((o) => o.value), filter: filter.value,
      } });
      toast(`Created ${consumer.name}: it reads from seq ${consumer.committedSeq} on.`, "ok");
      form.reset();
      await created();
    } catch (error) {
      showFormError(form, message, error);
    }
  });
  return form;
}

registerPage({
  path: "/changes",
  title: "Change feed",
  nav: { label: "Change feed", order: 16, group: "Data" },
  async render({ el, signal }) {
    const tbody = h("tbody", {});
    const head = h("p", { class: "muted", id: "consumers-head", "aria-live": "polite" });
    async function load() {
      let items;
      try {
        ({ items } = await send("/api/consumers", { signal }));
      } catch (error) {
        if (error.name !== "AbortError") head.textContent = error.message;
        return;
      }
      head.textContent = items.length ? `The log's head: seq ${Math.max(...items.map((c) => c.headSeq))}.` : "";
      mount(tbody, items.length ? items.map((c) => h("tr", { dataset: { name: c.name } },
        h("td", {}, h("code", {}, c.name)),
        h("td", {}, c.collections.length ? c.collections.join(", ") : "all"),
        h("td", {}, c.filter ? h("code", {}, c.filter) : "–"),
        h("td", { class: "num" }, String(c.committedSeq)),
        h("td", { class: "num" }, c.lag ? h("span", { class: "badge danger" }, `${c.lag} behind`) : h("span", { class: "badge ok" }, "caught up")),
        h("td", {}, c.updated),
        h("td", { class: "row-actions" }, h("button", { type: "button", class: "danger delete", onclick: async () => {
          if (!(await confirmAction(`Delete the consumer "${c.name}"? Its cursor goes with it.`, "Delete"))) return;
          try {
            await send(`/api/consumers/${encodeURIComponent(c.name)}`, { method: "DELETE" });
            toast(`Deleted ${c.name}.`, "ok");
          } catch (error) {
            toast(`Delete: ${error.message}`, "error");
          }
          await load();
        } }, "Delete"))))
        : h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No consumers.")));
    }
    const known = await reloadCollections();
    const live = liveFeed(known, signal);
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Change feed")), live.section,
      h("h2", {}, "Consumers"),
      h("p", { class: "hint" }, "Services read the change log through a named consumer: ",
        h("code", {}, "GET /api/consumers/NAME/poll"), " answers the same entries until ", h("code", {}, "POST …/commit"),
        " moves the cursor on, so nothing is lost when a service crashes."),
      head,
      h("table", { class: "compact", id: "consumers-table" }, h("thead", {}, h("tr", {},
        ["Name", "Collections", "Filter", "Committed seq", "Lag", "Updated", ""].map((t) => h("th", { scope: "col" }, t)))), tbody),
      createForm(known, load));
    await load();
    live.start();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  },
});
