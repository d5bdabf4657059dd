// Superuser sign-in: password, then a one-time code when the _superusers collection asks for MFA (the server
// answers 401 {mfaId}); a code alone when OTP is enabled. The session is kept in localStorage (lib/api.js).
import { ApiError, authStore, records, send } from "../lib/api.js";
import { field, h, mount, showFieldErrors } from "../lib/dom.js";
import { navigate, registerPage } from "../lib/router.js";

const superusers = records("_superusers");

function finish(answer, query) {
  authStore.save(answer.token, answer.record);
  const target = query.redirect && query.redirect.startsWith("/") ? query.redirect : "/collections";
  navigate(target, { replace: true });
}

function errorText(error) {
  if (!(error instanceof ApiError)) return String(error);
  return error.message;
}

function passwordStep(el, query, methods) {
  const email = h("input", { type: "email", autocomplete: "username", required: true, autofocus: true });
  const password = h("input", { type: "password", autocomplete: "current-password", required: true });
  const message = h("p", { class: "form-error", role: "alert", id: "login-error" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "card login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Superuser sign-in"),
    field("Email", email, { name: "identity" }), field("Password", password, { name: "password" }),
    message, submit,
    methods?.otp?.enabled ? h("button", { type: "button", class: "link", onclick: () => {
      if (!email.value) { message.textContent = "Enter your email first."; return; }
      otpStep(el, query, email.value, "");
    } }, "Email me a one-time code instead") : null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = "";
    try {
      finish(await superusers.authWithPassword(email.value, password.value), query);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401 && error.response.mfaId) {
        otpStep(el, query, email.value, error.response.mfaId);
        return;
      }
      if (error instanceof ApiError) showFieldErrors(form, error.data);
      message.textContent = errorText(error);
    } finally {
      submit.disabled = false;
    }
  });
  mount(el, form);
  email.focus();
}

/** Asks for a code mailed to `email`; with `mfaId` it completes multi-factor sign-in. */
async function otpStep(el, query, email, mfaId) {
  const code = h("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", required: true });
  const message = h("p", { class: "form-error", role: "alert", id: "login-error" });
  const submit = h("button", { type: "submit", class: "primary" }, "Verify");
  const form = h("form", { class: "card login", "aria-labelledby": "otp-title" },
    h("h1", { id: "otp-title" }, mfaId ? "Second factor" : "One-time code"),
    h("p", {}, `We sent a one-time code to ${email}.`), field("Code", code, { name: "password" }), message, submit,
    h("button", { type: "button", class: "link", onclick: () => navigate("/login", { replace: true }) }, "Start again"));
  mount(el, form);
  let otpId = "";
  try {
    otpId = (await superusers.requestOTP(email)).otpId;
  } catch (error) {
    message.textContent = errorText(error);
  }
  code.focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = "";
    try {
      finish(await superusers.authWithOTP(otpId, code.value.trim(), mfaId || undefined), query);
    } catch (error) {
      message.textContent = errorText(error);
    } finally {
      submit.disabled = false;
    }
  });
}

registerPage({
  path: "/login",
  title: "Sign in",
  public: true,
  async render({ el, query }) {
    let methods = null;
    try {
      methods = await send("/api/collections/_superusers/auth-methods");
    } catch { /* the password form works without them */ }
    passwordStep(el, query, methods);
  },
});
