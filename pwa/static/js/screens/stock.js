// Stock as it stands in the warehouse this phone works in: per product on hand, reserved, available and incoming
// (open purchase orders and transfers to it, with the day each is expected), its bins folded under.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { dayWords, productName, ui, warehousePicker } from "./kit.js";

function arriving(a) {
  const { html } = ui;
  return html`<li><a href="${a.kind === "transfer" ? `#/transfers/${a.number}` : `#/lookup/${a.number}`}">${a.number}</a>
    <span class="badge s-${a.status}">${a.status_word}</span> ${t("units", { n: a.qty })} ·
    <span class="nowrap">${a.expected ? t("expectedOn", { day: dayWords(a.expected) }) : t("notSent")}</span></li>`;
}

function productCard(r) {
  const { html, raw } = ui;
  const figure = (n, words, cls = "") => html`<div class="${cls}"><b>${n}</b>${words}</div>`;
  return html`<div class="card stock-row ${r.low ? "low" : ""}" data-sku="${r.sku}">
    <div><b>${r.sku}</b> ${productName(r)}${raw(r.low ? html` <span class="badge s-failed">${t("low")}</span>` : "")}
      ${raw(r.count_due.length ? html` <span class="badge s-open">${t("countDue")} ${r.count_due.join(", ")}</span>` : "")}</div>
    <div class="figures four">${raw(figure(r.on_hand, t("onHand")))}${raw(figure(r.reserved, t("reservedWord")))}
      ${raw(figure(r.available, t("available"), "avail"))}${raw(figure(r.incoming_qty, t("incoming")))}</div>
    ${raw(r.reorder_point != null ? html`<div class="muted">${t("reorderPoint")} ${r.reorder_point}</div>` : "")}
    ${raw(r.incoming.length ? html`<ul class="incoming">${raw(r.incoming.map(arriving).join(""))}</ul>` : "")}
    ${raw(r.bins.length ? html`<details class="bins"><summary>${t("binsOf", { n: r.bins.length })}</summary>
      <table><tr><th>${t("location")}</th><th class="num">${t("onHand")}</th><th class="num">${t("reservedWord")}</th></tr>
      ${raw(r.bins.map((b) => html`<tr class="${b.count_due ? "low" : ""}"><td>${b.location}${b.count_due
        ? ` · ${t("countDue")}` : ""}</td><td class="num">${b.on_hand}</td><td class="num">${b.reserved}</td></tr>`).join(""))}
      </table></details>` : "")}</div>`;
}

async function stockView() {
  const { view, html, raw, title } = ui;
  title(t("stock"));
  const picker = await warehousePicker(() => stockView().catch((err) => feedback(false, err.message)));
  const rows = picker.code ? await api("GET", `/api/stock/summary?warehouse=${encodeURIComponent(picker.code)}`) : [];
  view.innerHTML = html`<div id="whbox"></div>${raw(rows.map(productCard).join("")
    || html`<p class="muted">${t("nothing")}</p>`)}`;
  picker.place(view);
}

export const stockRoutes = [[/^#\/stock$/, stockView]];
