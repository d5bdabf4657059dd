// The OAuth2 section of an auth collection's editor, with PocketBase's options: the enable toggle, `mappedFields`
// (what a new user gets from the provider account) and the providers, chosen from
// GET /api/collections/meta/oauth2-providers. The server never shows a `clientSecret`, and a provider sent back
// without one keeps the secret stored *at its position*; so a blank secret is allowed only for a provider still at
// the position it was loaded from (a provider that moved, or a new one, must be given its secret).
import { ApiError, send } from "../lib/api.js";
import { field, h, mount, openDialog, showFieldErrors } from "../lib/dom.js";

const MAPPED = [["id", "Provider account id"], ["name", "Name"], ["username", "Username"], ["avatarURL", "Avatar URL"]];
const URLS = [["authURL", "Auth URL"], ["tokenURL", "Token URL"], ["userInfoURL", "User info URL"]];

/** The position each provider object had when the collection was loaded (absent: added in this editor). */
const storedAt = new WeakMap();

/** The providers the server knows ([{name, displayName, logo}]), in PocketBase's order; [] if it cannot say. */
export async function loadOAuth2Providers(signal) {
  try {
    return await send("/api/collections/meta/oauth2-providers", { signal });
  } catch {
    return [];
  }
}

/** Fills in the options a new auth collection lacks and remembers where each loaded provider was stored. */
function prepare(draft) {
  const options = draft.oauth2 || (draft.oauth2 = { enabled: false, providers: [] });
  options.mappedFields = { id: "", name: "", username: "", avatarURL: "", ...(options.mappedFields || {}) };
  options.providers = options.providers || [];
  return options;
}

/** Records the stored positions of a loaded collection's providers; call once, right after cloning it. */
export function rememberStoredProviders(draft) {
  (draft.oauth2?.providers || []).forEach((provider, index) => storedAt.set(provider, index));
}

const isOIDC = (name) => /^oidc\d*$/.test(name);

/** The section: `draft.oauth2` is edited in place; `catalog` is the server's provider list. */
export function oauth2Section(draft, catalog) {
  const options = prepare(draft);
  const list = h("div", { id: "oauth2-providers" });
  const enabled = h("input", { type: "checkbox", id: "oauth2-enabled", checked: !!options.enabled,
    onchange: () => { options.enabled = enabled.checked; } });

  const fieldNames = () => (draft.fields || []).map((f) => f.name).filter((n) => n && n !== "password" && n !== "tokenKey");
  const mapped = MAPPED.map(([key, label]) => {
    const picker = h("select", { id: `oauth2-mapped-${key}`, onchange: () => { options.mappedFields[key] = picker.value; } });
    // Filled again on focus when the editor's fields changed since, so new fields are offered too.
    let shown = null;
    const fill = () => {
      const names = [...new Set([options.mappedFields[key], ...fieldNames()].filter(Boolean))];
      if (shown === names.join("\n")) return;
      shown = names.join("\n");
      mount(picker, h("option", { value: "" }, "— not mapped —"),
        names.map((n) => h("option", { value: n, selected: n === options.mappedFields[key] }, n)));
    };
    picker.addEventListener("focus", fill);
    fill();
    return field(label, picker, { name: `oauth2.mappedFields.${key}` });
  });

  const addPicker = h("select", { id: "oauth2-add-provider", "aria-label": "Provider to add" });
  function drawAddPicker() {
    const used = new Set(options.providers.map((p) => p.name));
    mount(addPicker, catalog.filter((p) => !used.has(p.name)).map((p) =>
      h("option", { value: p.name }, `${p.displayName} (${p.name})`)));
  }
  const add = h("button", { type: "button", id: "oauth2-add", onclick: () => {
    if (!addPicker.value) return;
    const name = addPicker.value;
    options.providers.push({ name, clientId: "", clientSecret: "", authURL: "", tokenURL: "", userInfoURL: "",
      displayName: "", pkce: null, extra: null });
    drawProviders();
    list.querySelector(`[data-provider="${CSS.escape(name)}"] input`)?.focus();
  } }, "+ Add provider");

  function drawProviders() {
    mount(list, options.providers.length ? options.providers.map((provider, index) =>
      providerEditor(provider, index, catalog, () => {
        options.providers.splice(index, 1);
        drawProviders();
      })) : h("p", { class: "hint" }, "No providers yet."));
    drawAddPicker();
  }
  drawProviders();

  return h("section", { "aria-labelledby": "oauth2-title", id: "oauth2-section" },
    h("h2", { id: "oauth2-title" }, "OAuth2"),
    h("span", { class: "check" }, enabled, h("label", { for: "oauth2-enabled" }, "Enable sign-in with OAuth2"),
      h("span", { class: "field-error", role: "alert", dataset: { errorFor: "oauth2.enabled" } })),
    h("h3", {}, "Fields a new user gets from the provider account"),
    h("div", { class: "row" }, mapped),
    h("h3", {}, "Providers"),
    list,
    h("div", { class: "row" }, addPicker, add));
}

