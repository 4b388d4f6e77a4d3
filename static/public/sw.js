/* The villager's outbox, sent in the background: Background Sync wakes this worker when the
   network is back, even with the page closed (outbox.js does the sending). No fetch handler:
   it never stands between the pages and the network. */
importScripts("outbox.js");
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("sync", function (e) {
  if (e.tag === "liaison-outbox") e.waitUntil(self.LiaisonOutbox.flush());
});
self.addEventListener("message", function (e) {
  if (e.data === "flush") e.waitUntil(self.LiaisonOutbox.flush().catch(function () {}));
});
