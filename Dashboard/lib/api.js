// A small client of Swiftbase's public REST API, shaped like PocketBase's JS SDK: an auth store kept in
// localStorage, `send` answering parsed JSON or throwing an ApiError in PocketBase's {status, message, data} shape,
// and helpers per collection. The dashboard calls nothing else.

const STORAGE_KEY = "swiftbase_dashboard_auth";

/** An error answered by the server (or a network failure, status 0), in PocketBase's error shape. */
export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && body.message) || (status ? `Request failed (${status}).` : "The server cannot be reached.");
    super(message);
    this.status = status;
    this.data = (body && body.data) || {};
    this.response = body || {};
  }
}

/** The signed-in superuser: token and record, kept across reloads. */
class AuthStore {
  constructor() {
    this.listeners = new Set();
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      this.token = saved?.token || "";
      this.record = saved?.record || null;
    } catch {
      this.token = "";
      this.record = null;
    }
  }
  /** Whether a token is held and its `exp` claim lies in the future. */
  get isValid() {
    if (!this.token) return false;
    try {
      const payload = JSON.parse(atob(this.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return !payload.exp || payload.exp * 1000 > Date.now();
    } catch {
      return false;
    }
  }
  /** Seconds until the token expires (Infinity when it carries no exp). */
  get secondsLeft() {
    try {
      const payload = JSON.parse(atob(this.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
      return payload.exp ? payload.exp - Date.now() / 1000 : Infinity;
    } catch {
      return 0;
    }
  }
  save(token, record) {
    this.token = token;
    this.record = record;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ token, record }));
    this.listeners.forEach((f) => f());
  }
  clear() {
    this.token = "";
    this.record = null;
    localStorage.removeItem(STORAGE_KEY);
    this.listeners.forEach((f) => f());
  }
  onChange(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export const authStore = new AuthStore();

/** Builds `path?query` from an object, leaving out empty values. */
export function withQuery(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * Sends a request to the API. `body` may be a plain object (sent as JSON) or FormData (multipart, for files).
 * Answers the parsed JSON (null for 204) or throws ApiError. A 401 with a held token signs out.
 */
export async function send(path, { method = "GET", body, query, signal, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, signal };
  if (authStore.token) init.headers.Authorization = authStore.token;
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(withQuery(path, query), init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null);
  }
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = { message: text };
    }
  }
  if (!response.ok) {
    if (response.status === 401 && authStore.token && !path.includes("/auth-with-")) authStore.clear();
    throw new ApiError(response.status, json);
  }
  return json;
}

/** Records of one collection, as the SDK's `pb.collection(name)` offers them. */
export function records(collection) {
  const base = `/api/collections/${encodeURIComponent(collection)}`;
  return {
    getList: (page = 1, perPage = 30, options = {}) =>
      send(`${base}/records`, { query: { page, perPage, ...options } }),
    getOne: (id, options = {}) => send(`${base}/records/${encodeURIComponent(id)}`, { query: options }),
    create: (body, options = {}) => send(`${base}/records`, { method: "POST", body, query: options }),
    update: (id, body, options = {}) =>
      send(`${base}/records/${encodeURIComponent(id)}`, { method: "PATCH", body, query: options }),
    delete: (id) => send(`${base}/records/${encodeURIComponent(id)}`, { method: "DELETE" }),
    authWithPassword: (identity, password, options = {}) =>
      send(`${base}/auth-with-password`, { method: "POST", body: { identity, password }, query: options }),
    requestOTP: (email) => send(`${base}/request-otp`, { method: "POST", body: { email } }),
    authWithOTP: (otpId, password, mfaId) =>
      send(`${base}/auth-with-otp`, { method: "POST", body: { otpId, password, mfaId } }),
    authRefresh: () => send(`${base}/auth-refresh`, { method: "POST" }),
    impersonate: (id, duration = 0) =>
      send(`${base}/impersonate/${encodeURIComponent(id)}`, { method: "POST", body: { duration } }),
  };
}

/** Collections API (`/api/collections`). */
export const collections = {
  list: () => send("/api/collections", { query: { perPage: 500, sort: "+name", skipTotal: 1 } }),
  getOne: (idOrName) => send(`/api/collections/${encodeURIComponent(idOrName)}`),
  create: (body) => send("/api/collections", { method: "POST", body }),
  update: (id, body) => send(`/api/collections/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  delete: (id) => send(`/api/collections/${encodeURIComponent(id)}`, { method: "DELETE" }),
  truncate: (id) => send(`/api/collections/${encodeURIComponent(id)}/truncate`, { method: "DELETE" }),
};

/** A short-lived file token, for protected files and backup downloads (browsers cannot send headers there). */
export async function fileToken() {
  const answer = await send("/api/files/token", { method: "POST" });
  return answer.token;
}

/** URL of a record's file, with `thumb` (e.g. "100x100") and `token` when given. */
export function fileURL(record, filename, { thumb, token } = {}) {
  const path = `/api/files/${encodeURIComponent(record.collectionId || record.collectionName)}/` +
    `${encodeURIComponent(record.id)}/${encodeURIComponent(filename)}`;
  return withQuery(path, { thumb, token });
}

/** Trades a still-valid token for a fresh one (at start and hourly), so a session outlives one token. */
export async function refreshIfNeeded() {
  if (!authStore.isValid) return;
  const answer = await records("_superusers").authRefresh();
  authStore.save(answer.token, answer.record);
}
