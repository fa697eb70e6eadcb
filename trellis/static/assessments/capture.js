// The observation form: chips show and hide item rows in place (without scripts the
// "Update items" button re-renders the page), and a second tap on Submit is ignored while
// the first is on its way (the server would ignore it anyway: same client key).
(function () {
  "use strict";
  var form = document.getElementById("capture-form");
  if (!form) return;
  form.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  form.querySelectorAll(".chip__input").forEach(function (chip) {
    chip.addEventListener("change", function () {
      var row = document.getElementById(chip.dataset.row);
      if (!row) return;
      row.hidden = !chip.checked;
      if (chip.checked) {
        var first = row.querySelector("input");
        row.scrollIntoView({ block: "nearest", behavior: "smooth" });
        if (first) first.focus({ preventScroll: true });
      }
    });
  });
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) { event.preventDefault(); return; }
    sent = true;
    window.setTimeout(function () { sent = false; }, 8000);
  });
  // Back from the confirmation restores this page as it was: let Submit work again (the
  // server answers a repeat with the same confirmation).
  window.addEventListener("pageshow", function () { sent = false; });
})();
