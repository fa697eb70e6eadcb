// The patient kiosk: a form left half-filled goes back to an empty one after a few quiet
// minutes, so the next patient never reads what the last one typed.
(function () {
  "use strict";
  var form = document.querySelector("[data-kiosk-reset]");
  if (!form) return;
  var QUIET_MS = 3 * 60 * 1000;
  var timer = null;
  function arm() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      location.replace(form.getAttribute("data-kiosk-reset"));
    }, QUIET_MS);
  }
  ["input", "change", "pointerdown", "keydown"].forEach(function (name) {
    form.addEventListener(name, arm, { passive: true });
  });
  // Back to a page kept in the browser's memory: start again empty.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) location.replace(form.getAttribute("data-kiosk-reset"));
  });
  arm();
})();
