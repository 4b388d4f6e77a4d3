/* The phone's outbox of villagers' cases that could not be sent (no network): kept in IndexedDB
   and sent again, by the page (offline.js) and by the service worker (sw.js, Background Sync),
   whichever comes first. Each case carries its form's submission token, so the server makes one
   case of it however often it arrives. Records: {token, action, fields: [[name, value, filename]],
   state: "waiting" | "sent" | "refused", receipt, html}. */
(function (g) {
  var NAME = "liaison-outbox", STORE = "cases", busy = null;
  function open() {
    return new Promise(function (ok, no) {
      var r = g.indexedDB.open(NAME, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "token" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { no(r.error); };
    });
  }
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, no) {
        var t = db.transaction(STORE, mode), req = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); ok(req.result); };
        t.onerror = t.onabort = function () { db.close(); no(t.error); };
      });
    });
  }
  function put(rec) { return run("readwrite", function (s) { return s.put(rec); }); }
  function all() { return run("readonly", function (s) { return s.getAll(); }); }
  function remove(token) { return run("readwrite", function (s) { return s.delete(token); }); }
  /* `fresh`: the page's own first try, as the form would post without JavaScript; a case sent
     later says "queued", so that the server may route it to the station (a changed code). A
     server's answer other than a receipt is kept (state "refused", its page in `html`). */
  function send(rec, fresh) {
    var body = new FormData(), i, f;
    for (i = 0; i < rec.fields.length; i++) {
      f = rec.fields[i];
      if (f[1] instanceof Blob) body.append(f[0], f[1], f[2] || "file");
      else body.append(f[0], f[1]);
    }
    if (!fresh) body.append("queued", "1");
    return g.fetch(rec.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (res) {
      if (res.redirected && res.url.indexOf("/receipt/") >= 0) {
        rec.state = "sent";
        rec.receipt = res.url;
        return put(rec);
      }
      if (res.status >= 500 || res.status === 429) return; /* the server is busy: stays waiting */
      return res.text().then(function (html) {
        rec.state = "refused";
        rec.status = res.status;
        rec.html = html;
        return put(rec);
      });
    });
  }
  /* Send every waiting case, one after the other; rejects when the network fails again. */
  function flush() {
    if (busy) return busy.then(flush, flush); /* a case put meanwhile is sent too */
    busy = all().then(function (recs) {
      return recs.filter(function (r) { return r.state === "waiting"; }).reduce(function (p, r) {
        return p.then(function () { return send(r); });
      }, Promise.resolve());
    });
    busy.then(function () { busy = null; }, function () { busy = null; });
    return busy;
  }
  g.LiaisonOutbox = { put: put, all: all, remove: remove, send: send, flush: flush };
})(self);
