// The order list (filters, a page at a time by the server's cursor) and what the search box found: each line
// says what it is, its number and its status in words, and opens its screen.
import { api } from "../api.js";
import { statusWord, t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { searchForm, wireSearch } from "./home.js";
import { ui, when } from "./kit.js";

const FILTERS = ["status", "warehouse", "channel", "since", "until", "held", "stuck"];
const STATUSES = ["on_hold", "approved", "awaiting_payment", "allocated", "backordered", "picking", "packed",
  "shipped", "delivered", "cancelled", "rejected"];

// where a found thing opens: its own screen where the app has one, else its look-up card
const OPENS = { transfer: (n) => `#/transfers/${n}`, aftersales: (n) => `#/aftersales/${n}` };
export const opens = (kind, number) => (OPENS[kind] || ((n) => `#/lookup/${n}`))(encodeURIComponent(number));

// the hash's own query, still encoded: the router hands views decoded text, where a phone's "+" would be lost
const params = () => new URLSearchParams(location.hash.split("?")[1] || "");

function orderLine(o) {
  const { html } = ui;
  return html`<li data-order="${o.number}"><a href="${opens("order", o.number)}"><b>${o.number}</b></a>
    <span class="badge s-${o.status}">${o.status_word}</span>
    <div>${o.customer}${o.recipient && o.recipient !== o.customer ? ` → ${o.recipient}` : ""} · ${o.city} · ¥${o.total}</div>
    <div class="muted">${[o.channel, o.warehouse, when(o.created_at)].filter(Boolean).join(" · ")}</div></li>`;
}

async function filterForm(chosen) {
  const { html, raw } = ui;
  const warehouses = await api("GET", "/api/warehouses").catch(() => []);
  const option = (value, words, on) => html`<option value="${value}" ${on ? "selected" : ""}>${words}</option>`;
  const box = (name, words) => html`<label class="check"><input type="checkbox" name="${name}"
    ${chosen.get(name) ? "checked" : ""}> ${words}</label>`;
  const some = FILTERS.some((f) => chosen.get(f));
  return html`<details class="filters" ${some ? "open" : ""}><summary>${t("filters")}</summary>
    <form id="filters"><div class="row">
      <div><label for="f-status">${t("status")}</label><select id="f-status" name="status">
        ${raw(option("", t("anyStatus"), false))}${raw(STATUSES.map((s) => option(s, statusWord(s), chosen.get("status") === s)).join(""))}
      </select></div>
      <div><label for="f-wh">${t("warehouse")}</label><select id="f-wh" name="warehouse">
        ${raw(option("", t("anyWarehouse"), false))}${raw(warehouses.map((w) => option(w.code, w.code, chosen.get("warehouse") === w.code)).join(""))}
      </select></div></div>
      <div class="row"><div><label for="f-since">${t("since")}</label><input id="f-since" type="date" name="since"
        value="${chosen.get("since") || ""}"></div>
      <div><label for="f-until">${t("until")}</label><input id="f-until" type="date" name="until"
        value="${chosen.get("until") || ""}"></div></div>
      <label for="f-channel">${t("channel")}</label><input id="f-channel" name="channel" value="${chosen.get("channel") || ""}">
      ${raw(box("held", t("onlyHeld")))}${raw(box("stuck", t("onlyStuck")))}
      <button class="big" type="submit">${t("apply")}</button></form></details>`;
}

async function listView() {
  const { view, html, raw, title } = ui;
  title(t("orderList"));
  const chosen = params();
  view.innerHTML = html`${raw(searchForm())}${raw(await filterForm(chosen))}
    <ul class="list orders" id="orders"></ul><p class="muted" id="shown"></p>
    <button class="big secondary" id="more" hidden>${t("more")}</button>`;
  wireSearch(view);
  view.querySelector("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const next = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.get(name);
      if (value === "on") next.set(name, "1");
      else if (value) next.set(name, value);
    }
    location.hash = `#/orders?${next}`;
  });
  const asked = new URLSearchParams();
  FILTERS.forEach((f) => { if (chosen.get(f)) asked.set(f, chosen.get(f)); });
  const list = view.querySelector("#orders");
  const more = view.querySelector("#more");
  let cursor = null;
  let shown = 0;
  const load = async () => {
    const page = await api("GET", `/api/order-list?${asked}${cursor ? `&cursor=${cursor}` : ""}`);
    list.insertAdjacentHTML("beforeend", page.orders.map(orderLine).join(""));
    shown += page.orders.length;
    if (!shown) list.innerHTML = html`<li class="muted">${t("nothing")}</li>`;
    view.querySelector("#shown").textContent = shown ? t("shownOrders", { n: shown }) : "";
    cursor = page.next;
    more.hidden = !cursor;
  };
  // one page per press: the button is off while its page comes, so a double press does not load two
  more.addEventListener("click", async () => {
    if (more.disabled) return;
    more.disabled = true;
    try { await load(); } catch (err) { feedback(false, err.offline ? t("needsNetwork") : err.message); }
    finally { more.disabled = false; }
  });
  await load();
}

async function findView() {
  const { view, html, raw, title } = ui;
  const q = params().get("q") || "";
  title(t("search"));
  const hits = await api("GET", `/api/search?q=${encodeURIComponent(q)}`);
  view.innerHTML = html`${raw(searchForm(q))}<ul class="list found">${raw(hits.map((h) => html`<li data-kind="${h.kind}">
    <a href="${opens(h.kind, h.number)}"><span class="what">${h.what}</span> <b>${h.number}</b></a>
    <span class="badge s-${h.status}">${h.status_word}</span><div class="muted">${h.detail}</div></li>`).join("")
    || html`<li class="muted">${t("nothingFound", { q })}</li>`)}</ul>`;
  wireSearch(view);
}

export const orderRoutes = [[/^#\/orders(?:\?.*)?$/, listView], [/^#\/find(?:\?.*)?$/, findView]];
