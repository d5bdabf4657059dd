// The collections part of the navigation: a searchable list (system collections last), a link to each
// collection's records and one to create a collection. Kept current through lib/state.js.
import { h, mount } from "../lib/dom.js";
import { BASE, currentPath, href as link } from "../lib/router.js";
import { allCollections, onCollectionsChange, reloadCollections } from "../lib/state.js";

const typeMarks = { base: "▤", auth: "◉", view: "◫", timeseries: "∿" };

export function collectionsSidebar() {
  const search = h("input", { type: "search", placeholder: "Search collections", "aria-label": "Search collections" });
  const list = h("ul", { class: "collection-list", id: "collection-list" });
  const draw = () => {
    const term = search.value.trim().toLowerCase();
    const items = allCollections().filter((c) => !term || c.name.toLowerCase().includes(term));
    const ordinary = items.filter((c) => !c.system);
    const system = items.filter((c) => c.system);
    const item = (c) => {
      const href = link(`/collections/${encodeURIComponent(c.name)}`);
      const path = currentPath();
      const own = href.slice(BASE.length);
      const active = path === own || path.startsWith(`${own}/`);
      return h("li", {}, h("a", { href, dataset: { collection: c.name }, "aria-current": active ? "page" : null },
        h("span", { class: "mark", "aria-hidden": "true" }, typeMarks[c.type] || "▤"), c.name));
    };
    mount(list, ordinary.map(item),
      system.length ? h("li", { class: "group", role: "presentation" }, "System") : null, system.map(item));
  };
  search.addEventListener("input", draw);
  onCollectionsChange(draw);
  reloadCollections().catch(() => {});
  return h("section", { class: "collections-nav", "aria-label": "Collections" },
    h("div", { class: "nav-heading" }, h("h2", {}, "Collections"),
      h("a", { class: "button small", href: link("/collections-new"), id: "new-collection" }, "+ New")),
    search, list);
}
