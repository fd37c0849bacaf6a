// The JSON API with the session token; errors become ApiError with the server's words.
import { language } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || "error";
    this.offline = status === 0;
  }
}

export const session = {
  get token() { return localStorage.getItem("fahuo.token"); },
  get staff() { return JSON.parse(localStorage.getItem("fahuo.staff") || "null"); },
  save(grant) {
    localStorage.setItem("fahuo.token", grant.token);
    localStorage.setItem("fahuo.staff", JSON.stringify(grant.staff));
  },
  clear() { localStorage.removeItem("fahuo.token"); localStorage.removeItem("fahuo.staff"); },
};

// `key`: the action's idempotency key; the server does the action once however often it is sent with it.
export async function api(method, path, body, { key } = {}) {
  const headers = { "Accept-Language": language() };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  if (key) headers["Idempotency-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, { error: "offline", message: String(err) });
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    if (resp.status === 401 && path !== "/api/auth/login") { session.clear(); location.hash = "#/login"; }
    throw new ApiError(resp.status, data);
  }
  return data;
}

// A link that carries the token, for papers and labels opened in a new tab.
export async function openPaper(path) {
  const resp = await fetch(path, { headers: { Authorization: `Bearer ${session.token}`, "Accept-Language": language() } });
  if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => ({})));
  const url = URL.createObjectURL(await resp.blob());
  window.open(url, "_blank");
}
