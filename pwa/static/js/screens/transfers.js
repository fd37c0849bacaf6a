// Transfers as the floor works them: the open transfers of the warehouse (raised by allocation or by hand),
// and one transfer shipped or received by scanning each item (and, on arrival, the put-away location).
import { api } from "../api.js";
import { statusWord, t } from "../i18n.js";
import { feedback, onScan, showScanbar } from "../scanner.js";
import { listed, locationOf, productName, skuOf, ui, warehousePicker, when } from "./kit.js";

const numberOf = (code) => (code.startsWith("FH:TR:") ? code.slice(6) : code.trim());

async function listView() {
  const { view, html, raw, title } = ui;
  title(t("transfers"));
  const picker = await warehousePicker(() => listView().catch((err) => feedback(false, err.message)));
  const wh = picker.code;
  const transfers = await api("GET", `/api/transfers?warehouse=${encodeURIComponent(wh)}`);
  view.innerHTML = html`<div id="whbox"></div>
    <h2>${t("openTransfers", { wh })}</h2>
    <ul class="list transfers">${raw(transfers.map((tr) => html`<li data-transfer="${tr.number}">
      <a href="#/transfers/${tr.number}"><b>${tr.number}</b></a>
      <span class="badge s-${tr.status}">${statusWord(tr.status, "transfer")}</span>
      <div>${t("route", { from: tr.from, to: tr.to })} · ${t("units", { n: tr.units })} ·
        ${tr.for_order ? t("forOrder") : t("manual")}</div>
      <div class="muted">${listed(tr.lines.map((l) => `${l.sku} ${productName(l)} ×${l.qty}`))}</div>
      <div class="muted">${when(tr.created_at)}</div></li>`).join("") || html`<li class="muted">${t("nothing")}</li>`)}</ul>
    <a class="big secondary" href="#/transfer">${t("newTransfer")}</a>`;
  picker.place(view);
  showScanbar(true, t("scanTransfer"));
  onScan((code) => { location.hash = `#/transfers/${encodeURIComponent(numberOf(code))}`; });
}

// One transfer: at its source every item is scanned before it may leave; at its target every item, then the
// bin it goes to. The server moves the goods when the button is pressed; the scans make sure they are there.
async function transferView(number) {
  const { view, html, raw, title, action, told } = ui;
  let tr = await api("GET", `/api/transfers/${encodeURIComponent(number)}`);
  title(`${t("transfer")} ${tr.number}`);
  let counted = {};
  let place = null;
  const all = () => tr.lines.reduce((n, l) => n + l.qty, 0);
  const done = () => Object.values(counted).reduce((n, q) => n + q, 0);
  const working = () => tr.status === "draft" || tr.status === "shipped";
  const step = () => {
    if (tr.status === "draft") return t("scanLeaving", { wh: tr.from });
    if (done() < all()) return t("scanArriving", { wh: tr.to });
    return t("scanPutAway");
  };
  const draw = () => {
    const rows = tr.lines.map((l) => html`<tr class="${working() && (counted[l.sku] || 0) < l.qty ? "low" : ""}">
      <td>${l.sku}<div class="muted">${productName(l)}</div></td>
      <td class="num">${working() ? `${counted[l.sku] || 0} / ${l.qty}` : l.qty}</td></tr>`).join("");
    view.innerHTML = html`<div class="card"><span class="badge s-${tr.status}">${statusWord(tr.status, "transfer")}</span>
        <h2>${tr.from_name || tr.from} → ${tr.to_name || tr.to}</h2>
        <div class="muted">${tr.for_order ? t("forOrder") : t("manual")} · ${when(tr.created_at)}</div></div>
      ${raw(working() ? html`<div class="card task"><span class="step">${step()}</span>
        <div class="count">${t("scannedOf", { done: done(), all: all() })}</div>
        ${raw(tr.status === "shipped" ? html`<div class="where">${place || "—"}</div>` : "")}</div>` : "")}
      <table><tr><th>SKU</th><th class="num">${t("qty")}</th></tr>${raw(rows)}</table>
      ${raw(tr.status === "draft" ? html`<button class="big" id="go">${t("shipIt")}</button>` : "")}
      ${raw(tr.status === "shipped" ? html`<button class="big" id="go">${t("receiveIt", { loc: place || "RCV" })}</button>` : "")}`;
    const go = view.querySelector("#go");
    if (!go) return;
    action(go, async (key) => {
      if (done() < all()) throw new Error(t("scanItemsFirst", { done: done(), all: all() }));
      if (tr.status === "draft") {
        const answer = await api("POST", `/api/transfers/${encodeURIComponent(tr.number)}/ship`, undefined, { key });
        tr = answer; counted = {};
        draw();
        return told(answer, t("transferShipped", { number: tr.number, to: tr.to }));
      }
      if (!place) throw new Error(t("scanLocationFirst"));
      const answer = await api("POST", `/api/transfers/${encodeURIComponent(tr.number)}/receive`, { location: place },
        { key });
      tr = answer;
      draw();
      return told(answer, t("transferReceived", { number: tr.number, loc: place }));
    });
  };
  draw();
  showScanbar(working(), step());
  onScan((code) => {
    if (!working()) return;
    const loc = locationOf(code);
    if (loc && tr.status === "shipped") {
      if (done() < all()) { feedback(false, t("scanItemsFirst", { done: done(), all: all() })); return; }
      place = loc;
      feedback(true, `${loc} ✓`);
      draw();
      return;
    }
    const sku = skuOf(code, tr.lines);
    const line = tr.lines.find((l) => l.sku === sku);
    if (!line) {
      const left = tr.lines.filter((l) => (counted[l.sku] || 0) < l.qty).map((l) => l.sku).join(", ");
      feedback(false, t("notOnTransfer", { code, what: left || t("scanPutAway") }));
      return;
    }
    if ((counted[sku] || 0) >= line.qty) { feedback(false, t("tooMany", { sku, qty: line.qty })); return; }
    counted[sku] = (counted[sku] || 0) + 1;
    feedback(true, `${sku} ${productName(line)} · ${counted[sku]} / ${line.qty}`);
    draw();
    showScanbar(true, step());
  });
}

export const transferRoutes = [[/^#\/transfers$/, listView], [/^#\/transfers\/(.+)$/, transferView]];
