// The home screen: a search box, what waits (with counts, each opening the list of those things), then one tile
// per task, grouped by what a manager does. A task reached two ways is one tile (held orders wait at the top;
// transfers are one list with "new transfer" in it).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { ui } from "./kit.js";

// what waits, in the order it is shown, and where each count leads (GET /api/waiting says which the role sees)
const WAITS = [["held", "#/held"], ["no_carrier", "#/waiting/no_carrier"], ["short_picks", "#/waiting/short_picks"],
  ["counts_due", "#/waiting/counts_due"], ["print_failed", "#/waiting/print_failed"], ["write_backs", "#/connections"]];
const GROUPS = [
  ["groupOrders", ["orders", "phone", "aftersales", "lookup"]],
  ["groupStock", ["stock", "purchase", "receive", "transfers"]],
  ["groupFloor", ["pick", "pack", "load", "routes", "labels"]],
  ["groupOverview", ["dashboard", "connections"]],
];
const LABEL = { orders: "orderList", transfers: "transfersTile" };
// a task whose screen has work waiting in it carries the count on its own tile
const COUNTED = { purchase: "purchase", transfers: "transfers", aftersales: "aftersales" };

export const searchForm = (q = "") => ui.html`<form class="search row" id="search" role="search">
  <input id="q" type="search" enterkeyhint="search" value="${q}" placeholder="${t("searchHint")}"
    aria-label="${t("search")}"><button type="submit" class="small">${t("search")}</button></form>`;

export function wireSearch(view) {
  view.querySelector("#search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = view.querySelector("#q").value.trim();
    if (q) location.hash = `#/find?q=${encodeURIComponent(q)}`;
  });
}

// the tasks of a role, each once: "transfer" (make one) lives inside the transfers list when the role has it
function tasksOf(modes, counts) {
  const own = new Set(modes);
  if (own.has("transfers")) own.delete("transfer");
  if ("held" in counts) own.delete("held");  // its count at the top opens it
  return own;
}

function tile(mode, count) {
  const { html } = ui;
  const n = count ? html`<span class="n">${count}</span>` : "";
  return html`<a href="#/${mode}" data-mode="${mode}">${t(LABEL[mode] || mode)}${
    ui.raw(n)}</a>`;
}

export async function drawHome(view, modes) {
  const { html, raw } = ui;
  const counts = await api("GET", "/api/waiting").then((w) => w.counts).catch(() => ({}));
  const waits = WAITS.filter(([kind]) => kind in counts);
  const tasks = tasksOf(modes, counts);
  const grouped = GROUPS.map(([name, members]) => [name, members.filter((m) => tasks.has(m))]);
  const placed = new Set(grouped.flatMap(([, m]) => m));
  const rest = [...tasks].filter((m) => !placed.has(m));
  if (rest.length) grouped[0][1].push(...rest);
  view.innerHTML = html`${raw(searchForm())}
    ${raw(waits.length ? html`<h2>${t("waitingNow")}</h2><nav class="waits">${raw(waits.map(([kind, href]) =>
      html`<a href="${href}" data-wait="${kind}" class="${counts[kind] ? "due" : ""}"><b>${counts[kind]}</b>
        <span>${t(`wait.${kind}`)}</span></a>`).join(""))}</nav>` : "")}
    ${raw(grouped.filter(([, m]) => m.length).map(([name, members]) => html`<section class="group">
      ${raw(grouped.filter(([, m]) => m.length).length > 1 ? html`<h2>${t(name)}</h2>` : "")}
      <nav class="tiles">${raw(members.map((m) => tile(m, counts[COUNTED[m]])).join(""))}</nav></section>`).join(""))}`;
  wireSearch(view);
}
