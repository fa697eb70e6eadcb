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

// The comment nudge: while the rater types, a gentle word (never a block) when the
// comments do not yet say what was seen or what to do next. The rules come from the page
// (trellis.analytics.narratives.nudge_rules), so they have one home.
(function () {
  "use strict";
  var box = document.querySelector(".capture-comments[data-nudge-suggestion]");
  var out = document.getElementById("comment-nudge");
  if (!box || !out) return;
  var d = box.dataset;
  var suggestion = new RegExp(d.nudgeSuggestion, "i");
  var vague = new RegExp(d.nudgeVague, "i");
  var minWords = parseInt(d.nudgeMinWords, 10) || 6;
  var areas = box.querySelectorAll("textarea");
  var timer = null;
  function words(s) { return s ? s.split(/\s+/).length : 0; }
  function check() {
    var text = Array.prototype.map.call(areas, function (a) { return a.value.trim(); })
      .filter(Boolean).join(" ");
    var next = document.getElementById(d.nudgeNextStep);
    var nextStep = next ? next.value.trim() : "";
    var say = "";
    if (text) {
      if (words(text) < minWords || vague.test(text)) say = d.nudgeSaySpecific;
      else if (words(nextStep) < 3 && !suggestion.test(text)) say = d.nudgeSaySuggestion;
    }
    out.textContent = say;
    out.hidden = !say;
  }
  areas.forEach(function (a) {
    a.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 600);  // after a pause, not at every key
    });
    a.addEventListener("blur", check);
  });
})();

// Comment length: the server takes comments up to a limit and refuses (never cuts) a
// longer one. Near the limit each box says how much is left, and past it by how much it
// is over, before the rater submits.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
    var max = parseInt(area.dataset.maxChars, 10);
    var out = document.getElementById(area.dataset.counter);
    if (!max || !out) return;
    function show() {
      var n = area.value.trim().length;
      var say = "";
      if (n > max) say = (n - max).toLocaleString() + " characters over the limit of " +
        max.toLocaleString() + ": shorten it before you submit.";
      else if (n > max * 0.8) say = (max - n).toLocaleString() + " characters left.";
      out.textContent = say;
      out.hidden = !say;
      out.classList.toggle("error", n > max);
    }
    area.addEventListener("input", show);
    show();
  });
})();
