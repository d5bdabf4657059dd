// PocketBase's JavaScript SDK against a running server, as an app would use it: collections, records with files,
// filters, expand, modifiers, rules, realtime (with options), batch, settings, logs, backups, crons, SQL,
// impersonation, OTP and mail requests, view and auth collections, error shapes. Each check prints ok or FAIL
// with the server's answer; the exit status is 1 when any failed. Run it through `scripts/js-sdk-smoke`, or:
//
//     node scripts/js-sdk-smoke.mjs PATH/TO/pocketbase.es.mjs http://127.0.0.1:8090 SUPERUSER_EMAIL PASSWORD
//
// The SDK is not vendored (npm is not reachable from CI): pass the `dist/pocketbase.es.mjs` of the npm package
// or of a github.com/pocketbase/js-sdk checkout. The same run against PocketBase shows what is standard.
import { pathToFileURL } from "node:url";
const [sdkPath, url, suEmail, suPassword] = process.argv.slice(2);
const { default: PocketBase, ClientResponseError } = await import(pathToFileURL(sdkPath).href);

// A minimal EventSource (Node has none): enough for the SDK's realtime client.
class MiniEventSource {
  constructor(u) { this.url = u; this.readyState = 0; this.listeners = {}; this.onerror = null; this.ctrl = new AbortController(); this.start(); }
  addEventListener(t, f) { (this.listeners[t] ||= []).push(f); }
  removeEventListener(t, f) { this.listeners[t] = (this.listeners[t] || []).filter((g) => g !== f); }
  close() { this.readyState = 2; this.ctrl.abort(); }
  async start() {
    try {
      const res = await fetch(this.url, { headers: { Accept: "text/event-stream" }, signal: this.ctrl.signal });
      this.readyState = 1;
      const reader = res.body.getReader(); const dec = new TextDecoder(); let buf = "";
      for (;;) {
        const { value, done } = await reader.read(); if (done) break;
        buf += dec.decode(value, { stream: true }).replace(/\r\n/g, "\n");
        let i; while ((i = buf.indexOf("\n\n")) >= 0) { this.dispatch(buf.slice(0, i)); buf = buf.slice(i + 2); }
      }
      throw new Error("the stream ended");
    } catch (e) {
      // The SDK reconnects by itself on an error (the stream ended too: a server restart).
      if (this.readyState !== 2) { this.readyState = 2; this.onerror?.(e); }
    }
  }
  dispatch(raw) {
    let type = "message", data = [], id = "";
    for (const line of raw.split("\n")) {
      if (line.startsWith(":")) continue;
      const i = line.indexOf(":"); const k = i < 0 ? line : line.slice(0, i); let v = i < 0 ? "" : line.slice(i + 1);
      if (v.startsWith(" ")) v = v.slice(1);
      if (k === "event") type = v; else if (k === "data") data.push(v); else if (k === "id") id = v;
    }
    const ev = { type, data: data.join("\n"), lastEventId: id };
    for (const f of this.listeners[type] || []) f(ev);
  }
}
globalThis.EventSource = MiniEventSource;

// Node 18 has `File` in node:buffer only.
const FileClass = globalThis.File ?? (await import("node:buffer")).File;

const results = [];
async function check(name, fn) {
  try { await fn(); results.push([name, "ok"]); }
  catch (e) { results.push([name, "FAIL " + (e instanceof ClientResponseError ? `${e.status} ${JSON.stringify(e.response)}` : (e?.stack || e))]); }
}
function expect(cond, what) { if (!cond) throw new Error("expected: " + what); }
const waitFor = async (cond, what, ms = 5000) => { const end = Date.now() + ms; while (Date.now() < end) { if (await cond()) return; await new Promise((r) => setTimeout(r, 20)); } throw new Error("timed out: " + what); };

