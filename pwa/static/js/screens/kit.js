// What the screens of this folder share with the app shell: its view, templating and action buttons
// (app.js provides them once at start), and the small helpers every screen of ours uses.
import { language } from "../i18n.js";

export let ui = null;
export function provide(tools) { ui = tools; }

// the warehouse this phone works in, as the other modes keep it
export const homeWarehouse = () => localStorage.getItem("fahuo.wh") || "SH";
export function setHomeWarehouse(code) { if (code) localStorage.setItem("fahuo.wh", code.trim().toUpperCase()); }

// a product's name in the reader's language (the English one when there is no Chinese)
export const productName = (p) => (language() === "zh" && p.name_zh ? p.name_zh : p.name) || "";

// items of a list inside a sentence, as the catalogue separates them (SEPARATOR in core/base/i18n.py)
export const listed = (items) => items.join(language() === "zh" ? "、" : ", ");

// a moment from the API (ISO, UTC) as the phone's local date and time
export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(language() === "zh" ? "zh-CN" : "en-GB",
    { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

// what a scanned product label or barcode names: the SKU of one of `lines` ({sku, barcode}), or null
export function skuOf(code, lines) {
  const sku = code.startsWith("FH:SKU:") ? code.slice(7) : code;
  return lines.find((l) => l.sku === sku || (l.barcode && l.barcode === code))?.sku ?? null;
}
export const locationOf = (code) => (code.startsWith("FH:LOC:") ? code.slice(7) : null);
