// Shipments stuck without a carrier: packed, but no carrier's rules allow them. Each says why in words; a
// manager books it with a carrier the rules allow now, or corrects the address (the carrier is chosen again).
import { api } from "../api.js";
import { statusWord, t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { ui, when } from "./kit.js";

function stuckCard(s) {
  const { html, raw } = ui;
  const carriers = s.allowed.map((code) => html`<button class="big" data-carrier="${code}">${t("bookWith",
    { carrier: code })}</button>`).join("");
  return html`<li data-shipment="${s.shipment}"><b>${s.shipment}</b> · ${s.order}
    <span class="badge s-stuck">${statusWord("stuck", "shipment")}</span>
    <div>${s.recipient} · ${s.place}</div>
    <div class="why">${s.why}</div>
    <div class="muted">${s.warehouse} · ${t("packedAt", { at: when(s.packed_at) })}</div>
    ${raw(carriers ? html`<div class="row">${raw(carriers)}</div>` : html`<p class="hint">${t("noneAllowed")}</p>`)}
    <label>${t("newAddress")}</label><textarea class="new-address" rows="2" placeholder="${s.recipient} ${s.place}"></textarea>
    <button class="big secondary" data-readdress>${t("saveAddress")}</button></li>`;
}

async function stuckView() {
  const { view, html, raw, title, action, told } = ui;
  title(t("stuck"));
  const stuck = await api("GET", "/api/stuck-shipments");
  view.innerHTML = html`<ul class="list stuck">${raw(stuck.map(stuckCard).join("")
    || html`<li class="muted">${t("nothing")}</li>`)}</ul>`;
  const settled = (item, answer) => {
    item.remove();
    return told(answer, t("bookedWith", { shipment: answer.number, carrier: answer.carrier_name || answer.carrier }));
  };
  view.querySelectorAll("[data-carrier]").forEach((button) => action(button, async () => {
    const item = button.closest("li");
    const answer = await api("POST", `/api/shipments/${encodeURIComponent(item.dataset.shipment)}/carrier`,
      { carrier: button.dataset.carrier });
    return settled(item, answer);
  }));
  view.querySelectorAll("[data-readdress]").forEach((button) => action(button, async () => {
    const item = button.closest("li");
    const text = item.querySelector(".new-address").value.trim();
    if (!text) throw new Error(t("newAddress"));
    const answer = await api("POST", `/api/shipments/${encodeURIComponent(item.dataset.shipment)}/address`, { text });
    if (answer.status !== "booked") {
      stuckView().catch((err) => feedback(false, err.message));
      return answer.choice?.summary || statusWord(answer.status, "shipment");
    }
    return settled(item, answer);
  }, { repeat: true }));
}

export const stuckRoutes = [[/^#\/stuck$/, stuckView]];
