// GraphQL (Docs/GraphQL.md): a small explorer for /api/graphql — a query and its variables, run as the signed-in
// superuser or as a guest (so a collection's rules can be seen at work), the answer with its status and time, and
// the schema as SDL, searchable by type. The query and variables are kept across reloads; Ctrl+Enter runs.
import { authStore } from "../lib/api.js";
import { debounce, field, h, mount, submitOnCtrlEnter } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";
import { reloadCollections } from "../lib/state.js";

const STORAGE_KEY = "swiftbase_dashboard_graphql";

function saved() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || "null") || {};
  } catch {
    return {};
  }
}

/** A first query for this schema: the first collection's first five rows. */
function exampleQuery(collections) {
  const first = collections.find((c) => !c.system);
  return first ? `query {\n  ${first.name}(limit: 5) {\n    id\n  }\n}\n` : "query {\n  __typename\n}\n";
}

/** The SDL's blocks (types, inputs, enums…) that mention `term`, whole: those whose name matches first. */
function sdlBlocks(sdl, term) {
  const blocks = sdl.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  if (!term) return blocks;
  const needle = term.toLowerCase();
  // A block's name line is its first that is not its description ("\"\"\"…\"\"\"" lines come first).
  const nameLine = (b) => b.split("\n").find((line) => /^(type|input|enum|scalar|interface|union|schema|directive|extend)\b/.test(line)) ?? "";
  const named = (b) => nameLine(b).toLowerCase().includes(needle);
  const mentioning = blocks.filter((b) => b.toLowerCase().includes(needle));
  return [...mentioning.filter(named), ...mentioning.filter((b) => !named(b))];
}

registerPage({
  path: "/graphql",
  title: "GraphQL",
  nav: { label: "GraphQL", order: 12, group: "Data" },
  async render({ el, signal }) {
    const collections = await reloadCollections();
    const kept = saved();
    const query = h("textarea", { id: "graphql-query", class: "code", rows: 12, spellcheck: "false" },
      kept.query || exampleQuery(collections));
    const variables = h("textarea", { id: "graphql-variables", class: "code", rows: 3, spellcheck: "false",
      placeholder: '{"id": "…"}' }, kept.variables || "");
    const identity = h("select", { id: "graphql-identity" },
      h("option", { value: "me" }, "as me (superuser)"), h("option", { value: "guest" }, "as a guest"));
    const status = h("span", { class: "muted", id: "graphql-status", "aria-live": "polite" });
    const result = h("pre", { class: "code", id: "graphql-result" });
    const run = h("button", { type: "submit", class: "primary", id: "graphql-run" }, "Run");
    const form = h("form", { class: "settings-form wide", id: "graphql-form", novalidate: true },
      field("Query", query, { hint: "Ctrl+Enter runs it." }), field("Variables (JSON, optional)", variables),
      h("div", { class: "actions" }, identity, status, h("div", { class: "spacer" }), run), result);

    const keepNow = () => localStorage.setItem(STORAGE_KEY, JSON.stringify({ query: query.value, variables: variables.value }));
    const keep = debounce(keepNow, 300);
    query.addEventListener("input", keep);
    variables.addEventListener("input", keep);
    submitOnCtrlEnter(query, form);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      keepNow();
      let vars;
      if (variables.value.trim()) {
        try {
          vars = JSON.parse(variables.value);
        } catch {
          status.textContent = "The variables must be a JSON object.";
          return;
        }
      }
      const headers = { "Content-Type": "application/json" };
      if (identity.value === "me" && authStore.token) headers.Authorization = authStore.token;
      status.textContent = "…";
      run.disabled = true;
      const started = performance.now();
      try {
        const response = await fetch("/api/graphql", { method: "POST", headers, signal,
          body: JSON.stringify({ query: query.value, variables: vars }) });
        const text = await response.text();
        let shown = text;
        try {
          shown = JSON.stringify(JSON.parse(text), null, 2);
        } catch {
          // not JSON: shown as it came
        }
        result.textContent = shown;
        status.textContent = `${response.status} · ${Math.round(performance.now() - started)} ms`;
        result.dataset.runs = String(Number(result.dataset.runs || 0) + 1); // answers shown so far (tests wait on it)
      } catch (error) {
        if (error.name !== "AbortError") status.textContent = `The request failed: ${error.message}`;
      } finally {
        run.disabled = false;
      }
    });

    const search = h("input", { type: "search", id: "graphql-schema-search", placeholder: "Search types and fields",
      "aria-label": "Search the schema" });
    const schemaBox = h("pre", { class: "code", id: "graphql-schema" });
    let sdl = "";
    const showSchema = () => {
      const blocks = sdlBlocks(sdl, search.value.trim());
      schemaBox.textContent = blocks.length ? blocks.join("\n\n") : "Nothing in the schema matches.";
    };
    search.addEventListener("input", debounce(showSchema, 150));
    try {
      // SDL is text, not JSON: fetched directly rather than through `send`.
      const response = await fetch("/api/graphql/schema", { headers: { Authorization: authStore.token }, signal });
      sdl = response.ok ? await response.text() : `The schema could not be read (${response.status}).`;
    } catch (error) {
      if (error.name === "AbortError") return undefined;
      sdl = `The schema could not be read: ${error.message}`;
    }
    mount(el, h("div", { class: "page-header" }, h("h1", {}, "GraphQL"),
      h("span", { class: "muted" }, "POST /api/graphql · subscriptions over a WebSocket at the same path")),
      form, h("section", {}, h("h2", {}, "Schema"), search, schemaBox));
    showSchema();
    return keepNow; // leaving the page keeps what was typed last, even within the debounce
  },
});
