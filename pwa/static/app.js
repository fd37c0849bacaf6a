// fahuo floor app: sign-in, the work modes driven by scans, and the managers' pages.
import { api, ApiError, openPaper, session } from "./js/api.js";
import { dayChart } from "./js/chart.js";
import { language, productName, statusWord, switchLanguage, t } from "./js/i18n.js";
import { flush, newScanId, queue } from "./js/queue.js";
import { printerPanel, printShipment, shelfPrinting } from "./js/printing.js";
import { feedback, onScan, setupScanbar, showScanbar } from "./js/scanner.js";
import { drawHome, provide, screenModes, screenRoutes } from "./js/screens/index.js";
import { currentWarehouse, warehouseSwitcher } from "./js/warehouse.js";

const view = document.getElementById("view");
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const html = (strings, ...values) => strings.reduce((out, s, i) => out + s + (i <= values.length - 1
  ? (values[i]?.safe ?? esc(values[i])) : ""), "");
const raw = (text) => ({ safe: text });

function title(text) {
  document.getElementById("title").textContent = text;
  document.title = `${text} · fahuo`;
}

// -- action buttons -----------------------------------------------------------------------------------
// Every button that makes the server do something goes through `action`. While its request runs the button
// is disabled, so a second press does nothing; the request carries an idempotency key, kept for a retry
// after a network failure, so a lost answer cannot make the work happen twice either. What happened is said
// in words; pressed again after success the button says it again instead of doing the work again (`repeat`
// buttons, which only open a paper, open it again). `rearm()` readies it for a new action when its form
// changed. `run(key)` does the work and returns the words to say ("" for none).

