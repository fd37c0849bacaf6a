// The warehouse this device works in: chosen once from a list, remembered on the phone (stock, labels, pick
// carts and transfers all start from it). The list is kept too, so the choice works without the network.
import { api } from "./api.js";
import { productName, t } from "./i18n.js";

const KEY = "fahuo.wh";
const LIST = "fahuo.warehouses";
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function currentWarehouse() {
  return localStorage.getItem(KEY) || "";
}

// the time zone (IANA name) the warehouse says its times in, as /api/warehouses last told this phone; undefined
// (the phone's own) only before the phone has ever seen the list
export function warehouseZone(code = currentWarehouse()) {
  const found = JSON.parse(localStorage.getItem(LIST) || "[]");
  return (found.find((w) => w.code === code) || found[0])?.time_zone || undefined;
}

export function rememberWarehouse(code) {
  localStorage.setItem(KEY, code);
}

async function warehouses() {
  try {
    const found = await api("GET", "/api/warehouses");
    localStorage.setItem(LIST, JSON.stringify(found));
    return found;
  } catch (err) {
    if (!err.offline) throw err;
    return JSON.parse(localStorage.getItem(LIST) || "[]");
  }
}

// A <select> of the warehouses put into `box`; `changed(code)` hears a new choice. Resolves with the code in
// use (the remembered one, else the first), so the screen can load its data for it.
export async function warehouseSwitcher(box, changed) {
  const found = await warehouses();
  let code = currentWarehouse();
  if (!found.some((w) => w.code === code)) code = found[0]?.code || code;
  if (code) rememberWarehouse(code);
  box.innerHTML = `<label for="wh">${esc(t("chooseWarehouse"))}</label><select id="wh" class="wh">${found.map((w) =>
    `<option value="${esc(w.code)}"${w.code === code ? " selected" : ""}>${esc(w.code)} · ${esc(productName(w))}</option>`)
    .join("")}</select>`;
  box.querySelector("select").addEventListener("change", (event) => {
    rememberWarehouse(event.target.value);
    changed?.(event.target.value);
  });
  return code;
}
