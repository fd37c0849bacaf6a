// An order taken on the phone: find the caller by phone or name (or take a new one), the address, products
// with what is free now, how it is paid; placed, the answer says at once whether it was accepted or held, and why.
import { api } from "../api.js";
import { language, statusWord, t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { dayWords, listed, productName, ui } from "./kit.js";

const ADDRESS = ["recipient", "phone", "province", "city", "district", "line1", "postcode"];
const ACCEPTED = new Set(["approved", "allocated", "backordered", "awaiting_payment"]);
// each word by its literal key, so the catalogue's test sees that the server serves it
const services = () => ({ standard: t("svc.standard"), express: t("svc.express"), economy: t("svc.economy") });
const rules = () => ({
  customer: t("rule.customer"), address: t("rule.address"), products: t("rule.products"),
  quantities: t("rule.quantities"), payment: t("rule.payment"), stock: t("rule.stock"), value: t("rule.value"),
  duplicate: t("rule.duplicate"),
});

function field(id, label, attrs = "") {
  return ui.html`<div><label for="${id}">${t(label)}</label><input id="${id}" ${ui.raw(attrs)}></div>`;
}

function form() {
  const { html, raw } = ui;
  return html`<form id="phoneorder" autocomplete="off" novalidate>
    <section class="card"><h2>${t("customer")}</h2>
      <div class="row"><input id="who" placeholder="${t("findCustomer")}" aria-label="${t("findCustomer")}">
        <button class="secondary" type="button" id="findwho">${t("search")}</button></div>
      <ul class="list picks" id="people"></ul>
      <div class="row">${raw(field("c-name", "name", 'maxlength="100" required'))}
        ${raw(field("c-phone", "phoneNo", 'inputmode="tel" maxlength="40" required'))}</div></section>
    <section class="card"><h2>${t("address")}</h2>
      <div class="row"><textarea id="a-paste" rows="2" maxlength="500" placeholder="${t("pasteAddress")}"
        aria-label="${t("pasteAddress")}"></textarea>
        <button class="secondary" type="button" id="readpaste">${t("readAddress")}</button></div>
      <ul class="warn" id="a-doubts"></ul>
      <div class="row">${raw(field("a-recipient", "recipient", 'maxlength="100" required'))}
        ${raw(field("a-phone", "phoneNo", 'inputmode="tel" maxlength="40" required'))}</div>
      <div class="row">${raw(field("a-province", "province", 'maxlength="64"'))}${raw(field("a-city", "city", 'maxlength="64" required'))}</div>
      <div class="row">${raw(field("a-district", "district", 'maxlength="64"'))}
        ${raw(field("a-postcode", "postcode", 'inputmode="numeric" maxlength="16"'))}</div>
      ${raw(field("a-line1", "line1", 'maxlength="300" required'))}</section>
    <section class="card"><h2>${t("products")}</h2>
      <div class="row"><input id="what" placeholder="${t("findProduct")}" aria-label="${t("findProduct")}">
        <button class="secondary" type="button" id="findwhat">${t("search")}</button></div>
      <ul class="list picks" id="goods"></ul><table id="cart"></table></section>
    <section class="card"><div class="row"><div><label for="pay">${t("payment")}</label><select id="pay">
        ${raw(["cod", "prepaid", "credit"].map((p) => html`<option value="${p}">${statusWord(p, "payment_method")}</option>`).join(""))}</select></div>
      <div><label for="svc">${t("service")}</label><select id="svc">
        ${raw(Object.entries(services()).map(([s, word]) => html`<option value="${s}">${word}</option>`).join(""))}</select></div></div>
      <div class="row">${raw(field("date", "requestedDate", 'type="date"'))}</div>
      <p class="muted" id="datehint"></p>
      ${raw(field("note", "note", 'maxlength="500"'))}</section>
    <button class="big" type="submit" id="place">${t("placeOrder")}</button></form><div id="result"></div>`;
}

function resultCard(order) {
  const { html, raw } = ui;
  const kind = ACCEPTED.has(order.status) ? "ok" : order.status === "on_hold" ? "held" : "bad";
  const head = kind === "ok" ? t("accepted") : kind === "held" ? t("heldBecause") : t("refusedOrder");
  const why = order.review.filter((r) => r.outcome !== "pass" || r.rule === "stock" && r.reason !== "in stock");
  return html`<div class="card result ${kind}" data-status="${order.status}"><h2>${head}</h2>
    <p><b>${t("placedAs", { number: order.number, status: statusWord(order.status) })}</b></p>
    <ul>${raw(why.map((r) => html`<li>${rules()[r.rule] ?? r.rule}
      ${r.outcome === "pass" ? "" : ` · ${statusWord(r.outcome, "review")}`}${language() === "en" ? `: ${r.reason}` : ""}</li>`)
      .join(""))}</ul>
    <p>${listed(order.lines.map((l) => `${l.sku} ${productName(l)} ×${l.qty}`.replace(/\s+/g, " ")))}${order.warehouse ? ` · ${t("warehouse")} ${order.warehouse}` : ""}</p>
    <p>${t("total")} ${order.currency === "CNY" ? `¥${order.total}` : `${order.total} ${order.currency}`}</p>
    ${raw(order.requested_date ? html`<p id="asked">${t("requestedDay", { day: dayWords(order.requested_date) })}</p>` : "")}
    <button class="big secondary" type="button" id="again">${t("nextOrder")}</button></div>`;
}

async function phoneOrderView() {
  const { view, html, raw, title, action, told } = ui;
  title(t("phone"));
  view.innerHTML = form();
  const $ = (id) => view.querySelector(`#${id}`);
  const cart = new Map();  // sku → {product, qty}
  const drawCart = () => {
    $("cart").innerHTML = [...cart.values()].map(({ product: p, qty }) => html`<tr data-sku="${p.sku}"
      class="${qty > p.available ? "low" : ""}"><td>${p.sku}<div class="muted">${productName(p)}</div>
      ${raw(qty > p.available ? html`<div class="warn">${t("moreThanFree", { sku: p.sku, qty, free: p.available })}</div>` : "")}</td>
      <td class="qty"><input type="number" min="1" step="1" inputmode="numeric" value="${qty}" aria-label="${t("qty")}"></td>
      <td><button type="button" class="secondary" aria-label="${t("remove")}">×</button></td></tr>`).join("");
    $("cart").querySelectorAll("tr").forEach((row) => {
      const item = cart.get(row.dataset.sku);
      row.querySelector("input").addEventListener("change", (e) => { item.qty = Math.max(1, Number.parseInt(e.target.value, 10) || 1); drawCart(); placing.rearm(); });
      row.querySelector("button").addEventListener("click", () => { cart.delete(row.dataset.sku); drawCart(); placing.rearm(); });
    });
  };
  const findPeople = async () => {
    const q = $("who").value.trim();
    if (!q) return;
    const people = await api("GET", `/api/customers?q=${encodeURIComponent(q)}`);
    $("people").innerHTML = people.map((c, i) => html`<li><button type="button" class="pick" data-i="${i}">
      <b>${c.name}</b> ${c.phone_display}${c.blocked ? ` · ${t("blocked")}` : ""}
      <div class="muted">${c.written}</div></button></li>`).join("")
      || html`<li class="muted">${t("nothing")} · ${t("newCustomer")}</li>`;
    $("people").querySelectorAll("[data-i]").forEach((b) => b.addEventListener("click", () => {
      const c = people[Number(b.dataset.i)];
      $("c-name").value = c.name; $("c-phone").value = c.phone;
      $("a-recipient").value = c.name; $("a-phone").value = c.phone;
      for (const part of ["province", "city", "district", "line1", "postcode"]) $(`a-${part}`).value = c[part];
      $("people").innerHTML = "";
      placing.rearm();
      redays();
    }));
  };
  const findGoods = async () => {
    const goods = await api("GET", `/api/availability?q=${encodeURIComponent($("what").value.trim())}`);
    $("goods").innerHTML = goods.map((p, i) => html`<li class="${p.available ? "" : "none"}"><div><b>${p.sku}</b> ${productName(p)}
      <div class="muted">¥${p.price} · ${p.available ? t("availableIn", { n: p.available,
        where: listed(Object.entries(p.warehouses).map(([w, n]) => `${w} ${n}`)) }) : t("none")}</div></div>
      <button type="button" class="secondary" data-i="${i}">${t("addLine")}</button></li>`).join("")
      || html`<li class="muted">${t("nothing")}</li>`;
    $("goods").querySelectorAll("[data-i]").forEach((b) => b.addEventListener("click", () => {
      const p = goods[Number(b.dataset.i)];
      const item = cart.get(p.sku) || { product: p, qty: 0 };
      item.qty += 1;
      cart.set(p.sku, item);
      drawCart();
      placing.rearm();
    }));
  };
  // a whole address pasted from a chat or a shop: read by the server, the fields filled, its doubts shown
  const readPaste = async () => {
    const text = $("a-paste").value.trim();
    if (!text) return;
    const read = await api("POST", "/api/addresses/parse", { text });
    const fill = (id, value) => { if (value) $(id).value = value; };
    fill("a-recipient", read.name);
    fill("a-phone", read.phone);
    if (!$("c-name").value) fill("c-name", read.name);
    if (!$("c-phone").value) fill("c-phone", read.phone);
    for (const [part, from] of [["province", "province"], ["city", "city"], ["district", "district"],
      ["line1", "line"], ["postcode", "postcode"]]) $(`a-${part}`).value = read[from];  // the place as read, gaps too
    $("a-doubts").innerHTML = read.doubts.map((d) => html`<li>${d}</li>`).join("");
    placing.rearm();
    redays();
  };
  const searching = (button, run) => $(button).addEventListener("click", () => run().catch((e) => feedback(false, e.message)));
  searching("findwho", findPeople);
  searching("findwhat", findGoods);
  searching("readpaste", readPaste);
  for (const [input, run] of [["who", findPeople], ["what", findGoods]]) {
    $(input).addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); run().catch((err) => feedback(false, err.message)); } });
  }
  $("c-name").addEventListener("change", () => { if (!$("a-recipient").value) $("a-recipient").value = $("c-name").value; });
  $("c-phone").addEventListener("change", () => { if (!$("a-phone").value) $("a-phone").value = $("c-phone").value; });
  // the days the carriers serving the address can make for these goods: the date field allows those only
  const days = async () => {
    const skus = [...cart.keys()].join(",");
    const found = await api("GET", `/api/delivery-days?province=${encodeURIComponent($("a-province").value.trim())}&skus=${encodeURIComponent(skus)}`);
    $("date").min = found.earliest;
    $("date").max = found.latest;
    $("datehint").textContent = t("daysFrom", { first: dayWords(found.earliest), last: dayWords(found.latest) });
  };
  const redays = () => days().catch((e) => feedback(false, e.message));
  for (const id of ["a-province", "a-city"]) $(id).addEventListener("change", redays);
  for (const happens of ["change", "click"]) $("cart").addEventListener(happens, redays);
  $("goods").addEventListener("click", redays);
  redays();
  const placing = action($("place"), async (key) => {
    const missing = [["c-name", "name"], ["c-phone", "phoneNo"], ["a-recipient", "recipient"], ["a-phone", "phoneNo"],
      ["a-city", "city"], ["a-line1", "line1"]].filter(([id]) => !$(id).value.trim()).map(([, word]) => t(word));
    if (missing.length) throw new Error(t("orderNeeds", { list: listed([...new Set(missing)]) }));
    if (!cart.size) throw new Error(t("orderNoLines"));
    const address = Object.fromEntries(ADDRESS.map((part) => [part, $(`a-${part}`).value.trim()]));
    const order = await api("POST", "/api/phone-orders", {
      customer: { name: $("c-name").value.trim(), phone: $("c-phone").value.trim() }, address,
      lines: [...cart.values()].map(({ product, qty }) => ({ sku: product.sku, qty })),
      payment_method: $("pay").value, service_level: $("svc").value, note: $("note").value.trim(),
      ...($("date").value ? { requested_date: $("date").value } : {}),
    }, { key });
    $("phoneorder").hidden = true;
    $("result").innerHTML = resultCard(order);
    $("again").addEventListener("click", () => phoneOrderView());
    window.scrollTo(0, 0);
    return told(order, t("placedAs", { number: order.number, status: statusWord(order.status) }));
  });
  view.querySelectorAll("#phoneorder input, #phoneorder select").forEach((el) => el.addEventListener("input", placing.rearm));
}

export const phoneOrderRoutes = [[/^#\/phone$/, phoneOrderView]];