function providerEditor(provider, index, catalog, remove) {
  const prefix = `oauth2.providers.${index}`;
  const id = (key) => `oauth2-${index}-${key}`;
  const text = (key, label, { type = "text", hint, placeholder } = {}) => {
    const input = h("input", { type, id: id(key), value: provider[key] || "", placeholder, autocomplete: "off",
      oninput: () => { provider[key] = input.value; } });
    return field(label, input, { name: `${prefix}.${key}`, hint });
  };
  const keepsSecret = storedAt.get(provider) === index;
  const info = catalog.find((p) => p.name === provider.name);
  const oidc = isOIDC(provider.name);

  const pkce = h("select", { id: id("pkce"), onchange: () => {
    provider.pkce = pkce.value === "" ? null : pkce.value === "true";
  } }, [["", "Provider default"], ["true", "On"], ["false", "Off"]].map(([value, label]) =>
    h("option", { value, selected: String(provider.pkce ?? "") === value }, label)));

  const parts = [
    h("div", { class: "row" }, text("clientId", "Client ID"),
      text("clientSecret", "Client secret", { type: "password",
        placeholder: keepsSecret ? "Stored — leave blank to keep it" : "",
        hint: keepsSecret ? "Write-only: the server never shows it." : null })),
  ];
  if (provider.name === "apple") {
    parts.push(h("div", { class: "actions" }, h("button", { type: "button", id: id("generate-secret"),
      onclick: () => appleSecretDialog(provider, (secret) => {
        provider.clientSecret = secret;
        const input = document.getElementById(id("clientSecret"));
        if (input) input.value = secret;
      }) }, "Generate secret from a key…")));
  }
  const endpoints = [
    text("displayName", "Display name", { placeholder: info?.displayName || "" }),
    ...URLS.map(([key, label]) => text(key, label, { type: "url", placeholder: "Provider default" })),
    field("PKCE", pkce, { name: `${prefix}.pkce` }),
  ];
  if (oidc) {
    const extra = provider.extra || {};
    const jwks = h("input", { type: "url", id: id("jwksURL"), value: extra.jwksURL || "", autocomplete: "off",
      oninput: () => { provider.extra = { ...(provider.extra || {}), jwksURL: jwks.value }; } });
    const issuers = h("input", { type: "text", id: id("issuers"), value: (extra.issuers || []).join(", "),
      autocomplete: "off", oninput: () => {
        provider.extra = { ...(provider.extra || {}), issuers: issuers.value.split(/[\s,]+/).filter(Boolean) };
      } });
    parts.push(h("div", { class: "row" }, endpoints),
      h("p", { class: "hint" }, "Without a user info URL the account is read from the id_token, checked against these:"),
      h("div", { class: "row" }, field("JWKS URL", jwks, { name: `${prefix}.extra.jwksURL` }),
        field("Issuers (comma separated)", issuers, { name: `${prefix}.extra.issuers` })));
  } else {
    parts.push(h("details", {}, h("summary", {}, "Endpoints and PKCE (optional overrides)"), h("div", { class: "row" }, endpoints)));
  }
  return h("fieldset", { class: "oauth2-provider", dataset: { provider: provider.name } },
    h("legend", {}, `${info?.displayName || provider.name} (${provider.name})`),
    h("div", { class: "field-error", role: "alert", dataset: { errorFor: `${prefix}.name` } }),
    parts,
    h("div", { class: "actions" }, h("button", { type: "button", class: "danger oauth2-remove", onclick: remove },
      `Remove ${provider.name}`)));
}

