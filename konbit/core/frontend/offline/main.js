/* Offline capture, wired into every signed-in page (decision 9). Bundled by `npm run build` into
 * build/static/konbit/offline.js. The page's <body> says who is signed in and, on a programme page
 * where the person may log interactions, which programme to keep for offline use. */
import { organizations, outbox, wipe } from "./db.js";
import { initCapture } from "./capture.js";
import { initPicker } from "./picker.js";
import { renderIndicator, renderOutbox } from "./outbox-view.js";
import { fill, strings } from "./strings.js";
import { syncAll } from "./sync.js";

const PAGES = "konbit-pages";
const WARM_EVERY_MS = 10 * 60 * 1000;

/** Keep the organisations and the pages for capturing offline in this programme (at most every ten
 * minutes, and whenever the connection comes back). */
async function warm(body, force = false) {
  const { offlineProgram: program, offlineBundle: bundle, outboxUrl } = body.dataset;
  if (!program || !bundle || !navigator.onLine || !("caches" in window)) return;
  const stamp = `konbit-warm-${program}`;
  if (!force && Date.now() - Number(localStorage.getItem(stamp) ?? 0) < WARM_EVERY_MS) return;
  const response = await fetch(bundle, { credentials: "same-origin" });
  if (!response.ok || response.redirected) return;
  const data = await response.json();
  await organizations.put(program, data.organizations);
  const cache = await caches.open(PAGES);
  for (const url of [...data.pages, outboxUrl]) {
    try {
      const page = await fetch(url, { credentials: "same-origin" });
      if (page.ok && !page.redirected) await cache.put(new URL(url, location.href).href, page);
    } catch {
      return; // the connection went: try again next time
    }
  }
  localStorage.setItem(stamp, String(Date.now()));
}

/** Another person signed in on this browser: drop the pages and lists kept for the previous one
 * (their unsent entries stay, marked as theirs, and are never sent as this person). */
async function forgetPreviousPerson(user) {
  const previous = localStorage.getItem("konbit-user");
  if (previous && previous !== user && "caches" in window) {
    await caches.delete(PAGES);
    for (const key of Object.keys(localStorage)) if (key.startsWith("konbit-warm-")) localStorage.removeItem(key);
  }
  localStorage.setItem("konbit-user", user);
}

/** Sign-out wipes what this browser kept; unsent entries are lost with it, so ask first. */
function guardSignOut(form, user) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.wiped) return;
    event.preventDefault();
    if (!navigator.onLine) {
      // Wiping now would keep the session open on the server while losing what this phone kept.
      alert(strings().signOutOffline);
      return;
    }
    const unsent = (await outbox.list(user)).length;
    if (unsent && !confirm(fill(strings().signOutWarning, { n: unsent }))) return;
    await wipe().catch(() => {});
    if ("caches" in window) for (const key of await caches.keys()) await caches.delete(key);
    form.dataset.wiped = "1";
    form.submit();
  });
}

async function start() {
  const body = document.body;
  const user = body.dataset.offlineUser;
  if (!user) return;
  await forgetPreviousPerson(user);
  if ("serviceWorker" in navigator && body.dataset.swUrl) {
    navigator.serviceWorker.register(body.dataset.swUrl, { scope: "/" }).catch(() => {});
  }
  const indicator = document.getElementById("outbox-indicator");
  const list = document.getElementById("outbox-list");
  const refresh = () => {
    if (indicator) renderIndicator(indicator, user);
    if (list) renderOutbox(list, user, { onRetry: sync });
  };
  let running = null;
  function sync() {
    running ??= syncAll(user, refresh).finally(() => {
      running = null;
      refresh();
    });
    return running;
  }
  for (const form of document.querySelectorAll("form[data-offline-form]")) initCapture(form, { body, onQueued: () => sync() });
  const picker = document.getElementById("org-picker");
  if (picker && body.dataset.offlineProgram) initPicker(picker, body.dataset.offlineProgram);
  for (const form of document.querySelectorAll("form[data-sign-out]")) guardSignOut(form, user);
  const status = () => document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  status();
  window.addEventListener("offline", status);
  window.addEventListener("online", () => {
    status();
    sync();
    warm(body, true).catch(() => {});
  });
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sync());
  setInterval(sync, 30_000);
  refresh();
  await sync();
  await warm(body).catch(() => {});
  // Tests and curious people: the page is ready to work offline.
  document.documentElement.dataset.offlineReady = "1";
}

start();
