// Backups: list, create, download (a superuser file token in the URL: browsers cannot send headers there),
// upload with progress, restore (the server starts again on it) and delete — PocketBase's /api/backups.
import { authStore, fileToken, send } from "../lib/api.js";
import { confirmAction, formatBytes, h, mount, toast } from "../lib/dom.js";
import { SETTINGS_SECTIONS } from "./settings.js";

/** Uploads with XMLHttpRequest, the one browser API that reports upload progress. */
function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/backups/upload");
    xhr.setRequestHeader("Authorization", authStore.token);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      if (xhr.status < 300) { resolve(); return; }
      let message = `Upload failed (${xhr.status}).`;
      try { message = JSON.parse(xhr.responseText).message || message; } catch { /* keep the status text */ }
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error("The upload failed."));
    const data = new FormData();
    data.append("file", file);
    xhr.send(data);
  });
}

async function backups({ el }) {
  const tbody = h("tbody", {});
  const message = h("p", { role: "status", id: "backups-status" });
  const name = h("input", { type: "text", id: "backup-name", placeholder: "optional, e.g. before-upgrade.zip",
    "aria-label": "Backup name" });
  const create = h("form", { class: "row", id: "create-backup" }, name, h("button", { type: "submit", class: "primary" }, "Create backup"));
  const file = h("input", { type: "file", accept: ".zip,application/zip", id: "backup-file", "aria-label": "Backup file to upload" });
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });

  async function load() {
    const items = await send("/api/backups");
    items.sort((a, b) => String(b.modified).localeCompare(String(a.modified)));
    mount(tbody, items.length ? items.map((b) => h("tr", { dataset: { key: b.key } },
      h("td", {}, b.key), h("td", {}, formatBytes(b.size)), h("td", {}, b.modified),
      h("td", { class: "actions" },
        h("button", { type: "button", onclick: () => download(b.key) }, "Download"),
        h("button", { type: "button", onclick: () => restore(b.key) }, "Restore"),
        h("button", { type: "button", class: "danger", onclick: () => remove(b.key) }, "Delete"))))
      : h("tr", {}, h("td", { colspan: 4, class: "empty" }, "No backups yet.")));
  }

  async function download(key) {
    const token = await fileToken();
    const link = h("a", { href: `/api/backups/${encodeURIComponent(key)}?token=${encodeURIComponent(token)}`, download: key });
    document.body.append(link);
    link.click();
    link.remove();
  }

  async function restore(key) {
    if (!(await confirmAction(`Restore ${key}? The server replaces its data with the backup and starts again.`, "Restore"))) return;
    try {
      await send(`/api/backups/${encodeURIComponent(key)}/restore`, { method: "POST" });
      message.textContent = "Restoring: the server starts again in a moment. Reload then.";
    } catch (error) {
      toast(error.message, "error");
    }
  }

  async function remove(key) {
    if (!(await confirmAction(`Delete the backup ${key}?`, "Delete"))) return;
    try {
      await send(`/api/backups/${encodeURIComponent(key)}`, { method: "DELETE" });
      toast(`Deleted ${key}.`, "ok");
      await load();
    } catch (error) {
      toast(error.message, "error");
    }
  }

  create.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "Creating a backup…";
    try {
      await send("/api/backups", { method: "POST", body: name.value.trim() ? { name: name.value.trim() } : {} });
      message.textContent = "Backup created.";
      name.value = "";
      await load();
    } catch (error) {
      message.textContent = error.message;
    }
  });

  file.addEventListener("change", async () => {
    if (!file.files[0]) return;
    progress.hidden = false;
    progress.value = 0;
    message.textContent = `Uploading ${file.files[0].name}…`;
    try {
      await upload(file.files[0], (p) => { progress.value = p; });
      message.textContent = "Uploaded.";
      await load();
    } catch (error) {
      message.textContent = error.message;
    } finally {
      progress.hidden = true;
      file.value = "";
    }
  });

  mount(el, h("h2", {}, "Backups"), create,
    h("div", { class: "row" }, h("label", { for: "backup-file" }, "Upload a backup"), file, progress), message,
    h("table", { class: "compact", id: "backups-table" },
      h("thead", {}, h("tr", {}, ["Name", "Size", "Modified", ""].map((t) => h("th", { scope: "col" }, t)))), tbody));
  await load();
}

SETTINGS_SECTIONS.push(["backups", "Backups", backups]);
