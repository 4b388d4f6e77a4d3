/* 按住说话: record a voice note while the button is held (up to 60 s), with the browser's
   MediaRecorder, and put it into the form's file input, so that it is sent as a chosen file would
   be. Loaded by submit.js on the first touch of the button, never before. */
(function () {
  var b = document.getElementById("f-record"), input = document.getElementById("f-voice"),
      st = document.getElementById("rec-status"), MAX = 60000,
      rec = null, stream = null, chunks = [], timer = null, started = 0, wanted = false;
  if (!b || !input || !st) return;
  function say(t) { st.textContent = t; }
  function type() {
    var k = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/mp4"], i;
    for (i = 0; i < k.length; i++) if (MediaRecorder.isTypeSupported(k[i])) return k[i];
    return "";
  }
  function start() {
    if (rec || wanted) return;
    wanted = true;
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (s) {
      if (!wanted) { s.getTracks().forEach(function (t) { t.stop(); }); return; }
      var t = type();
      stream = s;
      chunks = [];
      rec = t ? new MediaRecorder(s, { mimeType: t }) : new MediaRecorder(s);
      rec.ondataavailable = function (e) { if (e.data && e.data.size) chunks.push(e.data); };
      rec.onstop = done;
      rec.start(1000);
      started = Date.now();
      timer = setTimeout(stop, MAX);
      b.setAttribute("aria-pressed", "true");
      say(b.getAttribute("data-on"));
    }, function () {
      wanted = false;
      say(b.getAttribute("data-no"));
    });
  }
  function stop() {
    wanted = false;
    clearTimeout(timer);
    if (rec && rec.state !== "inactive") rec.stop();
  }
  function done() {
    var t = (rec.mimeType || "audio/webm").split(";")[0],
        ext = t.indexOf("ogg") >= 0 ? "ogg" : t.indexOf("mp4") >= 0 ? "m4a" : "webm",
        secs = Math.max(1, Math.round((Date.now() - started) / 1000)), d = new DataTransfer();
    stream.getTracks().forEach(function (x) { x.stop(); });
    d.items.add(new File([new Blob(chunks, { type: t })], "recording." + ext, { type: t }));
    input.files = d.files;
    rec = null;
    b.setAttribute("aria-pressed", "false");
    say(b.getAttribute("data-done").replace("{n}", secs));
  }
  b.addEventListener("pointerdown", function (e) { e.preventDefault(); start(); });
  b.addEventListener("pointerup", stop);
  b.addEventListener("pointerleave", stop);
  b.addEventListener("pointercancel", stop);
  b.addEventListener("contextmenu", function (e) { e.preventDefault(); });
  b.addEventListener("keydown", function (e) {
    if ((e.key === " " || e.key === "Enter") && !e.repeat) { e.preventDefault(); start(); }
  });
  b.addEventListener("keyup", function (e) { if (e.key === " " || e.key === "Enter") stop(); });
  if (b.getAttribute("data-held") === "1") start();
})();
