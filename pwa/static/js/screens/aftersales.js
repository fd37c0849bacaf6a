// After-sales for managers: the customers' requests with their photos, approved or declined with a reason,
// and the goods that come back booked into a bin by scanning each item and the location.
import { api, session } from "../api.js";
import { statusWord, t } from "../i18n.js";
import { feedback, onScan, showScanbar } from "../scanner.js";
import { locationOf, productName, skuOf, ui, when } from "./kit.js";

const FILTERS = ["open", "awaiting_return", ""];
const COMES_BACK = ["return", "exchange"];
const USUAL = { return: "refund", exchange: "replace", damage: "refund", missing_item: "replace" };
const cents = (n) => (Math.round(n * 100) / 100).toFixed(2);

// the approval as the manager sets it: units per line (fewer than asked approves part), how it is settled,
// whether the goods come back, and the refund (what those units cost, or less)
function approvalForm(r, html, raw) {
  return html`<form class="card" id="decide">
    <table><tr><th>SKU</th><th class="num">${t("qty")}</th><th class="num">${t("approveQty")}</th></tr>${raw(r.lines.map((l) => html`<tr>
      <td>${l.sku}<div class="muted">${productName(l)}</div></td><td class="num">${l.qty}</td>
      <td class="num"><input class="qty" type="number" inputmode="numeric" min="0" max="${l.qty}" value="${l.qty}"
        data-sku="${l.sku}" data-price="${l.unit_price}"></td></tr>`).join(""))}</table>
    <label for="remedy">${t("remedy")}</label><select id="remedy">${raw(["refund", "replace", "none"].map((m) => html`<option
      value="${m}" ${m === USUAL[r.kind] ? "selected" : ""}>${t(`remedy${m[0].toUpperCase()}${m.slice(1)}`)}</option>`).join(""))}</select>
    <label class="check"><input type="checkbox" id="back" ${COMES_BACK.includes(r.kind) ? "checked" : ""}> ${t("sendBack")}</label>
    <label for="amount" id="amountLabel"></label><input id="amount" type="number" inputmode="decimal" min="0.01" step="0.01">
    <label for="note">${t("noteForCustomer")}</label><input id="note" maxlength="500">
    <div class="row"><button class="big" type="button" data-act="approve">${t("approve")}</button>
    <button class="big danger" type="button" data-act="reject">${t("reject")}</button></div></form>`;
}

// the refund follows the units approved until the manager types another amount
function wireApproval(form) {
  const amount = form.querySelector("#amount"), label = form.querySelector("#amountLabel");
  const remedy = form.querySelector("#remedy");
  const paid = () => cents([...form.querySelectorAll(".qty")].reduce((n, q) => n + (+q.value || 0) * +q.dataset.price, 0));
  let typed = false;
  const sync = () => {
    label.textContent = t("refundAmount", { paid: paid() });
    if (!typed) amount.value = paid();
    amount.hidden = label.hidden = remedy.value !== "refund";
  };
  amount.addEventListener("input", () => { typed = true; });
  form.querySelectorAll(".qty").forEach((q) => q.addEventListener("input", sync));
  remedy.addEventListener("change", sync);
  sync();
  return () => {
    const lines = [...form.querySelectorAll(".qty")].map((q) => ({ sku: q.dataset.sku, qty: +q.value || 0 })).filter((l) => l.qty);
    const body = { remedy: remedy.value, send_back: form.querySelector("#back").checked, lines };
    if (remedy.value === "refund" && amount.value) body.amount = cents(+amount.value);
    return body;
  };
}

async function listView(filter = "open") {
  const { view, html, raw, title } = ui;
  title(t("aftersales"));
  const found = await api("GET", `/api/after-sales${filter ? `?status=${filter}` : ""}`);
  view.innerHTML = html`<nav class="tabs">${raw(FILTERS.map((f) => html`<a href="#/aftersales${f ? `?${f}` : "?all"}"
      class="${f === filter ? "on" : ""}">${f ? statusWord(f, "aftersales") : t("all")}</a>`).join(""))}</nav>
    <ul class="list">${raw(found.map((r) => html`<li data-request="${r.number}">
      <a href="#/aftersales/${r.number}"><b>${r.number}</b></a> <span class="badge s-${r.status}">${statusWord(r.status, "aftersales")}</span>
      <div>${statusWord(r.kind, "aftersales_kind")} · ${r.customer} · ${r.order}</div>
      <div class="muted clip">${r.text}</div>
      <div class="muted">${r.photos.length ? `${t("photos", { n: r.photos.length })} · ` : ""}${when(r.created_at)}</div>
      </li>`).join("") || html`<li class="muted">${t("nothing")}</li>`)}</ul>`;
}

// photos need the session token, which an <img src> cannot send: fetched, then shown from memory
async function showPhotos(box, paths) {
  for (const path of paths) {
    const resp = await fetch(path, { headers: { Authorization: `Bearer ${session.token}` } });
    if (!resp.ok) continue;
    const img = document.createElement("img");
    img.src = URL.createObjectURL(await resp.blob());
    img.alt = path.split("/").pop();
    const link = document.createElement("a");
    link.href = img.src;
    link.target = "_blank";
    link.append(img);
    box.append(link);
  }
}

