// Scans wait here, in IndexedDB, until the server has them: a closed page or a restarted phone loses none.
// Each keeps the client id it was made with, so the server applies it once however often it is sent.
const DB = "fahuo", STORE = "scans";
let dbPromise;

function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

async function run(mode, fn) {
  const handle = await db();
  return new Promise((resolve, reject) => {
    const tx = handle.transaction(STORE, mode);
    const result = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result?.result ?? result);
    tx.onerror = () => reject(tx.error);
  });
}

export function newScanId() {
  return (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`).replaceAll("-", "");
}

export const queue = {
  add: (body) => run("readwrite", (s) => s.add({ body, state: "pending", at: Date.now() })),
  all: () => run("readonly", (s) => s.getAll()),
  remove: (seq) => run("readwrite", (s) => s.delete(seq)),
  refuse: (item, message, code) => run("readwrite", (s) => s.put({ ...item, state: "refused", message, code })),
  seen: (item) => run("readwrite", (s) => s.put({ ...item, seen: true })),
};

let flushing = null;

// Send waiting scans in the order they were made. A network failure stops the round (they stay queued);
// a refusal is kept, marked, for the person who scanned to see.
export function flush(send, onAnswer) {
  flushing ??= (async () => {
    try {
      // rounds until nothing is pending: scans made while a round runs go out in the next one
      for (;;) {
        const waiting = (await queue.all()).filter((item) => item.state === "pending");
        if (!waiting.length) return;
        for (const item of waiting) {
          try {
            const answer = await send(item.body);
            await queue.remove(item.seq);
            onAnswer(item, answer, null);
          } catch (err) {
            if (err.offline) return;
            await queue.refuse(item, err.message, err.code);
            onAnswer(item, null, err);
          }
        }
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}
