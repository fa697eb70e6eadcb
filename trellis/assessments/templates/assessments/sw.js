// Trellis's service worker: the assessor's pages without signal.
// Pages (the home page, the assessor's list and forms) go to the network first and fall
// back to the copy kept when they last loaded; the shell (CSS, scripts, icons) is kept at
// install. Nothing is written here: an observation made offline is kept by the page
// (offline.js, IndexedDB), which sends it itself, so a POST passes straight through.
"use strict";
const VERSION = "__VERSION__";
const SHELL_CACHE = "trellis-shell-" + VERSION;
const PAGE_CACHE = "trellis-pages";
const SHELL = {{ shell|safe }};
const START = {{ start|safe }};

// The pages kept for offline use: home, the assessor's start page, a learner's form,
// a request's form.
function isKeptPage(url) {
  if (url.origin !== self.location.origin || url.search) return false;
  const path = url.pathname;
  if (path === "/" || path === START) return true;
  const rest = path.startsWith(START) ? path.slice(START.length) : null;
  return rest !== null && /^([\w-]+\/learner\/\d+|r\/[\w-]+)\/$/.test(rest);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names
        .filter((n) => n.startsWith("trellis-shell-") && n !== SHELL_CACHE)
        .map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  // Only a page the server gave this person as asked: not a sign-in page it was
  // redirected to, not an error.
  if (response.ok && response.type === "basic" && !response.redirected) {
    const copy = response.clone();
    caches.open(PAGE_CACHE).then((cache) => cache.put(request.url, copy));
  }
  return response;
}

function networkFirst(request) {
  return fetch(request).then((response) => keep(request, response)).catch(() =>
    caches.open(PAGE_CACHE).then((cache) => cache.match(request.url)).then((kept) =>
      kept || new Response(
        "<!doctype html><html lang=en><meta charset=utf-8>" +
        "<meta name=viewport content='width=device-width, initial-scale=1'>" +
        "<title>No signal · Trellis</title><link rel=stylesheet href='" + SHELL[0] + "'>" +
        "<main class=page><h1>No signal</h1><p>This page was not opened on this phone " +
        "while there was signal, so there is no copy of it. " +
        "<a href='" + START + "'>Your learners today</a></p></main>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
      )
    )
  );
}

function shellFirst(request) {
  return caches.match(request, { cacheName: SHELL_CACHE }).then((hit) => hit || fetch(request));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL.includes(url.pathname)) {
    event.respondWith(shellFirst(request));
  } else if (isKeptPage(url)) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget") {
    // Signed out: the next person on this phone sees none of these pages offline.
    event.waitUntil(caches.delete(PAGE_CACHE));
  } else if (data.type === "warm" && Array.isArray(data.urls)) {
    // The learners listed today: keep their forms now, while there is signal.
    event.waitUntil(caches.open(PAGE_CACHE).then((cache) => Promise.all(
      data.urls.slice(0, 12).map((u) => new URL(u, self.location.origin))
        .filter(isKeptPage)
        .map((url) => cache.match(url.href).then((hit) => hit || fetch(url.href, {
          credentials: "same-origin",
        }).then((response) => keep(new Request(url.href), response)).catch(() => null)))
    )));
  }
});