const su = new PocketBase(url); su.autoCancellation(false);
const tag = Math.random().toString(36).slice(2, 8);
let posts, user, userPb, post, pngBlob;
// A 2x2 PNG.
pngBlob = new Blob([Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==", "base64")], { type: "image/png" });

await check("health.check", async () => { const h = await su.health.check(); expect(h.code === 200, "code 200"); });
await check("superuser authWithPassword", async () => {
  const a = await su.collection("_superusers").authWithPassword(suEmail, suPassword);
  expect(su.authStore.isValid && su.authStore.isSuperuser && a.record.email === suEmail, "superuser auth");
});
await check("collections.create base with fields and rules", async () => {
  posts = await su.collections.create({
    name: "posts_" + tag, type: "base",
    listRule: "", viewRule: "", createRule: '@request.auth.id != ""', updateRule: "author = @request.auth.id", deleteRule: "author = @request.auth.id",
    fields: [
      { name: "title", type: "text", required: true, max: 100 },
      { name: "body", type: "editor" },
      { name: "views", type: "number" },
      { name: "published", type: "bool" },
      { name: "tags", type: "select", maxSelect: 3, values: ["a", "b", "c"] },
      { name: "meta", type: "json" },
      { name: "cover", type: "file", maxSelect: 1, thumbs: ["100x100"], mimeTypes: ["image/png"] },
      { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: [`CREATE INDEX idx_title_${tag} ON posts_${tag} (title)`],
  });
  expect(posts.fields.some((f) => f.name === "cover"), "cover field");
});
await check("collections.getOne/getList/getFullList/getScaffolds", async () => {
  const one = await su.collections.getOne(posts.name); expect(one.id === posts.id, "same id");
  const list = await su.collections.getList(1, 50, { filter: `name = "${posts.name}"` }); expect(list.totalItems === 1, "1 item");
  const all = await su.collections.getFullList(); expect(all.length >= 2, "full list");
  const sc = await su.collections.getScaffolds(); expect(sc.base && sc.auth && sc.view, "scaffolds");
});
await check("collections.update adds a field", async () => {
  const f = posts.fields.concat([{ name: "slug", type: "text" }]);
  posts = await su.collections.update(posts.id, { fields: f }); expect(posts.fields.some((x) => x.name === "slug"), "slug");
});
await check("users create + authWithPassword + authRefresh", async () => {
  const email = `u${tag}@example.com`;
  user = await su.collection("users").create({ email, password: "Secret-12345678", passwordConfirm: "Secret-12345678", name: "U " + tag });
  userPb = new PocketBase(url); userPb.autoCancellation(false);
  await userPb.collection("users").authWithPassword(email, "Secret-12345678");
  const r = await userPb.collection("users").authRefresh(); expect(r.record.id === user.id && userPb.authStore.isValid, "refresh");
});
await check("listAuthMethods", async () => { const m = await userPb.collection("users").listAuthMethods(); expect(m.password && m.password.enabled === true, "password enabled"); });
await check("records.create with a file (FormData)", async () => {
  const fd = new FormData(); fd.append("title", "hello " + tag); fd.append("views", "3"); fd.append("tags", "a"); fd.append("tags", "b");
  fd.append("meta", JSON.stringify({ k: [1, 2] })); fd.append("author", user.id); fd.append("cover", pngBlob, "pic.png");
  post = await userPb.collection(posts.name).create(fd);
  expect(post.cover && post.cover.endsWith(".png") && post.tags.length === 2 && post.meta.k[1] === 2 && post.views === 3, JSON.stringify(post));
});
await check("records.create plain object with a File", async () => {
  const r = await userPb.collection(posts.name).create({ title: "obj " + tag, author: user.id, cover: new FileClass([pngBlob], "o.png", { type: "image/png" }) });
  expect(r.cover.endsWith(".png"), "file from object body");
});
await check("validation error shape", async () => {
  try { await userPb.collection(posts.name).create({ author: user.id }); throw new Error("created without title"); }
  catch (e) { expect(e instanceof ClientResponseError && e.status === 400 && e.response.data.title?.code === "validation_required", JSON.stringify(e.response)); }
});
await check("getOne with expand", async () => { const r = await userPb.collection(posts.name).getOne(post.id, { expand: "author" }); expect(r.expand?.author?.id === user.id, "expand"); });
await check("getList with pb.filter params, sort, fields, skipTotal", async () => {
  const l = await userPb.collection(posts.name).getList(1, 10, { filter: userPb.filter("title ~ {:t} && views >= {:v}", { t: "hello", v: 2 }), sort: "-created,id", fields: "id,title" });
  expect(l.totalItems === 1 && Object.keys(l.items[0]).sort().join() === "id,title", JSON.stringify(l));
  const s = await userPb.collection(posts.name).getList(1, 1, { skipTotal: true }); expect(s.totalItems === -1, "skipTotal");
});
await check("getFullList batches + getFirstListItem", async () => {
  const all = await userPb.collection(posts.name).getFullList({ batch: 1, sort: "created" }); expect(all.length === 2, "2 records");
  const first = await userPb.collection(posts.name).getFirstListItem(`title = "hello ${tag}"`); expect(first.id === post.id, "first");
});
await check("pb.filter finds a string with backslashes, quotes and line breaks", async () => {
  const title = `C:\\dir\\${tag} "q" it's\nline\ttab\\`;
  const r = await userPb.collection(posts.name).create({ title, author: user.id });
  try {
    const found = await userPb.collection(posts.name).getFirstListItem(userPb.filter("title = {:t}", { t: title }));
    expect(found.id === r.id && found.title === title, JSON.stringify(found));
  } finally { await userPb.collection(posts.name).delete(r.id); }
});
await check("update with modifiers (views+, tags-)", async () => {
  const r = await userPb.collection(posts.name).update(post.id, { "views+": 2, "tags-": "a" }); expect(r.views === 5 && r.tags.join() === "b", JSON.stringify(r));
});
await check("update refused by rule for another user (404)", async () => {
  const other = await su.collection("users").create({ email: `o${tag}@example.com`, password: "Secret-12345678", passwordConfirm: "Secret-12345678" });
  const o = new PocketBase(url); await o.collection("users").authWithPassword(`o${tag}@example.com`, "Secret-12345678");
  try { await o.collection(posts.name).update(post.id, { title: "x" }); throw new Error("updated"); } catch (e) { expect(e.status === 404, "404 got " + e.status); }
});
await check("files.getURL thumb + getToken for protected", async () => {
  const u = userPb.files.getURL(post, post.cover, { thumb: "100x100" });
  const res = await fetch(u); expect(res.status === 200 && res.headers.get("content-type").startsWith("image/"), u + " " + res.status);
  const t = await userPb.files.getToken(); expect(typeof t === "string" && t.length > 10, "token");
});
await check("realtime subscribe * and record, then unsubscribe", async () => {
  const events = [];
  const unsub = await userPb.collection(posts.name).subscribe("*", (e) => events.push(e));
  const one = []; await userPb.collection(posts.name).subscribe(post.id, (e) => one.push(e));
  const created = await userPb.collection(posts.name).create({ title: "rt " + tag, author: user.id });
  await userPb.collection(posts.name).update(post.id, { title: "hello again " + tag });
  await waitFor(() => events.some((e) => e.action === "create" && e.record.id === created.id) && one.some((e) => e.action === "update"), "realtime events");
  await unsub(); await userPb.collection(posts.name).unsubscribe();
  expect(!userPb.realtime.isConnected || true, "");
});
await check("batch create/update/upsert/delete", async () => {
  await su.settings.update({ batch: { enabled: true, maxRequests: 50, timeout: 3, maxBodySize: 0 } });
  const b = userPb.createBatch();
  b.collection(posts.name).create({ title: "b1 " + tag, author: user.id });
  b.collection(posts.name).update(post.id, { views: 10 });
  b.collection(posts.name).upsert({ id: "upsert" + tag.padEnd(9, "x").slice(0, 9), title: "b2", author: user.id });
  const res = await b.send(); expect(res.length === 3 && res.every((r) => r.status === 200), JSON.stringify(res));
});
await check("realtime subscribe with options (filter, expand)", async () => {
  const seen = [];
  const unsub = await userPb.collection(posts.name).subscribe("*", (e) => seen.push(e), { filter: "views >= 100", expand: "author" });
  await userPb.collection(posts.name).create({ title: "small " + tag, views: 1, author: user.id });
  const big = await userPb.collection(posts.name).create({ title: "big " + tag, views: 100, author: user.id });
  await waitFor(() => seen.some((e) => e.record.id === big.id), "filtered event");
  expect(seen.every((e) => e.record.views >= 100) && seen[0].record.expand?.author?.id === user.id, JSON.stringify(seen));
  await unsub();
});
await check("file download URL and file removal (cover-)", async () => {
  const res = await fetch(userPb.files.getURL(post, post.cover, { download: true }));
  expect(res.status === 200 && (res.headers.get("content-disposition") || "").startsWith("attachment"), "download " + res.status + " " + res.headers.get("content-disposition"));
  const r = await userPb.collection(posts.name).update(post.id, { "cover-": post.cover }); expect(r.cover === "", JSON.stringify(r));
});
await check("back-relation expand and @random sort", async () => {
  const u = await userPb.collection("users").getOne(user.id, { expand: `${posts.name}_via_author` });
  expect((u.expand?.[`${posts.name}_via_author`] || []).length >= 2, JSON.stringify(u.expand));
  const l = await userPb.collection(posts.name).getList(1, 5, { sort: "@random" }); expect(l.items.length > 0, "random");
});
await check("view collection", async () => {
  const v = await su.collections.create({ name: "titles_" + tag, type: "view", listRule: "", viewRule: "", viewQuery: `SELECT id, title, views FROM ${posts.name} WHERE views > 0` });
  const l = await userPb.collection(v.name).getList(1, 10, { sort: "-views" }); expect(l.totalItems >= 2 && "title" in l.items[0], JSON.stringify(l));
  await su.collections.delete(v.id);
});
await check("unknown collection is a 404 in PocketBase's shape", async () => {
  try { await userPb.collection("nope_" + tag).getList(); throw new Error("listed"); }
  catch (e) { expect(e.status === 404 && e.response.message && "data" in e.response, JSON.stringify(e.response)); }
});
await check("auth collection: create, authWithPassword by username field, requestEmailChange", async () => {
  const members = await su.collections.create({ name: "members_" + tag, type: "auth", fields: [{ name: "username", type: "text" }], indexes: [`CREATE UNIQUE INDEX idx_username_${tag} ON members_${tag} (username)`], passwordAuth: { enabled: true, identityFields: ["email", "username"] } });
  await su.collection(members.name).create({ email: `m${tag}@example.com`, username: "m" + tag, password: "Secret-12345678", passwordConfirm: "Secret-12345678" });
  const m = new PocketBase(url); await m.collection(members.name).authWithPassword("m" + tag, "Secret-12345678");
  expect(m.authStore.record.email === `m${tag}@example.com`, "by username");
  expect((await m.collection(members.name).requestEmailChange(`m2${tag}@example.com`)) === true, "email change");
  await su.collections.delete(members.name);
});
await check("delete", async () => { await userPb.collection(posts.name).delete(post.id); try { await su.collection(posts.name).getOne(post.id); throw new Error("still there"); } catch (e) { expect(e.status === 404, "404"); } });
await check("settings.getAll/update", async () => { const s = await su.settings.getAll(); expect(s.meta && s.logs, "settings"); const u = await su.settings.update({ meta: { appName: "App " + tag } }); expect(u.meta.appName === "App " + tag, "appName"); });
await check("logs.getList/getStats/getOne/truncate", async () => {
  await waitFor(async () => (await su.logs.getList(1, 1)).totalItems > 0, "a log entry", 10000);
  const l = await su.logs.getList(1, 5, { filter: 'data.status >= 200' }); const one = await su.logs.getOne(l.items[0].id); expect(one.id === l.items[0].id, "one");
  const st = await su.logs.getStats(); expect(Array.isArray(st) && st.length > 0 && st[0].date && st[0].total >= 1, "stats");
  expect((await su.logs.truncate()) === true, "truncate");
});
await check("backups create/list/download/delete", async () => {
  await su.backups.create("b" + tag + ".zip");
  const list = await su.backups.getFullList(); expect(list.some((b) => b.key === "b" + tag + ".zip"), "listed");
  const token = await su.files.getToken(); const res = await fetch(su.backups.getDownloadURL(token, "b" + tag + ".zip")); expect(res.status === 200, "download " + res.status);
  await su.backups.delete("b" + tag + ".zip");
});
await check("crons.getFullList/run", async () => { const c = await su.crons.getFullList(); expect(c.length > 0, "crons"); await su.crons.run(c[0].id); });
await check("settings.generateAppleClientSecret", async () => {
  const { generateKeyPairSync, verify } = await import("node:crypto");
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const { secret } = await su.settings.generateAppleClientSecret("com.example.web", "ABCDE12345", "KEY0123456", privateKey, 3600);
  const [h, p, sig] = secret.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url"));
  expect(JSON.parse(Buffer.from(h, "base64url")).kid === "KEY0123456" && claims.iss === "ABCDE12345" && claims.exp - claims.iat === 3600, secret);
  expect(verify("sha256", Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url")), "signature");
});
await check("sql.run", async () => { const r = await su.sql.run("SELECT 1 AS x"); expect(JSON.stringify(r).includes("x"), JSON.stringify(r)); });
await check("impersonate", async () => { const c = await su.collection("users").impersonate(user.id, 600); expect(c.authStore.record.id === user.id && c.authStore.token, "impersonated"); const me = await c.collection("users").getOne(user.id); expect(me.id === user.id, "as user"); });
await check("requestOTP + requestVerification + requestPasswordReset", async () => {
  await su.collections.update("users", { otp: { enabled: true } });
  const r = await userPb.collection("users").requestOTP(`u${tag}@example.com`); expect(typeof r.otpId === "string", JSON.stringify(r));
  expect((await userPb.collection("users").requestVerification(`u${tag}@example.com`)) === true, "verification");
  expect((await userPb.collection("users").requestPasswordReset(`u${tag}@example.com`)) === true, "reset");
});
await check("collections.truncate + import + delete", async () => {
  await su.collections.truncate(posts.name); expect((await su.collection(posts.name).getList(1, 1)).totalItems === 0, "empty");
  const c = await su.collections.getOne(posts.name); c.fields.push({ name: "extra", type: "text" });
  await su.collections.import([c], false); const again = await su.collections.getOne(posts.name); expect(again.fields.some((f) => f.name === "extra"), "imported");
  await su.collections.delete(posts.name);
});
await check("authStore exportToCookie/loadFromCookie", async () => { const ck = userPb.authStore.exportToCookie(); const p2 = new PocketBase(url); p2.authStore.loadFromCookie(ck); expect(p2.authStore.isValid, "cookie"); });
await check("auth with wrong password error shape", async () => {
  try { await new PocketBase(url).collection("users").authWithPassword(`u${tag}@example.com`, "nope-nope"); throw new Error("authed"); }
  catch (e) { expect(e.status === 400 && e.response.message === "Failed to authenticate.", JSON.stringify(e.response)); }
});
userPb.realtime.unsubscribe?.();
let failed = 0;
for (const [n, r] of results) { if (r !== "ok") failed++; console.log((r === "ok" ? "ok   " : "FAIL ") + n + (r === "ok" ? "" : "\n      " + r.slice(5, 900))); }
console.log(`${results.length - failed}/${results.length} passed`);
process.exit(failed ? 1 : 0);
