// Label printers on the floor: the station's printer, chosen once on this device; a finished package's labels
// sent to it at once; a reprint on demand; and how the job is doing until the printer took it. A printer that is
// off or out of labels keeps the job on the server (it prints by itself once the printer is back); the screen
// says why it waits, in the packer's words, and checks again every few seconds.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { feedback } from "./scanner.js";

const CHOSEN = "fahuo.printer";
const CHECK_MS = 5000;
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const chosenPrinter = () => localStorage.getItem(CHOSEN) || "";

// The printer picker: one element, kept across redraws of the screen it sits on (`panel.element`).
export function printerPanel() {
  const element = document.createElement("div");
  element.className = "card printer";
  const paint = (printers) => {
    if (!printers.length) {
      element.innerHTML = `<span class="muted">${esc(t("noPrinters"))}</span>`;
      return;
    }
    const chosen = chosenPrinter();
    const options = printers.map((p) => `<option value="${esc(p.code)}" ${p.code === chosen ? "selected" : ""}>
      ${esc(p.warehouse)} · ${esc(p.station)} · ${esc(p.code)}</option>`).join("");
    const mine = printers.find((p) => p.code === chosen);
    element.innerHTML = `<label for="printer">${esc(t("printer"))}</label>
      <select id="printer"><option value="">${esc(t("printerNone"))}</option>${options}</select>
      ${mine?.waiting ? `<div class="refused" id="printer-problem">${esc(t("printerWaiting", { count: mine.waiting }))}:
        ${esc(mine.problem || "")}</div>` : ""}`;
    element.querySelector("select").addEventListener("change", (event) => {
      localStorage.setItem(CHOSEN, event.target.value);
      paint(printers);
    });
  };
  const refresh = () => api("GET", "/api/printers").then(paint).catch(() => null);
  refresh();
  return { element, refresh };
}

// Print at `path` (a shipment's or a package's labels) on the chosen printer, and follow the job in `box`.
export async function printOn(path, box, extra = {}) {
  const printer = chosenPrinter();
  if (!printer) return null;
  const line = document.createElement("div");
  line.className = "print-job";
  box.append(line);
  try {
    const job = await api("POST", path, { printer, ...extra });
    if (job.message) {  // said at once where the packer looks, and again when it printed after all
      feedback(false, job.message);
      line.dataset.said = "yes";
    }
    follow(job, line);
  } catch (err) {
    line.innerHTML = `<span class="refused">${esc(err.message)}</span>`;
  }
  return line;
}

function follow(job, line) {
  const words = t("printingOn", { printer: job.printer, state: job.state_word });
  if (job.state === "printed" && line.dataset.state === "queued" && line.dataset.said) feedback(true, words);
  line.dataset.state = job.state;
  line.innerHTML = `<b>${esc(words)}</b>
    ${job.message ? `<div class="refused">${esc(job.message)}</div>
      <button class="big secondary" data-retry>${esc(t("tryAgain"))}</button>` : ""}`;
  if (job.state !== "queued") return;
  const again = () => api("POST", `/api/print-jobs/${job.id}/retry`).then((next) => follow(next, line))
    .catch(() => null);
  line.querySelector("[data-retry]")?.addEventListener("click", again);
  setTimeout(() => { if (line.isConnected) again(); }, CHECK_MS);  // until the screen moves on
}

// After packing: the shipment's labels go to the station's printer at once; one reprint button per package.
export function printShipment(shipment, box) {
  if (!chosenPrinter()) return;
  printOn(`/api/shipments/${encodeURIComponent(shipment.number)}/print`, box);
  shipment.packages.forEach((p) => {
    const button = document.createElement("button");
    button.className = "big secondary";
    button.dataset.reprint = p.number;
    button.textContent = t("reprint", { package: p.number });
    button.addEventListener("click", () => printOn(`/api/packages/${encodeURIComponent(p.number)}/print`, box));
    box.append(button);
  });
}

// Shelf labels (a warehouse's locations, or the products) on the chosen thermal printer.
export function shelfPrinting(container, warehouseOf) {
  const panel = printerPanel();
  const box = document.createElement("div");
  const buttons = [["locations", "printLocations"], ["products", "printProducts"]].map(([kind, words]) => {
    const b = document.createElement("button");
    b.className = "big secondary";
    b.dataset.printShelf = kind;
    b.addEventListener("click", () => printOn(`/api/labels/${kind}/print`, box, kind === "locations" ? { warehouse: warehouseOf() } : {}));
    return [b, words];
  });
  const update = () => buttons.forEach(([b, words]) => {
    b.textContent = t(words, { printer: chosenPrinter() || "—" });
    b.disabled = !chosenPrinter();
  });
  panel.element.addEventListener("change", update);
  update();
  container.append(panel.element, ...buttons.map(([b]) => b), box);
}
