/* Sending on a weak signal: with the phone offline, 提交 keeps the case on the phone (outbox.js)
   and the page says 待发送; when the network is back the case is sent (by this page on the
   `online` event, or by the service worker's Background Sync even if the page was closed), and
   the page shows the receipt. Loaded by submit.js once the villager starts on the form. */
(function () {
  var f = document.getElementById("send"), O = self.LiaisonOutbox, box = null, KEY = "liaison-outbox";
  if (!f || !O) return;
  function token() { var t = f.querySelector('input[name="token"]'); return t ? t.value : ""; }
  function say(text, cls) {
    if (!box) {
      box = document.createElement("p");
      box.id = "outbox-status";
      box.setAttribute("role", "status");
      f.parentNode.insertBefore(box, f);
    }
    box.className = "notice" + (cls ? " " + cls : "");
    box.textContent = text;
    box.scrollIntoView();
  }
  function fields() {
    var out = [];
    new FormData(f).forEach(function (v, k) {
      if (typeof v !== "string") { if (v.size) out.push([k, v, v.name]); } else out.push([k, v]);
    });
    return out;
  }
  function button(text, off) {
    var b = document.getElementById("f-send");
    setTimeout(function () { b.disabled = off; b.textContent = text; }, 0);
  }
  function mark(waiting) { try { if (waiting) localStorage.setItem(KEY, "1"); else localStorage.removeItem(KEY); } catch (e) {} }
  function check() {
    return O.all().then(function (recs) {
      var i, r, here = null, waiting = false, links = [];
      for (i = 0; i < recs.length; i++) {
        r = recs[i];
        if (r.token === token()) here = r;
        else if (r.state === "sent") links.push(r);
        if (r.state === "waiting") waiting = true;
      }
      mark(waiting);
      if (here && here.state === "sent") return O.remove(here.token).then(function () { location.assign(here.receipt); });
      if (here && here.state === "refused") {
        say(f.getAttribute("data-refused"), "err");
        button(f.getAttribute("data-send"), false);
        return O.remove(here.token);
      }
      if (links.length) { /* sent by the service worker while no page was open: their receipts */
        say(f.getAttribute("data-sent-before"), "ok");
        links.forEach(function (l, n) {
          var a = document.createElement("a");
          a.href = l.receipt;
          a.textContent = " " + f.getAttribute("data-receipt") + (links.length > 1 ? " " + (n + 1) : "");
          box.appendChild(a);
          O.remove(l.token);
        });
      }
    });
  }
  function go() { return O.flush().then(check, function () {}); }
  f.addEventListener("submit", function (v) {
    if (navigator.onLine !== false) return; /* online: the form posts as it always does */
    if (v.submitter && /^remove_/.test(v.submitter.name)) return;
    v.preventDefault();
    O.put({ token: token(), action: f.action, fields: fields(), state: "waiting", at: Date.now() }).then(function () {
      mark(true);
      say(f.getAttribute("data-queued"));
      button(f.getAttribute("data-waiting"), true);
      if (navigator.serviceWorker) {
        navigator.serviceWorker.getRegistration(f.getAttribute("data-sw")).then(function (reg) {
          if (reg && reg.sync) return reg.sync.register(KEY);
        }).catch(function () {});
      }
    }, function () {
      f.submit(); /* no room on the phone: let the browser try as it would without JavaScript */
    });
  });
  window.addEventListener("online", go);
  f.setAttribute("data-outbox-ready", "1");
  if (navigator.onLine !== false) go();
})();
