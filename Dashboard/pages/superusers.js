// Superusers are the records of the _superusers auth collection: their page is that collection's table and form.
import { registerPage } from "../lib/router.js";
import { renderRecords } from "./records.js";

registerPage({
  path: "/superusers",
  title: "Superusers",
  nav: { label: "Superusers", order: 40, group: "Admin" },
  render: (ctx) => renderRecords({ ...ctx, params: { name: "_superusers" } }),
});
