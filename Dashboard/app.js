// The dashboard's shell: theme, session, the layout (header, navigation with the collections, <main>) and the
// router. Pages live in pages/ and register themselves (pages/index.js lists them).
import { authStore, refreshIfNeeded } from "./lib/api.js";
import { h, mount } from "./lib/dom.js";
import { disconnect } from "./lib/realtime.js";
import { BASE, currentPath, href, navigate, navigationGroups, startRouter } from "./lib/router.js";
import { applyTheme, effectiveTheme, toggleTheme } from "./lib/theme.js";
import { collectionsSidebar } from "./pages/collections-sidebar.js";
import "./pages/index.js";

applyTheme();

const root = document.getElementById("app");
const main = h("main", { id: "main", tabindex: "-1" });

function themeButton() {
  const button = h("button", { type: "button", class: "icon", id: "theme-toggle" });
  const label = () => {
    const other = effectiveTheme() === "dark" ? "light" : "dark";
    button.textContent = other === "dark" ? "☾" : "☀";
    button.setAttribute("aria-label", `Switch to the ${other} theme`);
    button.title = `Switch to the ${other} theme`;
  };
  button.addEventListener("click", () => { toggleTheme(); label(); });
  label();
  return button;
}

function signOut() {
  disconnect();
  authStore.clear();
  navigate("/login", { replace: true });
}

/** The full layout for a signed-in superuser; the bare one for the sign-in page. */
function layout(signedIn) {
  if (!signedIn) {
    mount(root, h("header", { class: "topbar" }, h("span", { class: "brand" }, "Swiftbase"), themeButton()), main);
    return;
  }
  const nav = h("nav", { class: "sidebar", "aria-label": "Main" },
    navigationGroups().map(({ group, pages }) => {
      const id = group ? `nav-group-${group.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : null;
      return h("div", { class: "nav-group" },
        group ? h("h2", { class: "nav-group-heading", id }, group) : null,
        h("ul", { class: "nav-list", "aria-labelledby": id }, pages.map((page) =>
          h("li", {}, h("a", { href: href(page.nav.href || page.path), dataset: { nav: page.path } }, page.nav.label)))));
    }),
    collectionsSidebar());
  const user = h("span", { class: "muted", id: "signed-in-as" }, authStore.record?.email || "");
  mount(root,
    h("header", { class: "topbar" },
      h("a", { class: "brand", href: href("/") }, "Swiftbase"),
      h("div", { class: "spacer" }), user, themeButton(),
      h("button", { type: "button", id: "sign-out", onclick: signOut }, "Sign out")),
    h("div", { class: "shell" }, nav, main));
}

let layoutSignedIn = null;
document.addEventListener("sb:navigate", () => {
  const path = currentPath();
  for (const link of root.querySelectorAll("a[data-nav], a[data-collection]")) {
    const target = new URL(link.href).pathname.slice(BASE.length);
    const active = path === target || (target !== "/" && path.startsWith(`${target}/`));
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
});

// Before each page: the sign-in page for a guest, the shell for a superuser; a bare page as it is, for anyone.
function guard(page) {
  if (page?.bare) {
    if (layoutSignedIn !== false) {
      layoutSignedIn = false;
      layout(false);
    }
    return true;
  }
  const signedIn = authStore.isValid;
  if (!signedIn && !page?.public) {
    const back = currentPath();
    navigate(`/login${back && back !== "/" && back !== "/login" ? `?redirect=${encodeURIComponent(back)}` : ""}`,
      { replace: true });
    return false;
  }
  if (signedIn && page?.public) {
    navigate("/collections", { replace: true });
    return false;
  }
  if (layoutSignedIn !== signedIn) {
    layoutSignedIn = signedIn;
    layout(signedIn);
  }
  return true;
}

authStore.onChange(() => {
  if (!authStore.isValid && layoutSignedIn) navigate("/login", { replace: true });
});

// A refused token signs out (lib/api.js clears it on 401); a server that cannot be reached keeps the session.
await refreshIfNeeded().catch(() => {});
setInterval(() => refreshIfNeeded().catch(() => {}), 3600 * 1000);
root.removeAttribute("aria-busy");
startRouter(main, guard);