function action(button, run, { repeat = false } = {}) {
  let key = newScanId();
  let said = null;
  const press = async () => {
    if (said !== null && !repeat) {
      if (said) feedback(true, said);
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    try {
      said = (await run(key)) ?? "";
      if (!repeat) button.classList.add("done");
      if (said) feedback(true, said);
    } catch (err) {
      if (!err.offline) key = newScanId();  // it was answered: pressing again is a new try
      feedback(false, err.offline ? t("needsNetwork") : err.message);
    } finally {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  };
  const form = button.type === "submit" ? button.form : null;  // Enter in a field presses it too
  (form || button).addEventListener(form ? "submit" : "click", (event) => {
    event.preventDefault();
    if (!button.disabled) press();
  });
  return { rearm() { key = newScanId(); said = null; button.classList.remove("done"); } };
}

// the words for an answer that an earlier copy of the same request had already brought about
const told = (answer, words) => (answer.replayed ? `${words} (${t("replayed")})` : words);

const paperButton = (button, path) => action(button, () => openPaper(path).then(() => ""), { repeat: true });

// -- the scan queue: pick and load scans go through it, online or not ---------------------------------

const scanListeners = new Set();

async function sendScan(body) {
  return api("POST", "/api/scans", body);
}

async function refreshQueueBadge() {
  const items = await queue.all();
  const pending = items.filter((i) => i.state === "pending").length;
  const refused = items.filter((i) => i.state === "refused" && !i.seen).length;  // seen on the queue screen
  const badge = document.getElementById("queue");
  badge.hidden = !pending && !refused;
  badge.textContent = refused ? `${pending} ↑ · ${refused} ✗` : `${pending} ↑`;
  badge.setAttribute("aria-label", [pending ? t("pendingCount", { n: pending }) : "",
    refused ? t("refusedCount", { n: refused }) : ""].filter(Boolean).join(" · "));
  return { pending, refused };
}

// a refused scan in one line: a wrong scan's words name the code already, other refusals get it in front
function refusalLine(body, message, code) {
  if (code === "wrong_scan") return message;
  return t("refusedCode", { code: body.code || t(`${body.mode}Mode`), message });
}

// refusals no longer worth a badge: those of a pick list finished, a shipment gone
async function forgetRefusals(belongs) {
  for (const item of await queue.all()) {
    if (item.state === "refused" && belongs(item)) await queue.remove(item.seq);
  }
  await refreshQueueBadge();
}

async function flushQueue() {
  await flush(sendScan, (item, answer, err) => {
    scanListeners.forEach((fn) => fn(item.body, answer, err));
    if (err) feedback(false, refusalLine(item.body, err.message, err.code));
  });
  await refreshQueueBadge();
}

async function submitScan(body) {
  const full = { client_scan_id: newScanId(), ...body };
  await queue.add(full);
  await refreshQueueBadge();
  if (!navigator.onLine) {
    feedback(true, `${body.code || body.mode} — ${t("queued")}`, "info");
    return;
  }
  await flushQueue();
}

window.addEventListener("online", () => { setNet(); flushQueue(); });
window.addEventListener("offline", setNet);
function setNet() { document.getElementById("net").classList.toggle("off", !navigator.onLine); }

// -- router -------------------------------------------------------------------------------------------

const routes = [
  [/^#\/login$/, loginView], [/^#\/link\/(.+)$/, linkView], [/^#\/?$/, homeView],
  [/^#\/pick$/, pickListsView], [/^#\/pick\/(.+)$/, pickView], [/^#\/pack$/, packView],
  [/^#\/load$/, loadView], [/^#\/receive$/, receiveView], [/^#\/transfer$/, transferView],
  [/^#\/lookup$/, lookupView], [/^#\/lookup\/(.+)$/, lookupView], [/^#\/held$/, heldView],
  [/^#\/purchase$/, purchaseView], [/^#\/dashboard$/, dashboardView], [/^#\/labels$/, labelsView],
  [/^#\/queue$/, queueView],
];
routes.push(...screenRoutes);  // orders and search, stock, transfers, after-sales, phone orders, … (js/screens/)

async function route() {
  const hash = location.hash || "#/";
  if (!session.token && !hash.startsWith("#/login") && !hash.startsWith("#/link/")) {
    location.hash = "#/login";
    return;
  }
  scanListeners.clear();
  onScan(null);
  showScanbar(false);
  for (const [pattern, render] of routes) {
    const match = hash.match(pattern);
    if (match) {
      try {
        await render(...match.slice(1).map(decodeURIComponent));
      } catch (err) {
        view.innerHTML = html`<p class="refused">${err.message}</p>`;
      }
      document.body.dataset.ready = hash;
      return;
    }
  }
  location.hash = "#/";
}

// -- sign-in ------------------------------------------------------------------------------------------

function loginView() {
  title(t("signIn"));
  view.innerHTML = html`<form id="login" class="card">
    <label for="username">${t("username")}</label><input id="username" autocomplete="username" required>
    <label for="password">${t("password")}</label>
    <input id="password" type="password" autocomplete="current-password" required>
    <button class="big" type="submit">${t("signIn")}</button></form>`;
  action(view.querySelector("#login button"), async () => {
    session.save(await api("POST", "/api/auth/login", {
      username: view.querySelector("#username").value, password: view.querySelector("#password").value }));
    location.hash = "#/";
    return "";
  });
}

async function linkView(token) {
  title(t("signIn"));
  view.innerHTML = html`<p>${t("linkSignIn")}</p>`;
  session.save(await api("POST", "/api/auth/link", { token }));
  location.replace("#/");
}

const MODES = {
  picker: ["pick", "lookup"],
  packer: ["pick", "pack", "receive", "lookup"],
  dispatcher: ["load", "receive", "transfer", "lookup", "labels"],
  manager: ["held", "dashboard", "stock", "purchase", "pick", "pack", "load", "receive", "transfer", "lookup", "labels"],
  admin: ["held", "dashboard", "stock", "purchase", "pick", "pack", "load", "receive", "transfer", "lookup", "labels"],
};

for (const [role, modes] of Object.entries(screenModes)) MODES[role]?.push(...modes);

async function homeView() {
  const staff = session.staff;
  title(`${staff.display_name || staff.username}`);
  await drawHome(view, MODES[staff.role] || ["lookup"]);  // what waits, then the tasks (js/screens/home.js)
  view.insertAdjacentHTML("beforeend", html`<p><a href="#/queue">${t("queued")}</a></p>
    <button class="big secondary" id="signout">${t("signOut")}</button>`);
  action(view.querySelector("#signout"), async () => {
    await api("POST", "/api/auth/logout").catch(() => null);  // signed out here even if the server is away
    session.clear();
    location.hash = "#/login";
    return "";
  });
}

// -- pick ---------------------------------------------------------------------------------------------

async function pickListsView() {
  title(t("pick"));
  view.innerHTML = html`<div id="whbox"></div><h2>${t("openLists")}</h2><ul class="list" id="lists"></ul>
    <button class="big" id="cart">${t("newCart")}</button>`;
  const cart = action(view.querySelector("#cart"), async (key) => {
    const list = await api("POST", "/api/pick-lists", { warehouse: currentWarehouse(), max_orders: 6 }, { key });
    location.hash = `#/pick/${list.number}`;
    return "";
  });
  const show = async (warehouse) => {  // the open lists of the warehouse this phone works in
    const lists = await api("GET", `/api/pick-lists?warehouse=${encodeURIComponent(warehouse)}`);
    view.querySelector("#lists").innerHTML = lists.map((l) => html`<li><a href="#/pick/${l.number}">${l.number}</a>
      <span class="muted">${l.picker_name || l.picker || ""}</span></li>`).join("") || html`<li class="muted">${t("nothing")}</li>`;
  };
  const warehouse = await warehouseSwitcher(view.querySelector("#whbox"), (code) => {
    cart.rearm();
    show(code).catch((err) => feedback(false, err.message));
  });
  await show(warehouse);
  showScanbar(true, t("scanHere"));
  onScan((code) => {  // a pick list's own label (or its number typed) opens it; anything else is not a list
    const number = code.startsWith("FH:PL:") ? code.slice(6) : code;
    if (/^FH:/.test(number) || !/^PL-/i.test(number)) {
      const kind = code.match(/^FH:([A-Z]+):/)?.[1];
      const what = ["SKU", "LOC", "ORD", "PKG", "VEH", "PO"].includes(kind) ? `scanned${kind}` : "scanned";
      feedback(false, t("openListFirst", { code, what: t(what) }));
      return;
    }
    location.hash = `#/pick/${number}`;
  });
}

function taskCard(state) {
  const c = state.current;
  if (!c) return html`<div class="card"><p class="step">${t("done")}</p><p>${t("allPicked")}</p></div>`;
  return html`<div class="card task" data-step="${state.step}">
    <span class="step">${state.step === "location" ? t("scanLocation") : t("scanProduct")}</span>
    <div class="where">${c.location}</div>
    <div class="what"><b>${c.sku}</b> · ${productName(c)}</div>
    <div class="count">${t("pickedOf", { done: c.picked, of: c.qty })}</div>
    <div class="muted">${t("tote")} ${c.tote} · ${c.order}</div></div>`;
}

const toScanbar = () => document.getElementById("scan").focus({ preventScroll: true });

// how many of the product were taken, asked when more than one is to be taken
function countCard(state, counting, list) {
  const c = state.current;
  const qty = Number(counting.value);
  return html`<form id="countform" class="card count-form" autocomplete="off">
    <label for="count">${t("howMany", { left: c.qty - c.picked, sku: c.sku })}</label>
    <input id="count" inputmode="numeric" enterkeyhint="go" value="${counting.value}">
    ${raw(counting.confirming ? html`<p class="confirm">${t("pickConfirm", { qty, sku: c.sku, name: productName(c),
      list, left: c.qty - c.picked })}</p>` : "")}
    <div class="row"><button class="big" type="submit">${t(counting.confirming ? "confirm" : "pickCountGo")}</button>
    <button class="big secondary" type="button" id="countcancel">${t("cancel")}</button></div></form>`;
}

// how far the cart still goes: bins left to visit and the length of the whole walk
function routeLine(state) {
  if (!state.current) return "";
  const stops = state.stops_left ?? state.tasks_left;
  return t(stops === 1 ? "routeLeftOne" : "routeLeft", { stops, metres: Math.round(state.route_m || 0) });
}

async function pickView(number) {
  title(`${t("pick")} ${number}`);
  let state;
  try {
    state = await api("GET", `/api/pick-lists/${encodeURIComponent(number)}`);
    localStorage.setItem(`fahuo.pl.${number}`, JSON.stringify(state));
  } catch (err) {
    if (!err.offline) throw err;
    state = JSON.parse(localStorage.getItem(`fahuo.pl.${number}`) || "null");
    if (!state) throw err;
    feedback(true, t("offline"), "info");
  }
  let counting = null;  // a product scanned with more than one to take: {code, scans, value, confirming}
  const draw = () => {
    view.innerHTML = html`${raw(taskCard(state))}
      ${raw(counting && state.current ? countCard(state, counting, number) : "")}
      <p class="muted route">${routeLine(state)}</p>
      ${raw(state.notices?.length ? html`<div class="card">${state.notices.join(" · ")}</div>` : "")}
      <button class="big danger" id="short" ${state.current ? "" : "hidden"}>${t("short")}</button>
      <form id="shortform" class="card" hidden><label for="inbin">${t("stillInBin")}</label>
        <input id="inbin" type="number" inputmode="numeric" min="0" step="1" value="0">
        <button class="big danger" type="submit">${t("reportShort")}</button></form>
      <div id="pending" class="pending"></div>`;
    // the picker says what is really left on the shelf: that becomes the bin's stock. One press reports the
    // task shown once; the answer draws the next task with a new form.
    const form = view.querySelector("#shortform");
    view.querySelector("#short").addEventListener("click", () => {
      form.hidden = !form.hidden;
      if (!form.hidden) form.querySelector("input").select();
    });
    action(form.querySelector("button"), async () => {
      const left = Number.parseInt(form.querySelector("input").value, 10);
      await submitScan({ mode: "short", pick_list: number, in_bin: Number.isInteger(left) && left > 0 ? left : 0 });
      return navigator.onLine ? "" : t("shortQueued");
    });
    localStorage.setItem(`fahuo.pl.${number}`, JSON.stringify(state));
    countForm();
    showPending();
  };
  // scans still waiting to be sent; a refusal is said once, in the feedback line as it comes back, and kept
  // in the queue screen (the badge counts it), not repeated here
  const showPending = async () => {
    const items = (await queue.all()).filter((i) => i.body.pick_list === number && i.state !== "refused");
    const box = view.querySelector("#pending");
    if (box) box.innerHTML = items.map((i) => html`<div class="${i.state}">${i.body.code || t(`${i.body.mode}Mode`)}
      — ${t("queued")}</div>`).join("");
  };
  // what the screen can tell without the server: the scan fits the task it shows, or it does not
  const isProduct = (code, c) => code === `FH:SKU:${c.sku}` || code === c.barcode;
  const predict = (code, qty) => {
    const c = state.current;
    if (!c) return;
    if (state.step === "location" && code === `FH:LOC:${c.location}`) state.step = "product";
    else if (state.step === "product" && isProduct(code, c)) c.picked += qty;
  };
  const send = async (code, qty) => {
    const c = state.current;
    counting = null;
    if (!navigator.onLine && c) {
      const fits = state.step === "location" ? code === `FH:LOC:${c.location}` : isProduct(code, c);
      if (!fits) {
        feedback(false, `${code} ✗ ${t("expectedIs", { what: state.step === "location" ? c.location
          : `${c.sku} · ${productName(c)}` })}`);
        draw();
        return;
      }
      predict(code, qty);
    }
    draw();
    toScanbar();  // the count is done with: the scanner types into the scan field again
    await submitScan({ mode: "pick", code, pick_list: number, qty });
  };
  // more than one to take: how many is asked, the rest preselected (Enter takes it, a number typed replaces
  // it, each further scan of the product counts one), and a count above one is confirmed before it is sent
  const countForm = () => {
    const form = view.querySelector("#countform");
    if (!form) return;
    const input = form.querySelector("input");
    const c = state.current;
    const left = c.qty - c.picked;
    input.addEventListener("input", () => { counting.confirming = false; form.querySelector(".confirm")?.remove(); });
    form.querySelector("#countcancel").addEventListener("click", () => { counting = null; draw(); toScanbar(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const typed = input.value.trim();
      // a scanner typed a code into the count (a product's own barcode is digits too): it is a scan
      if (!/^\d{1,6}$/.test(typed) || typed === c.barcode) {
        input.value = counting.value;
        await scanned(typed);
        return;
      }
      const qty = Number.parseInt(typed, 10);
      if (qty < 1) { feedback(false, t("qtyWhole")); return; }
      if (qty > left) { feedback(false, t("overPick", { qty, left, sku: c.sku })); input.select(); return; }
      if (qty > 1 && !counting.confirming) {
        counting = { ...counting, value: String(qty), confirming: true };
        draw();
        return;
      }
      await send(counting.code, qty);
    });
    setTimeout(() => { input.focus({ preventScroll: true }); input.select(); }, 0);
  };
  const scanned = async (code) => {
    const c = state.current;
    if (c && state.step === "product" && isProduct(code, c) && c.qty - c.picked > 1) {
      // the first scan offers all that is left; scanning the product again counts the scans instead
      counting = counting ? { ...counting, scans: counting.scans + 1, value: String(counting.scans + 1),
        confirming: false } : { code, scans: 1, value: String(c.qty - c.picked), confirming: false };
      if (Number(counting.value) > c.qty - c.picked) {
        feedback(false, t("overPick", { qty: counting.value, left: c.qty - c.picked, sku: c.sku }));
        counting.value = String(c.qty - c.picked);
      }
      draw();
      return;
    }
    await send(code, 1);
  };
  scanListeners.add((body, answer, err) => {
    if (body.pick_list !== number) return;
    if (answer) {
      state = { ...state, ...answer };
      feedback(true, answer.prompt);
      if (answer.step === "done") forgetRefusals((item) => item.body.pick_list === number);
      draw();
    } else if (err) {
      draw();
    }
  });
  draw();
  showScanbar(true, t("scanHere"));
  onScan(scanned);
}

// -- pack ---------------------------------------------------------------------------------------------

async function packView() {
  title(t("pack"));
  let order = null;
  let lastPacked = null;  // the shipment just packed: its carrier, waybill and labels stay until the next order
  let wanted = {};
  const boxes = [{ contents: {} }];
  const printer = printerPanel();  // the station's label printer, kept on this device
  const draw = () => {
    if (!order) {
      view.innerHTML = html`<div id="result"></div><p class="hint">${t("scanOrder")}</p>`;
      view.prepend(printer.element);
      showPacked();
      return;
    }
    const packed = {};
    boxes.forEach((b) => Object.entries(b.contents).forEach(([sku, q]) => { packed[sku] = (packed[sku] || 0) + q; }));
    const line = (sku) => order.lines.find((l) => l.sku === sku);
    const rows = Object.entries(wanted).map(([sku, q]) => html`<tr class="${(packed[sku] || 0) === q ? "" : "low"}">
      <td><b>${sku}</b><div class="muted">${productName(line(sku))}</div></td>
      <td class="num">${t("packedOf", { done: packed[sku] || 0, of: q })}</td></tr>`).join("");
    view.innerHTML = html`<div id="result"></div><h2>${order.number}</h2><table><tr><th>${t("item")}</th><th class="num">${t("progress")}</th></tr>
      ${raw(rows)}</table>
      ${raw(boxes.map((b, i) => html`<div class="card package"><b>${t("package")} ${i + 1}</b>
        <span class="muted">${Object.entries(b.contents).map(([s, q]) => `${s} × ${q}`).join(", ")}</span>
        <label for="w${i}">${t("weight")}</label><input id="w${i}" class="w" data-i="${i}" inputmode="numeric"
          value="${b.weight_g || ""}" placeholder="${t("weighIt")}">
        <label for="s${i}">${t("size")}</label><input id="s${i}" class="s" data-i="${i}" value="${b.size || "300×200×150"}">
        </div>`).join(""))}
      <button class="big secondary" id="next">${t("newPackage")}</button>
      <button class="big" id="finish">${t("finishPacking")}</button>`;
    view.prepend(printer.element);
    view.querySelectorAll("input.w").forEach((el) => el.addEventListener("input", () => {
      boxes[el.dataset.i].weight_g = Number.parseInt(el.value, 10) || 0; }));
    view.querySelectorAll("input.s").forEach((el) => el.addEventListener("input", () => {
      boxes[el.dataset.i].size = el.value; }));
    view.querySelector("#next").addEventListener("click", () => {
      if (!Object.keys(boxes[boxes.length - 1].contents).length) {  // one empty package at a time
        feedback(false, t("packageEmpty", { n: boxes.length }));
        return;
      }
      boxes.push({ contents: {} });
      draw();
    });
    action(view.querySelector("#finish"), finish);
  };
  // the shipment just packed, above the form it came from (or alone once another scan redrew the screen)
  const showPacked = () => {
    const box = view.querySelector("#result");
    if (!box || !lastPacked) return;
    box.innerHTML = packedCard(lastPacked);
    box.querySelectorAll("[data-label]").forEach((el) =>
      paperButton(el, `/api/packages/${encodeURIComponent(el.dataset.label)}/label.png`));
    box.scrollIntoView({ block: "nearest" });
  };
  // a package's weight is what the scale says: with none entered the packer is asked, never a guess sent
  const ask = (i, words) => {
    const input = view.querySelector(`#${words === "weightNeeded" ? "w" : "s"}${i}`);
    input?.classList.add("missing");
    input?.focus();
    return new Error(t(words, { n: i + 1 }));
  };
  const finish = async (key) => {
    const packages = [];
    for (const [i, b] of boxes.entries()) {
      if (!Object.keys(b.contents).length) continue;
      const [l, w, h] = (b.size || "300×200×150").split(/[×x* ]+/).map(Number);
      if (!(b.weight_g > 0)) throw ask(i, "weightNeeded");
      if (![l, w, h].every((n) => Number.isInteger(n) && n > 0)) throw ask(i, "sizeNeeded");
      packages.push({ weight_g: b.weight_g, length_mm: l, width_mm: w, height_mm: h,
        contents: Object.entries(b.contents).map(([sku, qty]) => ({ sku, qty })) });
    }
    if (!packages.length) throw new Error(t("packNothing"));
    const packed = {};
    packages.forEach((p) => p.contents.forEach(({ sku, qty }) => { packed[sku] = (packed[sku] || 0) + qty; }));
    const missing = Object.entries(wanted).filter(([sku, q]) => (packed[sku] || 0) !== q);
    if (missing.length) {
      throw new Error(t("packMissing", { list: missing.map(([sku, q]) => `${sku} ${packed[sku] || 0}/${q}`).join(", ") }));
    }
    const number = order.number;
    const shipment = await api("POST", `/api/orders/${encodeURIComponent(number)}/packages`, { packages }, { key });
    order = null;  // the next scan is the next order; until then what was packed stays on the screen
    lastPacked = shipment;
    showPacked();
    printShipment(shipment, view.querySelector("#labels"));  // to the station's printer at once, if it has one
    return told(shipment, t("packed", { order: number, shipment: shipment.number, carrier: shipment.carrier_said
      || shipment.carrier || "—", waybill: shipment.waybill || "" }).trim());
  };
  draw();
  showScanbar(true, t("scanOrder"));
  onScan(async (code) => {
    if (!order || code.startsWith("FH:ORD:")) {
      if (!order && /^FH:/.test(code) && !code.startsWith("FH:ORD:")) {  // a product or bin before the order
        feedback(false, `${code} ✗ ${t("scanOrder")}`);
        return;
      }
      const number = code.startsWith("FH:ORD:") ? code.slice(7) : code;
      try {
        order = await api("GET", `/api/orders/${encodeURIComponent(number)}`);
        lastPacked = null;  // the next order is started: the last one's result goes
        wanted = Object.fromEntries(order.lines.map((l) => [l.sku, l.qty]));
        boxes.splice(0, boxes.length, { contents: {} });
        feedback(true, `${order.number}: ${statusWord(order.status)}`);
      } catch (err) { feedback(false, err.message); }
      draw();
      return;
    }
    const sku = code.startsWith("FH:SKU:") ? code.slice(7)
      : order.lines.find((l) => l.barcode === code)?.sku || code;
    const packedSoFar = boxes.reduce((a, b) => a + (b.contents[sku] || 0), 0);
    if (!(sku in wanted)) { feedback(false, `${sku} ✗ ${t("expectedSku", { what: Object.keys(wanted).join(", ") })}`); return; }
    if (packedSoFar >= wanted[sku]) { feedback(false, t("allPacked", { sku })); return; }
    const box = boxes[boxes.length - 1];
    box.contents[sku] = (box.contents[sku] || 0) + 1;
    const item = order.lines.find((l) => l.sku === sku);
    feedback(true, `${sku} · ${productName(item)} → ${t("package")} ${boxes.length}`);
    draw();
  });
}

// what was just packed, kept on the screen: carrier (in the reader's words), waybill, each package's label
function packedCard(shipment) {
  return html`<div class="card packed" data-shipment="${shipment.number}">
    <p class="step">${t("packedDone", { order: shipment.order })}</p>
    <table><tr><th>${t("shipment")}</th><td>${shipment.number}</td></tr>
      <tr><th>${t("carrier")}</th><td class="carrier">${shipment.carrier_said || shipment.carrier || "—"}</td></tr>
      <tr><th>${t("waybill")}</th><td class="waybill">${shipment.waybill || t("waybillLater")}</td></tr></table>
    <div id="labels">${raw(shipment.packages.map((p) => html`<button class="big secondary" data-label="${p.number}">
      ${t("reprintLabel", { package: p.number })}</button>`).join(""))}</div></div>`;
}

// a planned van's shipments in the order they go in (the last stop first), the one loading now marked
function loadingOrder(stops) {
  if (!stops?.length) return "";
  return html`<div class="card loading-order"><b>${t("loadingOrder")}</b><ol>${raw(stops.map((s) => html`<li
    class="${s.this ? "this" : ""} ${s.waiting ? "" : "loaded"}"><span class="stop">${t("stopN", { seq: s.seq })}</span>
    <b>${s.shipment}</b> ${s.recipient}<div class="muted">${s.address}</div>
    <div>${s.waiting ? t("toLoad", { n: s.waiting }) : "✓"}</div></li>`).join(""))}</ol></div>`;
}

// -- load and dispatch --------------------------------------------------------------------------------

async function loadView() {
  title(t("load"));
  let shipment = null;
  let progress = null;
  const draw = () => {
    if (!shipment) {
      view.innerHTML = html`<p class="hint">${t("scanPackages")} / ${t("shipment")}</p>`;
      return;
    }
    const waiting = progress?.waiting ?? shipment.packages.map((p) => p.number);
    const carrier = shipment.carrier_said || shipment.carrier || "";
    // our van is scanned first; an outside carrier's shipment goes to its courier, package by package
    const step = !shipment.own_fleet ? t("handToCourier", { carrier })
      : progress?.vehicle ? t("scanPackages") : t("scanVehicle");
    view.innerHTML = html`<h2>${shipment.number}</h2>
      <p class="load-head">${carrier} ${shipment.waybill || ""} · ${shipment.order}</p>
      ${raw(progress?.out_of_order ? html`<div class="card warn out-of-order">${progress.out_of_order}</div>` : "")}
      <div class="card task load"><span class="step">${step}</span>
        <div class="where">${shipment.own_fleet ? progress?.vehicle || "—" : carrier}</div>
        <div class="count">${t(shipment.own_fleet ? "loadedOf" : "handedOf",
          { done: progress ? progress.loaded : 0, of: shipment.packages.length })}</div>
        <div class="muted">${waiting.join(" · ")}</div></div>
      ${raw(loadingOrder(progress?.loading_order))}
      <button class="big" id="dispatch" ${progress?.ready ? "" : "disabled"}>${t("confirmDispatch")}</button>
      <button class="big secondary" id="note">${t("deliveryNote")}</button><div id="done"></div>`;
    const papers = `/api/shipments/${encodeURIComponent(shipment.number)}/documents`;
    paperButton(view.querySelector("#note"), `${papers}/delivery-note.pdf`);
    action(view.querySelector("#dispatch"), async (key) => {
      const done = await api("POST", `/api/shipments/${encodeURIComponent(shipment.number)}/dispatch`, undefined, { key });
      view.querySelector("#done").innerHTML = html`<button class="big secondary" id="conf">${t("confirmation")}
        ${done.confirmation}</button>`;
      paperButton(view.querySelector("#conf"), `${papers}/confirmation.pdf`);
      view.querySelector(".card .step").textContent = t("done");
      const gone = shipment.number;
      forgetRefusals((item) => item.body.shipment === gone);
      shipment = null; progress = null;  // the next package label starts the next shipment
      return told(done, t("dispatched", { shipment: done.number, confirmation: done.confirmation }));
    });
  };
  scanListeners.add((body, answer) => {
    if (!shipment || body.shipment !== shipment.number || !answer) return;
    progress = answer;
    // a package out of the planned order goes in all the same, said in amber with what should have gone first
    if (answer.out_of_order) feedback(true, `${answer.message} · ${answer.out_of_order}`, "warn");
    else feedback(true, answer.message);
    draw();
  });
  draw();
  showScanbar(true, t("scanHere"));
  onScan(async (code) => {
    if (!shipment) {  // a package label or a shipment number says which shipment is loading
      try {
        let number = code;
        if (code.startsWith("FH:PKG:")) number = (await api("GET", `/api/lookup?code=${encodeURIComponent(code)}`))
          .refs.shipment;
        else if (/^FH:/.test(code)) throw new Error(`${code} ✗ ${t("scanPackages")}`);
        shipment = await api("GET", `/api/shipments/${encodeURIComponent(number)}`);
        progress = null;
        feedback(true, `${shipment.number} — ${shipment.own_fleet ? t("scanVehicle")
          : t("handToCourier", { carrier: shipment.carrier_said || shipment.carrier })}`);
      } catch (err) { feedback(false, err.message); }
      draw();
      // a courier takes it package by package: the label that named the shipment is the first handed over
      if (shipment && !shipment.own_fleet && code.startsWith("FH:PKG:")) {
        await submitScan({ mode: "load", code, shipment: shipment.number });
      }
      return;
    }
    await submitScan({ mode: "load", code, shipment: shipment.number });
  });
}

// -- receive and transfer -----------------------------------------------------------------------------

async function receiveView() {
  title(t("receive"));
  let po = null;
  let line = null;
  const draw = () => {
    if (!po) { view.innerHTML = html`<p class="hint">${t("scanPO")}</p>`; return; }
    view.innerHTML = html`<h2>${po.title}</h2><table><tr>${raw(po.table.head.map((h) => html`<th>${h}</th>`).join(""))}</tr>
      ${raw(po.table.rows.map((r) => html`<tr>${raw(r.map((c) => html`<td>${c}</td>`).join(""))}</tr>`).join(""))}</table>
      ${raw(line ? html`<div class="card"><b>${line}</b><label>${t("qty")}</label><input id="qty" inputmode="numeric" value="1">
        <label>${t("putAway")}</label><input id="loc" placeholder="RCV">
        <button class="big" id="book">${t("book")}</button></div>` : "")}`;
    const book = view.querySelector("#book");
    if (!book) return;
    const booking = action(book, async (key) => {
      const qty = Number(view.querySelector("#qty").value);
      if (!Number.isInteger(qty) || qty < 1) throw new Error(t("qtyWhole"));
      const body = { lines: [{ sku: line, qty }] };
      const loc = view.querySelector("#loc").value.trim().replace(/^FH:LOC:/, "");
      if (loc) body.lines[0].location = loc;
      const number = po.code.replace(/^FH:PO:/, "");
      const answer = await api("POST", `/api/purchase-orders/${encodeURIComponent(number)}/receive`, body, { key });
      const words = told(answer, t("booked", { sku: line, qty, po: number }));
      po = await api("GET", `/api/lookup?code=${encodeURIComponent(po.code)}`);
      line = null;
      draw();  // the form is done with: the purchase order as it stands now, ready for the next product
      return words;
    });
    view.querySelectorAll("#qty, #loc").forEach((el) => el.addEventListener("input", booking.rearm));
  };
  draw();
  showScanbar(true, t("scanHere"));
  onScan(async (code) => {
    if (!navigator.onLine) { feedback(false, t("needsNetwork")); return; }
    if (!po || code.startsWith("FH:PO:")) {
      try { po = await api("GET", `/api/lookup?code=${encodeURIComponent(code)}`); } catch (err) { feedback(false, err.message); }
      if (po && po.kind !== "purchase_order") { feedback(false, t("expectedIs", { what: "FH:PO:…" })); po = null; }
    } else if (code.startsWith("FH:LOC:") && line) {
      view.querySelector("#loc").value = code.slice(7);
      view.querySelector("#loc").dispatchEvent(new Event("input"));
      return;
    } else {
      const sku = code.startsWith("FH:SKU:") ? code.slice(7) : code;
      if (!po.table.rows.some((r) => r[0] === sku)) { feedback(false, t("notPoProduct", { sku, what: po.table.rows.map((r) => r[0]).join(", ") })); return; }
      line = sku;
    }
    draw();
  });
}

async function transferView() {
  title(t("transfer"));
  let lines = {};
  view.innerHTML = html`<div class="row"><div id="whbox"></div>
    <div><label for="to">${t("to")}</label><input id="to" value=""></div></div>
    <table><tbody id="lines"></tbody></table>
    <button class="big" id="create">${t("create")}</button>`;
  const drawLines = () => {
    view.querySelector("#lines").innerHTML = Object.entries(lines).map(([s, q]) =>
      html`<tr><td>${s}</td><td class="num">${q}</td></tr>`).join("");
  };
  const create = action(view.querySelector("#create"), async (key) => {
    const from = currentWarehouse();
    const to = view.querySelector("#to").value.trim();
    const units = Object.values(lines).reduce((a, q) => a + q, 0);
    if (!units) throw new Error(t("transferNothing"));
    if (!to) throw new Error(t("transferTo"));
    const made = await api("POST", "/api/transfers", { from_warehouse: from, to_warehouse: to,
      lines: Object.entries(lines).map(([sku, qty]) => ({ sku, qty })) }, { key });
    lines = {};  // the form starts over for the next transfer; this button keeps saying what was made
    view.querySelector("#to").value = "";
    drawLines();
    return told(made, t("transferMade", { number: made.number, units, from, to }));
  });
  view.querySelector("#to").addEventListener("input", create.rearm);
  await warehouseSwitcher(view.querySelector("#whbox"), create.rearm);
  showScanbar(true, t("scanProduct"));
  onScan((code) => {
    const sku = code.startsWith("FH:SKU:") ? code.slice(7) : code;
    lines[sku] = (lines[sku] || 0) + 1;
    feedback(true, `${sku} × ${lines[sku]}`);
    drawLines();
    create.rearm();
  });
}

// -- look up ------------------------------------------------------------------------------------------

function answerCard(found) {
  return html`<div class="card" data-kind="${found.kind}"><h2>${found.title}</h2>
    <table>${raw(found.facts.map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`).join(""))}</table>
    ${raw(found.table.rows.length ? html`<table><tr>${raw(found.table.head.map((h) => html`<th>${h}</th>`).join(""))}</tr>
      ${raw(found.table.rows.map((r) => html`<tr>${raw(r.map((c) => html`<td>${c}</td>`).join(""))}</tr>`).join(""))}</table>` : "")}</div>`;
}

let lookedUp = null;  // the code last looked up: drawn again, in the language now chosen, when the screen is

// a code scanned or typed here, or one a link names (#/lookup/<code>: what the search and the lists open)
async function lookupView(opened) {
  title(t("lookup"));
  view.innerHTML = html`<p class="hint">${t("scanHere")}</p>`;
  showScanbar(true, t("scanHere"));
  const show = async (code, say) => {
    try {
      const found = await api("GET", `/api/lookup?code=${encodeURIComponent(code)}`
        + (currentWarehouse() ? `&warehouse=${encodeURIComponent(currentWarehouse())}` : ""));
      lookedUp = code;
      view.innerHTML = answerCard(found);
      if (say) feedback(true, found.title);  // a scan is answered aloud; an opened card speaks for itself
    } catch (err) { if (say || code === opened) feedback(false, err.offline ? t("needsNetwork") : err.message); }
  };
  onScan((code) => show(code, true));
  const again = opened || lookedUp;
  if (again) await show(again, false);
}

// -- managers -----------------------------------------------------------------------------------------

// the address as the server writes it on one line (each place named once), then the postcode
function heldAddress(a) {
  return [a.written, a.postcode].filter(Boolean).join(" ");
}

// a held order as a manager decides it: who, what, where to, and why review stopped it
function heldCard(o, detail) {
  const lines = detail?.lines || [];
  return html`<li data-order="${o.number}" class="held">
    <div class="held-head"><b>${o.number}</b><span class="total">¥${o.total}</span></div>
    <div class="why"><span class="tag">${t("whyHeld")}</span> ${o.hold_reason}</div>
    <table class="held-lines">${raw(lines.map((l) => html`<tr><td><b>${l.sku}</b> ${productName(l)}</td>
      <td class="num">× ${l.qty}</td><td class="num">¥${l.unit_price}</td></tr>`).join(""))}</table>
    ${raw(detail ? html`<div class="addr"><span class="muted">${t("customer")}</span> ${o.customer}
      · ${detail.address.recipient} ${detail.address.phone_display}<br><span class="muted">${t("address")}</span>
      ${heldAddress(detail.address)}</div>` : "")}
    <input class="reason" placeholder="${t("reason")}"><div class="row">
    <button class="big" data-act="approve">${t("approve")}</button>
    <button class="big danger" data-act="reject">${t("reject")}</button></div></li>`;
}

async function heldView() {
  title(t("held"));
  const orders = await api("GET", "/api/orders?status=on_hold");
  const details = await Promise.all(orders.map((o) => api("GET", `/api/orders/${encodeURIComponent(o.number)}`)
    .catch(() => null)));
  view.innerHTML = html`<ul class="list">${raw(orders.map((o, i) => heldCard(o, details[i])).join("")
    || html`<li class="muted">${t("nothing")}</li>`)}</ul>`;
  view.querySelectorAll("button[data-act]").forEach((button) => action(button, async (key) => {
    const item = button.closest("li");
    const answer = await api("POST", `/api/orders/${encodeURIComponent(item.dataset.order)}/${button.dataset.act}`,
      { reason: item.querySelector(".reason").value }, { key });
    item.remove();
    return told(answer, t(button.dataset.act === "approve" ? "approved" : "rejected", { order: item.dataset.order }));
  }));
}

async function purchaseView() {
  title(t("purchase"));
  const drafts = await api("GET", "/api/purchase-orders?status=draft");
  view.innerHTML = html`<ul class="list">${raw(drafts.map((po) => html`<li data-po="${po.number}"><b>${po.number}</b>
    ${po.supplier} → ${po.warehouse}<table class="po-lines">${raw(po.lines.map((l) => html`<tr><td><b>${l.sku}</b>
    ${productName(l)}</td><td class="num">× ${l.qty}</td></tr>`).join(""))}</table>
    <button class="big" data-confirm>${t("confirm")}</button></li>`).join("")
    || html`<li class="muted">${t("nothing")}</li>`)}</ul>`;
  view.querySelectorAll("[data-confirm]").forEach((button) => action(button, async (key) => {
    const item = button.closest("li");
    const answer = await api("POST", `/api/purchase-orders/${encodeURIComponent(item.dataset.po)}/confirm`, undefined,
      { key });
    item.remove();
    return told(answer, t("poConfirmed", { po: item.dataset.po }));
  }));
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

async function dashboardView() {
  title(t("dashboard"));
  const d = await api("GET", "/api/dashboard?days=14");
  const pct = d.on_time_rate == null ? "–" : `${Math.round(d.on_time_rate * 100)}%`;
  view.innerHTML = html`<div class="figures"><div><b>${pct}</b>${t("onTime")}</div>
    <div><b>${d.order_to_ship_hours ?? "–"}</b>${t("toShip")}</div><div><b>${d.backordered}</b>${t("backordered")}</div>
    <a href="#/stuck" class="${d.stuck_no_carrier ? "warn" : ""}"><b>${d.stuck_no_carrier}</b>${t("stuckNow")}</a></div>
    ${raw(dayChart(d.days, d.received, d.shipped,
      { in: t("received"), out: t("shipped"), day: t("day"), orders: t("orders") }))}
    <p class="muted legend"><span class="key-in">■</span> ${t("inDays", { n: sum(d.received) })} ·
      <span class="key-out">■</span> ${t("outDays", { n: sum(d.shipped) })} · ${t("heldNow", { n: d.on_hold })}</p>`;
}

async function labelsView() {
  title(t("labels"));
  view.innerHTML = html`<div id="whbox"></div><button class="big" id="locsheet">${t("locationsSheet")}</button>
    <button class="big" data-paper="/api/labels/products.pdf">${t("productsSheet")}</button>
    <label>${t("shipment")}</label><input id="sh" placeholder="SH-…">
    <div class="row"><button class="big secondary" data-doc="delivery-note">${t("deliveryNote")}</button>
    <button class="big secondary" data-doc="waybill">${t("waybill")}</button>
    <button class="big secondary" data-doc="confirmation">${t("confirmation")}</button></div>`;
  view.querySelectorAll("[data-paper]").forEach((b) => paperButton(b, b.dataset.paper));
  const sheet = view.querySelector("#locsheet");
  action(sheet, () => openPaper(`/api/labels/locations.pdf?warehouse=${encodeURIComponent(currentWarehouse())}`)
    .then(() => ""), { repeat: true });
  const named = (code) => { sheet.textContent = `${t("locationsSheet")} ${code}`; };
  named(await warehouseSwitcher(view.querySelector("#whbox"), named));
  shelfPrinting(view, currentWarehouse);
  view.querySelectorAll("[data-doc]").forEach((b) => action(b, async () => {
    const number = view.querySelector("#sh").value.trim();
    if (!number) throw new Error(t("nameShipment"));
    await openPaper(`/api/shipments/${encodeURIComponent(number)}/documents/${b.dataset.doc}.pdf`);
    return "";
  }, { repeat: true }));
}

// scans waiting to be sent and scans refused: each refusal in one line, dismissed one by one or all at once
async function queueView() {
  title(t("scanQueue"));
  const items = await queue.all();
  const refused = items.filter((i) => i.state === "refused");
  for (const item of refused.filter((i) => !i.seen)) await queue.seen(item);  // shown here: the badge lets go
  refreshQueueBadge();
  view.innerHTML = html`<ul class="list queue-items">${raw(items.map((i) => html`<li class="${i.state}">
    ${raw(i.state === "refused" ? html`<button class="dismiss" data-seq="${i.seq}" aria-label="✗">✗</button>` : "")}
    <div class="doc">${i.body.pick_list || i.body.shipment || ""}</div>
    <div>${i.state === "refused" ? refusalLine(i.body, i.message, i.code)
      : `${i.body.code || t(`${i.body.mode}Mode`)} — ${t("queued")}`}</div></li>`).join("")
    || html`<li class="muted">${t("nothing")}</li>`)}</ul>
    ${raw(refused.length ? html`<button class="big secondary" id="clear-refused">${t("clearRefused",
      { n: refused.length })}</button>` : "")}`;
  view.querySelectorAll("[data-seq]").forEach((b) => b.addEventListener("click", async () => {
    await queue.remove(Number(b.dataset.seq)); await refreshQueueBadge(); queueView();
  }));
  view.querySelector("#clear-refused")?.addEventListener("click", async () => {
    for (const item of refused) await queue.remove(item.seq);
    await refreshQueueBadge();
    queueView();
  });
}

// -- start --------------------------------------------------------------------------------------------

document.getElementById("lang").addEventListener("click", () => { switchLanguage(); paintLang(); route(); });
document.getElementById("queue").addEventListener("click", () => { location.hash = "#/queue"; });
function paintLang() { document.getElementById("lang").textContent = language() === "zh" ? "EN" : "中文"; }

provide({ view, html, raw, title, action, told });
setupScanbar();
paintLang();
setNet();
window.addEventListener("hashchange", route);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => null);
refreshQueueBadge();
route().then(() => { window.fahuoReady = performance.now(); if (navigator.onLine) flushQueue(); });
export { ApiError };
