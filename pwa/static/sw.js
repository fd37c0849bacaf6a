// The app shell is kept on the phone, so the app opens and scans are queued with no network at all.
// API calls always go to the network; the page queues scans itself when that fails.
const CACHE = "fahuo-shell-v9";
const SHELL = [
  "/", "/static/app.js", "/static/style.css", "/static/js/api.js", "/static/js/i18n.js", "/static/js/queue.js",
  "/static/js/scanner.js", "/static/js/printing.js", "/static/js/warehouse.js", "/static/js/chart.js", "/static/screens.css",
  "/static/js/screens/index.js", "/static/js/screens/kit.js",
  "/static/js/screens/transfers.js", "/static/js/screens/aftersales.js", "/static/js/screens/phone_orders.js",
  "/static/js/screens/routes.js", "/static/js/screens/connections.js", "/static/js/screens/stuck.js",
  "/static/js/screens/home.js", "/static/js/screens/orders.js", "/static/js/screens/stock.js",
  "/static/js/screens/waiting.js", "/manifest.webmanifest", "/texts.json", "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/vendor/barcode-detector/ponyfill.js", "/static/vendor/zxing-wasm/zxing_reader.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = event.request.mode === "navigate" ? "/" : event.request;
  // network first, so a new version shows at once when online; the cached shell when not
  event.respondWith(fetch(event.request).then((resp) => {
    if (resp.ok && (event.request.mode === "navigate" || SHELL.includes(url.pathname))) {
      const copy = resp.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return resp;
  }).catch(() => caches.match(key, { ignoreSearch: true, ignoreVary: true })));
});
