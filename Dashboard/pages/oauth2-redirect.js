// Where /api/oauth2-redirect sends the provider's popup window back to ("../_/#/auth/oauth2-redirect-success" or
// "-failure", PocketBase's URLs; the router turns the hash into a path). The code has already gone to the app over
// realtime, so the page only says so and tries to close the popup (browsers let a script close only a window a
// script opened). Shown to anyone, signed in or not, without the dashboard's navigation.
import { h, mount } from "../lib/dom.js";
import { registerPage } from "../lib/router.js";

function redirectPage(path, title, heading, advice) {
  registerPage({
    path,
    title,
    bare: true,
    render({ el }) {
      mount(el, h("section", { class: "card redirect-page", id: "oauth2-redirect", "aria-labelledby": "oauth2-redirect-title" },
        h("h1", { id: "oauth2-redirect-title" }, heading), h("p", {}, advice)));
      window.close();
    },
  });
}

redirectPage("/auth/oauth2-redirect-success", "OAuth2 sign-in completed", "Sign-in completed.",
  "You can close this window and go back to the app.");
redirectPage("/auth/oauth2-redirect-failure", "OAuth2 sign-in failed", "Sign-in failed.",
  "You can close this window and go back to the app to try again.");
