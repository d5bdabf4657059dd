// Change-feed consumers (README "Change feed and consumers"): the named consumers with their collections, filter,
// committed cursor and lag behind the log's head, refreshed every few seconds so a consumer falling behind shows;
// a form that creates one (its cursor starts at the head); and delete. Everything goes through /api/consumers.
import { ApiError, send } from "../lib/api.js";
import { confirmAction, field, h, mount, showFieldErrors, toast } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const REFRESH_MS = 5000;

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
      const placed = error instanceof ApiError && showFieldErrors(form, error.data);
      message.textContent = placed ? `${error.message} See the marked fields.` : error.message;
    }
  });
  return form;
}

registerPage({
  path: "/consumers",
  title: "Consumers",
  nav: { label: "Consumers", order: 24 },
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
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "Change-feed consumers")),
      h("p", { class: "hint" }, "Services read the change log through a named consumer: ",
        h("code", {}, "GET /api/consumers/NAME/poll"), " answers the same entries until ", h("code", {}, "POST …/commit"),
        " moves the cursor on, so nothing is lost when a service crashes."),
      head,
      h("table", { class: "compact", id: "consumers-table" }, h("thead", {}, h("tr", {},
        ["Name", "Collections", "Filter", "Committed seq", "Lag", "Updated", ""].map((t) => h("th", { scope: "col" }, t)))), tbody),
      createForm(known, load));
    await load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  },
});
