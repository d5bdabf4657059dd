// The audit log (Swiftbase's /api/audit): privileged actions newest first, narrowed by event or actor, paged.
import { send } from "../lib/api.js";
import { h, mount } from "../lib/dom.js";
import { SETTINGS_SECTIONS } from "./settings.js";

async function audit({ el }) {
  const state = { page: 1, event: "", actor: "" };
  const event = h("input", { type: "search", placeholder: "event, e.g. apikey.create", "aria-label": "Event" });
  const actor = h("input", { type: "search", placeholder: "actor", "aria-label": "Actor" });
  const tbody = h("tbody", {});
  const pager = h("nav", { class: "pager", "aria-label": "Audit pages" });
  const form = h("form", { class: "row", role: "search" }, event, actor, h("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    Object.assign(state, { page: 1, event: event.value.trim(), actor: actor.value.trim() });
    load();
  });
  async function load() {
    const answer = await send("/api/audit", { query: { page: state.page, perPage: 30, event: state.event, actor: state.actor } });
    mount(tbody, answer.items.length ? answer.items.map((item) => h("tr", {},
      h("td", {}, item.created), h("td", {}, h("code", {}, item.event)), h("td", {}, item.actor), h("td", {}, item.ip),
      h("td", {}, item.target), h("td", {}, h("code", {}, JSON.stringify(item.details))))) :
      h("tr", {}, h("td", { colspan: 6, class: "empty" }, "Nothing recorded.")));
    mount(pager,
      h("button", { type: "button", disabled: state.page <= 1, onclick: () => { state.page -= 1; load(); } }, "← Previous"),
      h("span", {}, `Page ${answer.page} of ${Math.max(1, answer.totalPages)}`),
      h("button", { type: "button", disabled: answer.page >= answer.totalPages, onclick: () => { state.page += 1; load(); } }, "Next →"));
  }
  mount(el, h("h2", {}, "Audit log"), form, h("table", { class: "compact", id: "audit-table" },
    h("thead", {}, h("tr", {}, ["Time", "Event", "Actor", "IP", "Target", "Details"].map((t) => h("th", { scope: "col" }, t)))),
    tbody), pager);
  await load();
}

SETTINGS_SECTIONS.push(["audit", "Audit log", audit]);