async function requestView(number) {
  const { view, html, raw, title, action, told } = ui;
  let r = await api("GET", `/api/after-sales/${encodeURIComponent(number)}`);
  title(`${t("aftersales")} ${r.number}`);
  let counted = {};
  let place = null;
  const back = () => r.approved_lines ? r.lines.map((l) => ({ ...l, qty: (r.approved_lines.find((a) => a.sku === l.sku) || { qty: 0 }).qty }))
    .filter((l) => l.qty) : r.lines;  // what comes back: the units approved
  const all = () => back().reduce((n, l) => n + l.qty, 0);
  const done = () => Object.values(counted).reduce((n, q) => n + q, 0);
  const returning = () => r.status === "awaiting_return";
  const draw = () => {
    view.innerHTML = html`<div class="card"><span class="badge s-${r.status}">${statusWord(r.status, "aftersales")}</span>
        <h2>${statusWord(r.kind, "aftersales_kind")} · ${r.order}</h2><div>${r.customer} · ${when(r.created_at)}</div>
        <p class="said">${r.text}</p><div class="photos" id="photos"></div></div>
      ${raw(r.outcome ? html`<div class="card" id="outcome"><b>${t("outcome")}</b><p>${r.outcome}</p></div>` : "")}
      ${raw(r.status === "open" ? "" : html`<table><tr><th>SKU</th><th class="num">${t("qty")}</th></tr>${raw(back().map((l) => html`<tr
        class="${returning() && (counted[l.sku] || 0) < l.qty ? "low" : ""}"><td>${l.sku}<div class="muted">${productName(l)}</div></td>
        <td class="num">${returning() ? `${counted[l.sku] || 0} / ${l.qty}` : l.qty}</td></tr>`).join(""))}</table>`)}
      ${raw(r.status === "open" ? approvalForm(r, html, raw) : "")}
      ${raw(returning() ? html`<div class="card task"><span class="step">${done() < all() ? t("scanReturned") : t("scanPutAway")}</span>
        <div class="count">${t("scannedOf", { done: done(), all: all() })}</div><div class="where">${place || "—"}</div>
        <button class="big" id="book">${t("bookReturn")}</button></div>` : "")}
      ${raw(r.status === "received" ? html`<form class="card" id="settle"><label for="res">${t("note")}</label>
        <input id="res" maxlength="500"><button class="big" type="button" id="close">${t("settle")}</button></form>` : "")}
      <h2>${t("history")}</h2><ul class="list">${raw(r.history.map((h) => html`<li>${statusWord(h.status, "aftersales")} ·
        ${when(h.at)} <span class="muted">${h.note}</span></li>`).join(""))}</ul>`;
    showPhotos(view.querySelector("#photos"), r.photos);
    const decide = view.querySelector("#decide");
    const approval = decide ? wireApproval(decide) : null;
    view.querySelectorAll("[data-act]").forEach((button) => action(button, async (key) => {
      const approve = button.dataset.act === "approve";
      const note = view.querySelector("#note").value.trim();
      if (!approve && !note) throw new Error(t("reasonRequired"));
      const answer = await api("POST", `/api/after-sales/${encodeURIComponent(r.number)}/decision`,
        approve ? { approve, note, ...approval() } : { approve, note }, { key });
      r = answer;
      draw();
      showScanbar(returning(), t("scanReturned"));
      return told(answer, t(approve ? "asApproved" : "asRejected", { number: r.number }));
    }));
    const book = view.querySelector("#book");
    if (book) action(book, async (key) => {
      if (done() < all()) throw new Error(t("scanItemsFirst", { done: done(), all: all() }));
      if (!place) throw new Error(t("scanLocationFirst"));
      const answer = await api("POST", `/api/after-sales/${encodeURIComponent(r.number)}/return`, { location: place },
        { key });
      r = answer;
      draw();
      showScanbar(false);
      return told(answer, t("returnBooked", { number: r.number, loc: place }));
    });
    const close = view.querySelector("#close");
    if (close) action(close, async () => {
      const note = view.querySelector("#res").value.trim();
      if (!note) throw new Error(t("noteRequired"));
      r = await api("POST", `/api/after-sales/${encodeURIComponent(r.number)}/resolve`, { note });
      draw();
      return t("settled", { number: r.number });
    });
  };
  draw();
  showScanbar(returning(), t("scanReturned"));
  onScan((code) => {
    if (!returning()) return;
    const loc = locationOf(code);
    if (loc) {
      if (done() < all()) { feedback(false, t("scanItemsFirst", { done: done(), all: all() })); return; }
      place = loc;
      feedback(true, `${loc} ✓`);
      draw();
      return;
    }
    const sku = skuOf(code, back());
    const line = back().find((l) => l.sku === sku);
    if (!line) {
      feedback(false, t("notOnRequest", { code, what: back().map((l) => l.sku).join(", ") }));
      return;
    }
    if ((counted[sku] || 0) >= line.qty) { feedback(false, t("tooMany", { sku, qty: line.qty })); return; }
    counted[sku] = (counted[sku] || 0) + 1;
    feedback(true, `${sku} ${productName(line)} · ${counted[sku]} / ${line.qty}`);
    draw();
  });
}

const filtered = (which) => listView(which === "all" ? "" : which);

export const aftersalesRoutes = [
  [/^#\/aftersales$/, () => listView("open")], [/^#\/aftersales\?(\w+)$/, filtered],
  [/^#\/aftersales\/(.+)$/, requestView],
];
