// The page registry and a history-API router under /_/. A page module calls registerPage once; the shell
// (app.js) builds the navigation from the registry and renders the matching page into <main>. A later module
// (webhooks, functions, GraphQL, MQTT) adds a file under pages/ and one import line in pages/index.js.

/** Where the app lives ("/_" when Swiftbase serves it), from this module's own URL: the same files work under
 *  another prefix (the browser tests serve them from PocketBase's public folder to check its API shapes). */
export const BASE = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** The URL of an app path ("/logs" → "/_/logs"), for links. */
export function href(path) {
  return BASE + path;
}
const pages = [];
let current = null;
let renderTarget = null;
let beforeRender = () => true;

/**
 * Registers a page.
 *   path:   "/collections/:name" (":x" captures one segment)
 *   title:  a string or (params) => string, for document.title
 *   nav:    optional {label, order, group, href, icon}: shown in the main navigation, under its group's heading
 *           (groups appear in the order of their first page; a page without a group goes first)
 *   public: true when it renders without a signed-in superuser (the sign-in page)
 *   bare:   true when it renders for anyone, without the navigation (the OAuth2 redirect pages)
 *   render: ({el, params, query, signal}) => optional cleanup function (may be async)
 */
export function registerPage(page) {
  const names = [];
  const source = page.path.replace(/\//g, "\\/").replace(/:([A-Za-z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  pages.push({ ...page, regex: new RegExp(`^${source}\\/?$`), names });
}

/** Pages that asked for a navigation entry, in their order. */
export function navigationPages() {
  return pages.filter((p) => p.nav).sort((a, b) => (a.nav.order ?? 100) - (b.nav.order ?? 100));
}

/** The navigation's pages as [{group, pages}], groups in the order of their first page (see `registerPage`). */
export function navigationGroups() {
  const groups = new Map();
  for (const page of navigationPages()) {
    const name = page.nav.group ?? "";
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(page);
  }
  return [...groups].map(([group, list]) => ({ group, pages: list }));
}

/** The app-relative path of the current location ("/collections/posts"). */
export function currentPath() {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return path || "/";
}

/** Goes to an app path ("/logs"), adding a history entry unless `replace`. */
export function navigate(path, { replace = false } = {}) {
  const url = BASE + path;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  render();
}

/** Starts the router: renders into `target` and follows links and the back button. */
export function startRouter(target, guard) {
  renderTarget = target;
  beforeRender = guard;
  // PocketBase's dashboard routes by hash ("/_/#/auth/oauth2-redirect-success", where the server's OAuth2
  // redirect points): such a URL becomes the same path here.
  if (location.hash.startsWith("#/")) history.replaceState(null, "", BASE + location.hash.slice(1));
  window.addEventListener("popstate", render);
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[href]");
    if (!link || link.target || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`) || link.hasAttribute("download")) return;
    event.preventDefault();
    history.pushState(null, "", url.pathname + url.search);
    render();
  });
  render();
}

/** Renders the page for the current location (again). */
export async function render() {
  const path = currentPath();
  let match = null;
  let page = null;
  for (const candidate of pages) {
    match = candidate.regex.exec(path);
    if (match) { page = candidate; break; }
  }
  if (!beforeRender(page)) return;
  if (current) {
    current.controller.abort();
    try { current.cleanup?.(); } catch { /* a page's cleanup must not stop navigation */ }
  }
  const controller = new AbortController();
  current = { controller, cleanup: null, page };
  const el = document.createElement("div");
  el.className = "page";
  renderTarget.replaceChildren(el);
  if (!page) {
    el.append(Object.assign(document.createElement("h1"), { textContent: "Page not found" }));
    document.title = "Not found · Swiftbase";
    return;
  }
  const params = {};
  page.names.forEach((name, i) => { params[name] = decodeURIComponent(match[i + 1]); });
  const query = Object.fromEntries(new URLSearchParams(location.search));
  const title = typeof page.title === "function" ? page.title(params) : page.title;
  document.title = `${title} · Swiftbase`;
  document.dispatchEvent(new CustomEvent("sb:navigate", { detail: { page, params } }));
  const cleanup = await page.render({ el, params, query, signal: controller.signal });
  if (current?.controller === controller) current.cleanup = cleanup;
  else cleanup?.();
}
