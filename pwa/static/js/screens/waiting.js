// The things of one kind that wait (short picks, bins to count, labels not printed, shipments with no carrier),
// oldest first: what each is, why it waits, and its document's card (shipments with no carrier: also their orders).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { ui } from "./kit.js";

const DOCUMENT = /^(SH|PL|PKG|SO)-/;

async function waitingView(kind) {
  const { view, html, title } = ui;
  title(t(`wait.${kind}`));
  const items = await api("GET", `/api/waiting/${encodeURIComponent(kind)}`);
  view.innerHTML = html`<ul class="list waiting">${ui.raw(items.map((i) => html`<li>
    ${ui.raw(DOCUMENT.test(i.number) ? html`<a href="#/lookup/${i.number}"><b>${i.number}</b></a>` : html`<b>${i.number}</b>`)}
    <span class="badge s-open">${i.status}</span><div>${i.title}</div><div class="muted">${i.detail}</div></li>`).join("")
    || html`<li class="muted">${t("waitNone")}</li>`)}</ul>
    ${ui.raw(kind === "no_carrier" ? html`<a class="big secondary" href="#/orders?stuck=1">${t("orderList")}</a>` : "")}`;
}

export const waitingRoutes = [[/^#\/waiting\/(\w+)$/, waitingView]];
