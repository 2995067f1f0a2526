/* Konbit's service worker (docs/decisions/0009-offline-capture.md). Served from /sw.js by
 * konbit/core/offline.py, which puts `const KONBIT = {shell, offlinePage, outboxPage, staticPrefix,
 * version}` in front of this text.
 *
 * It never sends anything itself: entries wait in the page's outbox (IndexedDB) and the page sends
 * them. The worker only keeps pages so they open without a connection:
 * - the shell (CSS, scripts, the offline page), fetched at install;
 * - programme pages the page script chose to keep (the quick log, nearby events' attendance sheets,
 *   the outbox), in the "konbit-pages" cache, refreshed each time they are opened online.
 * Sign-out wipes both (Clear-Site-Data, and the page script deletes them first). */
/* global KONBIT */

const SHELL = `konbit-shell-${KONBIT.version}`;
const PAGES = "konbit-pages";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll([...KONBIT.shell, KONBIT.offlinePage]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("konbit-shell-") && key !== SHELL).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // posts go to the server, or fail and stay in the outbox
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(KONBIT.staticPrefix)) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  }
});

/* Static files: the kept copy at once (weak connections), refreshed in the background. */
async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => undefined);
  return kept || (await fresh) || Response.error();
}

/* Pages: the network when it answers; else the kept copy; else the offline page. A kept page is
 * refreshed when it is opened online, so it carries the latest organisations and attendance. */
async function networkFirst(request) {
  const pages = await caches.open(PAGES);
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && (await pages.match(request, { ignoreSearch: true }))) {
      await pages.put(withoutSearch(request.url), response.clone());
    }
    return response;
  } catch (error) {
    const kept = (await pages.match(request, { ignoreSearch: true })) || (await caches.match(KONBIT.offlinePage));
    if (kept) return kept;
    throw error;
  }
}

function withoutSearch(href) {
  const url = new URL(href);
  url.search = "";
  return url.href;
}
