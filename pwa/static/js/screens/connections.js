// Connections for managers: the shop channels (the webhook address to give each platform, when a pulled one
// was last fetched, the shipments its platform has not been told of, a failed write-back tried again) and the
// webhook subscriptions that push fahuo's events out (made, paused, tested, ended, and their delivery log).
import { api } from "../api.js";
import { statusWord, t } from "../i18n.js";
import { feedback } from "../scanner.js";
import { listed, ui, when } from "./kit.js";

// each word by its literal key, so the catalogue's test sees that the server serves it
const platformWord = (p) => ({ shopify: t("platform.shopify"), woocommerce: t("platform.woocommerce"),
  taobao: t("platform.taobao") })[p] ?? p;
const familyWord = (f) => ({ order: t("ev.order"), shipment: t("ev.shipment"), stock: t("ev.stock"),
  aftersales: t("ev.aftersales"), ping: t("ev.ping") })[f] ?? f;
const FAMILIES = ["order.*", "shipment.*", "stock.low", "aftersales.*"];
const STATE_KIND = { order: "order", shipment: "shipment", aftersales: "aftersales" };

// an event's name in words: its family, and its state where the catalogue has a word for it
function eventWords(kind) {
  if (kind === "*") return t("ev.all");
  const [family, rest] = kind.split(".");
  if (!rest || rest === "*" || !STATE_KIND[family]) return familyWord(family);
  const word = statusWord(rest, STATE_KIND[family]);
  return word === rest ? familyWord(family) : t("eventState", { family: familyWord(family), state: word });
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {  // no clipboard (not a secure page): select it for a long press instead
    const field = document.createElement("textarea");
    field.value = text;
    document.body.append(field);
    field.select();
    document.execCommand("copy");
    field.remove();
  }
  feedback(true, t("copied"));
}

function writeBackItem(row) {
  const { html } = ui;
  return html`<li data-shipment="${row.shipment}"><b>${row.shipment}</b> · ${row.order}
    <span class="badge s-${row.state}">${row.state_word}</span>
    ${ui.raw(row.error ? html`<div class="warn">${row.state === "failed" ? row.error : t("lastError", { error: row.error })}</div>` : "")}
    ${ui.raw(row.platform_said ? html`<details><summary>${t("platformSaid")}</summary><code class="url">${row.platform_said}</code></details>` : "")}
    <div class="muted">${t("triesAt", { n: row.tries, at: when(row.updated_at) })}</div>
    ${ui.raw(row.state === "failed" ? html`<button class="secondary small" data-retry="${row.shipment}">${t("retryNow")}</button>` : "")}</li>`;
}

function channelCard(c) {
  const { html, raw } = ui;
  const reach = c.webhook_url
    ? html`<div class="muted">${t("webhookUrl")}</div><div class="row copyrow"><code class="url">${c.webhook_url}</code>
        <button class="secondary small" data-copy="${c.webhook_url}">${t("copy")}</button></div>`
    : html`<div class="muted">${c.pulled_at ? t("lastPulled", { at: when(c.pulled_at) }) : t("notPulledYet")}</div>`;
  return html`<section class="card channel" data-channel="${c.name}"><h2>${c.name}
      <span class="badge">${platformWord(c.platform)}</span></h2>${raw(reach)}
    ${raw(c.waiting.length || c.failed.length ? "" : html`<div class="muted">${t("nothingWaiting")}</div>`)}
    ${raw(c.waiting.length ? html`<div>${t("waitingWriteBack", { n: c.waiting.length })}</div>` : "")}
    ${raw(c.waiting.length ? html`<ul class="list">${raw(c.waiting.map(writeBackItem).join(""))}</ul>` : "")}
    ${raw(c.failed.length ? html`<h3 class="bad">${t("failedWriteBacks", { n: c.failed.length })}</h3>
      <ul class="list">${raw(c.failed.map(writeBackItem).join(""))}</ul>` : "")}</section>`;
}

function hookItem(s) {
  const { html, raw } = ui;
  return html`<li data-hook="${s.id}"><a href="#/connections/${s.id}"><code class="url">${s.url}</code></a>
    <span class="badge s-${s.active ? "active" : "paused"}">${s.active ? t("hookActive") : t("hookPaused")}</span>
    <div class="muted">${listed(s.events.map(eventWords))}</div>
    ${raw(s.failing_since ? html`<div class="warn">${t("failingSince", { at: when(s.failing_since) })}</div>` : "")}</li>`;
}

