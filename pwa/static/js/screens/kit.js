// What the screens of this folder share with the app shell: its view, templating and action buttons
// (app.js provides them once at start), and the small helpers every screen of ours uses.
import { language } from "../i18n.js";
import { currentWarehouse, warehouseSwitcher, warehouseZone } from "../warehouse.js";

export let ui = null;
export function provide(tools) { ui = tools; }

// The warehouse this phone works in, chosen with the switcher every mode shows (js/warehouse.js, kept on the
// phone as fahuo.wh): a <select> made off-screen, so a screen knows the code before it asks for its data, and
// put in place once the screen is drawn (its node with id "whbox"). A new choice draws the screen again.
export async function warehousePicker(redraw) {
  const box = document.createElement("div");
  box.id = "whbox";
  const code = await warehouseSwitcher(box, redraw);
  return { code: code || currentWarehouse(), place: (view) => view.querySelector("#whbox")?.replaceWith(box) };
}

// a product's name in the reader's language (the English one when there is no Chinese), as the other modes say it
export { productName } from "../i18n.js";

// items of a list inside a sentence, as the catalogue separates them (SEPARATOR in core/base/i18n.py)
export const listed = (items) => items.join(language() === "zh" ? "、" : ", ");

const LOCALE = () => (language() === "zh" ? "zh-CN" : "en-GB");

// a moment from the API (ISO, UTC) as date and time where the warehouse is: `zone` when the data names its
// warehouse's (a route plan's), else the zone of the warehouse this phone works in
export function when(iso, zone = warehouseZone()) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(LOCALE(), { month: "numeric", day: "numeric", hour: "2-digit",
    minute: "2-digit", timeZone: zone });
}

// a day from the API (ISO, "2026-11-29") in words, as the papers say it: 11月29日（周日）, Sun 29 Nov
export function dayWords(iso) {
  if (!iso) return "";
  const at = new Date(`${iso.slice(0, 10)}T12:00:00Z`), utc = { timeZone: "UTC" };
  if (language() !== "zh") return at.toLocaleDateString("en-GB", { ...utc, weekday: "short", day: "numeric", month: "short" });
  return `${at.toLocaleDateString("zh-CN", { ...utc, month: "long", day: "numeric" })}（${
    at.toLocaleDateString("zh-CN", { ...utc, weekday: "short" })}）`;
}

// today's date (ISO) where the warehouse is
export const todayIn = (zone = warehouseZone()) => new Intl.DateTimeFormat("en-CA", { timeZone: zone }).format(new Date());

// what a scanned product label or barcode names: the SKU of one of `lines` ({sku, barcode}), or null
export function skuOf(code, lines) {
  const sku = code.startsWith("FH:SKU:") ? code.slice(7) : code;
  return lines.find((l) => l.sku === sku || (l.barcode && l.barcode === code))?.sku ?? null;
}
export const locationOf = (code) => (code.startsWith("FH:LOC:") ? code.slice(7) : null);
