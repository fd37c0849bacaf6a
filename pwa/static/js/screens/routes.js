// The day's route plan of a warehouse: per van its stops in order with arrival times, printable, and each
// van's route sent to its driver's Telegram (the screen says so when a driver has none linked).
import { api, session } from "../api.js";
import { t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { dayWords, todayIn, ui, warehousePicker, when } from "./kit.js";

const PLANNERS = new Set(["dispatcher", "manager", "admin"]);

// what a van's stops add up to: stops, packages and the cash its driver brings back
function totals(sum, plan, key) {
  return t(key, { stops: sum.stops, packages: sum.packages, cod: sum.cod, currency: plan.currency });
}

function stopRow(s) {
  const { html, raw } = ui;
  return html`<tr><td class="num">${s.seq}</td><td><b>${s.time}</b>
    ${raw(s.window ? html`<div class="muted">${t("window", { w: s.window })}</div>` : "")}</td>
    <td>${s.recipient} <a href="tel:${s.phone}">${s.phone_display}</a><div>${s.address}</div>
    <div class="muted">${s.shipment} · ${s.order}</div></td>
    <td class="num">${s.packages}</td><td class="num">${s.cod || "—"}</td><td class="signcol"></td></tr>`;
}

function vanCard(plan, van) {
  const { html, raw } = ui;
  return html`<section class="card van" data-plate="${van.plate}">
    <div class="printhead">${plan.company} · ${plan.warehouse_name || plan.warehouse} · ${plan.number}</div>
    <h2>${van.plate} <span class="muted">${dayWords(plan.day)}</span></h2>
    <div>${t("driverIs", { name: van.driver || "—" })} · ${t("shift", { shift: van.shift })}</div>
    <div class="muted">${t("stopsKm", { n: van.stops.length, km: van.km })}</div>
    <table class="stops"><thead><tr><th>${t("stop")}</th><th>${t("time")}</th><th>${t("address")}</th>
      <th class="num pkgs">${t("pkgs")}</th><th class="num">${t("codCol", { currency: plan.currency })}</th>
      <th class="signcol">${t("signCol")}</th></tr></thead>
      <tbody>${raw(van.stops.map(stopRow).join(""))}</tbody>
      <tfoot><tr><td colspan="6" class="vantotal">${totals(van.totals, plan, "vanTotals")}</td></tr></tfoot>
    </table>
    ${raw(van.driver_linked ? html`<div class="noprint muted">✓ ${t("linked")}</div>
      <button class="big secondary noprint" data-send="${van.plate}">${t("sendDriver")}</button>`
      : html`<p class="warn noprint">${t("notLinked")}</p>`)}</section>`;
}

async function routesView() {
  const { view, html, raw, title, action, told } = ui;
  title(t("routes"));
  const again = () => routesView().catch((err) => feedback(false, err.message));
  const picker = await warehousePicker(again);
  const wh = picker.code;
  const day = sessionStorage.getItem("fahuo.routeDay") || todayIn();
  const plans = await api("GET", `/api/route-plans?warehouse=${encodeURIComponent(wh)}&day=${day}`);
  const plan = plans[0];
  const stops = plan ? plan.vehicles.reduce((n, v) => n + v.stops.length, 0) : 0;
  view.innerHTML = html`<form id="pick" class="row noprint"><div id="whbox"></div><div><label for="day">${t("day")}</label>
      <input id="day" type="date" value="${day}"></div></form>
    ${raw(PLANNERS.has(session.staff?.role) ? html`<button class="big noprint" id="plan">${t("planDay")}</button>` : "")}
    ${raw(plan ? html`<div class="plan-head"><div class="company">${plan.company}</div>
      <h2>${plan.warehouse_name || plan.warehouse} · ${dayWords(plan.day)}</h2>
      <div class="muted">${t("planned", { number: plan.number, n: stops })} · ${t("plannedAt", { at: when(plan.created_at, plan.time_zone) })}</div>
      <div class="plantotal">${totals(plan.totals, plan, "planTotals")}</div>
      <button class="big secondary noprint" id="print">${t("print")}</button></div>
      ${raw(plan.vehicles.map((van) => vanCard(plan, van)).join(""))}
      ${raw(plan.unplanned.length ? html`<section class="card"><h2>${t("unplanned")}</h2><ul>${raw(plan.unplanned.map((u) =>
        html`<li>${u.shipment}: ${u.why}</li>`).join(""))}</ul></section>` : "")}`
      : html`<p class="hint">${t("noPlan")}</p>`)}`;
  picker.place(view);
  view.querySelector("#day").addEventListener("change", () => {
    sessionStorage.setItem("fahuo.routeDay", view.querySelector("#day").value || todayIn());
    again();
  });
  view.querySelector("#print")?.addEventListener("click", () => window.print());
  const planning = view.querySelector("#plan");
  if (planning) action(planning, async (key) => {
    const made = await api("POST", "/api/route-plans", { warehouse: wh, day }, { key });
    await routesView();
    const n = made.vehicles.reduce((count, v) => count + v.stops.length, 0);
    return told(made, t("planned", { number: made.number, n }));
  });
  view.querySelectorAll("[data-send]").forEach((button) => action(button, async (key) => {
    const sent = await api("POST", `/api/route-plans/${encodeURIComponent(plan.number)}/send`,
      { plate: button.dataset.send }, { key });
    return told(sent, t("routeSent", { plate: sent.plate, driver: sent.driver || t("driver") }));
  }));
}

export const routePlanRoutes = [[/^#\/routes$/, routesView]];