async function connectionsView() {
  const { view, html, raw, title, action } = ui;
  title(t("connections"));
  const [channels, hooks] = await Promise.all([api("GET", "/api/channels"), api("GET", "/api/webhooks")]);
  view.innerHTML = html`<h2>${t("shopChannels")}</h2>
    ${raw(channels.map(channelCard).join("") || html`<p class="muted">${t("noChannels")}</p>`)}
    <h2>${t("webhookSubs")}</h2>
    <ul class="list hooks">${raw(hooks.map(hookItem).join("") || html`<li class="muted">${t("nothing")}</li>`)}</ul>
    <div id="secret"></div>
    <form class="card" id="newhook"><h3>${t("newHook")}</h3>
      <label for="hookurl">${t("hookUrl")}</label>
      <input id="hookurl" type="url" inputmode="url" placeholder="https://" required>
      <fieldset class="events"><legend>${t("hookEvents")}</legend>${raw(FAMILIES.map((f) => html`<label>
        <input type="checkbox" name="ev" value="${f}" checked> ${eventWords(f)}</label>`).join(""))}</fieldset>
      <button class="big" type="submit" id="subscribe">${t("subscribe")}</button></form>`;
  view.querySelectorAll("[data-copy]").forEach((b) => b.addEventListener("click", () => copy(b.dataset.copy)));
  view.querySelectorAll("[data-retry]").forEach((button) => action(button, async () => {
    const row = await api("POST", `/api/channels/write-backs/${encodeURIComponent(button.dataset.retry)}/retry`);
    const item = button.closest("li");
    item.querySelector(".badge").textContent = row.state_word;
    item.querySelector(".badge").className = `badge s-${row.state}`;
    button.remove();
    return t("retryQueued", { shipment: row.shipment });
  }));
  const form = view.querySelector("#newhook");
  action(view.querySelector("#subscribe"), async (key) => {
    const events = [...form.querySelectorAll("[name=ev]:checked")].map((box) => box.value);
    if (!events.length) throw new Error(t("pickEvents"));
    const made = await api("POST", "/api/webhooks", { url: form.querySelector("#hookurl").value.trim(), events },
      { key });
    await connectionsView();
    showSecret(made);
    return t("hookMade");
  });
}

// the signing secret, which the server shows this once: to be copied and kept before leaving the screen
function showSecret(made) {
  const { view, html } = ui;
  const box = view.querySelector("#secret");
  box.innerHTML = html`<section class="card result held" data-secret-for="${made.id}"><h3>${t("secretOnce")}</h3>
    <p>${t("secretWhy")}</p><div class="row copyrow"><code class="url secret">${made.secret}</code>
    <button class="secondary small" id="copysecret">${t("copy")}</button></div></section>`;
  box.querySelector("#copysecret").addEventListener("click", () => copy(made.secret));
  box.scrollIntoView({ block: "center" });
}

function deliveryRow(d) {
  const { html, raw } = ui;
  return html`<li data-delivery="${d.id}"><b>${eventWords(d.kind)}</b>
    <span class="badge s-${d.state}">${d.state_word}</span>
    <div class="muted">${t("deliveryFacts", { n: d.attempts, code: d.response_code ?? "—" })} · ${when(d.last_try_at || d.created_at)}</div>
    ${raw(d.last_error ? html`<div class="warn">${d.last_error}</div>` : "")}
    ${raw(d.next_try_at ? html`<div class="muted">${t("nextTry", { at: when(d.next_try_at) })}</div>` : "")}</li>`;
}

async function hookView(id) {
  const { view, html, raw, title, action } = ui;
  title(t("webhookSub"));
  const hooks = await api("GET", "/api/webhooks");
  const hook = hooks.find((s) => String(s.id) === id);
  if (!hook) throw new Error(t("hookGone"));
  const deliveries = await api("GET", `/api/webhooks/${hook.id}/deliveries?limit=50`);
  view.innerHTML = html`<section class="card"><code class="url">${hook.url}</code>
      <div><span class="badge s-${hook.active ? "active" : "paused"}">${hook.active ? t("hookActive") : t("hookPaused")}</span></div>
      <div class="muted">${listed(hook.events.map(eventWords))}</div>
      <div class="muted">${t("madeBy", { who: hook.created_by.replace(/^staff:/, ""), at: when(hook.created_at) })}</div></section>
    <div id="pinged"></div>
    <div class="row"><button class="big secondary" id="ping">${t("sendPing")}</button>
      <button class="big secondary" id="toggle">${hook.active ? t("pause") : t("resume")}</button></div>
    <h2>${t("deliveries")}</h2>
    <ul class="list deliveries">${raw(deliveries.map(deliveryRow).join("") || html`<li class="muted">${t("nothing")}</li>`)}</ul>
    <button class="big danger" id="delete">${t("deleteHook")}</button>
    <a class="big secondary" href="#/connections">${t("back")}</a>`;
  action(view.querySelector("#ping"), async () => {
    const sent = await api("POST", `/api/webhooks/${hook.id}/ping`);
    await hookView(id);
    const ok = sent.state === "delivered";
    view.querySelector("#pinged").innerHTML = html`<section class="card result ${ok ? "ok" : "bad"}" id="pingresult">
      <b>${ok ? t("pingOk", { code: sent.response_code }) : t("pingFailed")}</b>
      ${raw(sent.last_error ? html`<div>${sent.last_error}</div>` : "")}</section>`;
    if (!ok) throw new Error(sent.last_error || t("pingFailed"));
    return "";
  }, { repeat: true });
  action(view.querySelector("#toggle"), async () => {
    const changed = await api("PATCH", `/api/webhooks/${hook.id}`, { active: !hook.active });
    await hookView(id);
    return changed.active ? t("resumed") : t("paused");
  });
  action(view.querySelector("#delete"), async () => {
    if (!window.confirm(t("confirmDeleteHook", { url: hook.url }))) return "";
    await api("DELETE", `/api/webhooks/${hook.id}`);
    location.hash = "#/connections";
    return t("hookDeleted");
  }, { repeat: true });
}

export const connectionRoutes = [[/^#\/connections$/, connectionsView], [/^#\/connections\/(\d+)$/, hookView]];
