/* Sending on a weak signal: 提交 puts the case in the phone's outbox (outbox.js), then sends it.
   If the network fails on the way (the phone offline, or the signal lost mid-send), the case
   stays on the phone and the page says 待发送; it is sent again, with the same token (one case,
   never two), when the network is back (`online`), after 2, 4, 8… then every 30 seconds while
   the page is open, or by the service worker's Background Sync even if the page was closed.
   The server's answer is followed as without JavaScript: a receipt is shown, a form with errors
   is shown as the server rendered it. Loaded by submit.js once the page has loaded. */
(function () {
  var f = document.getElementById("send"), O = self.LiaisonOutbox, box = null, KEY = "liaison-outbox",
      RETRY = 30000, delay = 2000, timer = null, waiting = false;
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
  function mark(on) { try { if (on) localStorage.setItem(KEY, "1"); else localStorage.removeItem(KEY); } catch (e) {} }
  function later() { /* the next try: sooner at first, then every half minute */
    clearTimeout(timer);
    timer = setTimeout(go, delay);
    delay = Math.min(delay * 2, RETRY);
  }
  function queued() { /* 待发送: said once, however many tries fail */
    mark(true);
    later();
    if (waiting) return;
    waiting = true;
    say(f.getAttribute("data-queued"));
    button(f.getAttribute("data-waiting"), true);
    if (navigator.serviceWorker) {
      navigator.serviceWorker.getRegistration(f.getAttribute("data-sw")).then(function (reg) {
        if (reg && reg.sync) return reg.sync.register(KEY);
      }).catch(function () {});
    }
  }
  function answer(html) { /* the server's page, as the browser would have shown it */
    document.open();
    document.write(html);
    document.close();
  }
  function check() {
    return O.all().then(function (recs) {
      var i, r, here = null, left = false, links = [];
      for (i = 0; i < recs.length; i++) {
        r = recs[i];
        if (r.token === token()) here = r;
        else if (r.state === "sent") links.push(r);
        if (r.state === "waiting") left = true;
      }
      mark(left);
      if (here && here.state === "waiting") return queued();
      if (here && here.state === "sent") return O.remove(here.token).then(function () { location.assign(here.receipt); });
      if (here && here.state === "refused") {
        return O.remove(here.token).then(function () {
          if (here.html) return answer(here.html);
          say(f.getAttribute("data-refused"), "err");
          button(f.getAttribute("data-send"), false);
        });
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
  function go() { return O.flush().then(check, function () { if (waiting) later(); }); }
  f.addEventListener("submit", function (v) {
    if (v.submitter && /^remove_/.test(v.submitter.name)) return; /* 删除 redraws the form: as it is */
    v.preventDefault();
    var e = document.getElementById("error-summary");
    if (e) e.remove(); /* about the last try: the answer to this one replaces it */
    var rec = { token: token(), action: f.action, fields: fields(), state: "waiting", at: Date.now() };
    O.put(rec).then(function () {
      return O.send(rec, true).then(check, queued);
    }, function () {
      f.submit(); /* no room on the phone: let the browser try as it would without JavaScript */
    });
  });
  window.addEventListener("online", function () { delay = 2000; go(); });
  f.setAttribute("data-outbox-ready", "1");
  if (navigator.onLine !== false) go();
})();