/**
 * Sign in with Apple's client secret is a JWT signed with the developer's key, valid at most ~6 months: the dialog
 * asks for the Service ID (the provider's client ID), team ID, key ID and the key's PEM, has the server sign it
 * (POST /api/settings/apple/generate-client-secret; the key is not stored) and hands the secret to `use`.
 */
function appleSecretDialog(provider, use) {
  const input = (name, label, attrs = {}) => field(label, h("input", { id: `apple-${name}`, autocomplete: "off", ...attrs }), { name });
  const clientId = input("clientId", "Service ID (client ID)", { value: provider.clientId || "" });
  const teamId = input("teamId", "Team ID", { maxlength: 10 });
  const keyId = input("keyId", "Key ID", { maxlength: 10 });
  const privateKey = field("Private key (.p8)", h("textarea", { id: "apple-privateKey", rows: 6, spellcheck: false,
    placeholder: "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----" }), { name: "privateKey" });
  const duration = input("duration", "Valid for (seconds, at most 15777000 ≈ 6 months)", { type: "number", min: 1,
    max: 15777000, value: 15777000 });
  const failure = h("p", { class: "field-error", role: "alert" });
  const form = h("form", { id: "apple-secret-form", onsubmit: async (event) => {
    event.preventDefault();
    failure.textContent = "";
    const value = (name) => form.querySelector(`[name="${name}"]`).value;
    try {
      const { secret } = await send("/api/settings/apple/generate-client-secret", { method: "POST", body: {
        clientId: value("clientId"), teamId: value("teamId"), keyId: value("keyId"), privateKey: value("privateKey"),
        duration: Number(value("duration")) } });
      use(secret);
      dialog.close();
    } catch (error) {
      if (!(error instanceof ApiError) || !showFieldErrors(form, error.data)) failure.textContent = error.message;
    }
  } }, clientId, h("div", { class: "row" }, teamId, keyId), privateKey, duration, failure,
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Generate and use")));
  const dialog = openDialog("Apple client secret", form, { wide: true });
  form.querySelector("#apple-teamId").focus();
}

/**
 * Errors to show before sending (PocketBase's error shape, for showFieldErrors), or null: a blank secret on a
 * provider that is not at its stored position would silently take another provider's secret on the server.
 */
export function oauth2ClientErrors(draft) {
  const providers = draft.oauth2?.providers || [];
  const errors = {};
  providers.forEach((provider, index) => {
    if (!provider.clientSecret && storedAt.get(provider) !== index) {
      errors[index] = { clientSecret: { code: "validation_required",
        message: storedAt.has(provider) ? "The provider moved: enter its secret again." : "Cannot be blank." } };
    }
  });
  return Object.keys(errors).length ? { oauth2: { providers: errors } } : null;
}

/** The options as the API takes them: a blank secret left out (the server keeps the stored one). */
export function oauth2Payload(options) {
  return {
    ...options,
    providers: options.providers.map((provider) => {
      const out = { ...provider };
      if (!out.clientSecret) delete out.clientSecret;
      if (isOIDC(out.name) && out.extra && typeof out.extra === "object") {
        const extra = {};
        if (out.extra.jwksURL) extra.jwksURL = out.extra.jwksURL;
        if (out.extra.issuers?.length) extra.issuers = out.extra.issuers;
        out.extra = Object.keys(extra).length ? extra : null;
      }
      return out;
    }),
  };
}
