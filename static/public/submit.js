/* The villager's form, made kinder with JavaScript; it works without it. A static file, so that the
   pages need no inline script (Content-Security-Policy: script-src 'self'). */
(function () {
  var f = document.getElementById("send"), b = document.getElementById("f-send"),
      a = document.getElementById("f-anonymous"), c = document.getElementById("contact"),
      e = document.getElementById("error-summary");
  if (!f || !b || !c) return;
  /* Anonymous: the contact fields are greyed and not sent, so what will not be kept is plain to see. */
  function s() {
    var i, x = c.querySelectorAll("input");
    c.className = a.checked ? "off" : "";
    for (i = 0; i < x.length; i++) x[i].disabled = a.checked;
  }
  if (a) { /* not in the 长辈版, which asks for the phone only */
    a.addEventListener("change", s);
    s();
  }
  if (e) {
    e.focus();
    /* A summary link puts the cursor in its field, with the field's label in view. */
    e.addEventListener("click", function (v) {
      var t = v.target.closest("a"), x = t && document.getElementById(t.hash.slice(1)), l;
      if (!x) return;
      v.preventDefault();
      l = document.querySelector('label[for="' + x.id + '"]') || x;
      l.scrollIntoView();
      x.focus({ preventScroll: true });
    });
  }
  /* 按住说话: shown where the browser can record; its code (voice.js) loads on the first touch. */
  var r = document.getElementById("f-record");
  if (r && window.MediaRecorder && navigator.mediaDevices && window.DataTransfer) {
    r.hidden = false;
    var h = function (v) {
      if (v.type === "keydown" && v.key !== " " && v.key !== "Enter") return;
      r.setAttribute("data-held", "1");
      if (r.getAttribute("data-loaded")) return;
      r.setAttribute("data-loaded", "1");
      var x = document.createElement("script");
      x.src = r.getAttribute("data-src");
      document.head.appendChild(x);
    }, u = function () { r.removeAttribute("data-held"); };
    r.addEventListener("pointerdown", h);
    r.addEventListener("keydown", h);
    r.addEventListener("pointerup", u);
    r.addEventListener("keyup", u);
  }
  /* Sending on a weak signal (offline.js, with outbox.js): both are fetched once the page has
     loaded, when the phone is idle, so that they are on hand even if the signal is gone by the
     time the villager starts on the form; the service worker (Background Sync, for a case left
     waiting in a closed page) is registered only once the villager starts on the form, or at
     once when the phone still holds a case to send. */
  var l = function () {
    if (f.getAttribute("data-ol") || !window.indexedDB || !window.fetch) return;
    f.setAttribute("data-ol", "1");
    var x = document.createElement("script");
    x.src = f.getAttribute("data-outbox");
    x.onload = function () {
      var y = document.createElement("script");
      y.src = f.getAttribute("data-offline");
      document.head.appendChild(y);
    };
    document.head.appendChild(x);
  }, o = function () {
    l();
    if (f.getAttribute("data-swr") || !navigator.serviceWorker || !window.indexedDB) return;
    f.setAttribute("data-swr", "1");
    navigator.serviceWorker.register(f.getAttribute("data-sw")).catch(function () { f.removeAttribute("data-swr"); });
  }, i = function () { (window.requestIdleCallback || setTimeout)(l, { timeout: 3000 }); };
  f.addEventListener("focusin", o);
  try { if (localStorage.getItem("liaison-outbox")) o(); } catch (z) {}
  if (document.readyState === "complete") i(); else window.addEventListener("load", i);
  /* Only 提交 says "sending": a 删除 button posts the form too, to redraw it without that photo. */
  f.addEventListener("submit", function (v) {
    if (v.submitter && /^remove_/.test(v.submitter.name)) return;
    setTimeout(function () { b.disabled = true; b.textContent = b.getAttribute("data-sending"); }, 0);
  });
})();
