// Observations without signal. The observation form is sent with fetch; when the network
// fails, the observation is kept on the phone (IndexedDB, which outlives the tab) with its
// client key, and sent again on the next page load, when the browser says it is online,
// every 30 seconds while one waits, or at "Send now". The server keeps one assessment per
// client key, so a resend after a lost answer writes nothing twice. The server answers a
// sent observation with data (see trellis/assessments/capture/sent.py): saved, stale (the
// reason to rate has gone) or invalid; a refused one stays on the phone, shown in full,
// until the person discards it. Without scripts the form posts as it always did.
(function () {
  "use strict";
  var body = document.body;
  var user = body.dataset.user || "";
  if (!window.indexedDB || !window.fetch || !window.Promise) return;

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }
  function tellWorker(message) {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (reg) {
        if (reg.active) reg.active.postMessage(message);
      });
    }
  }
  // Nobody signed in (the sign-in page, after signing out): forget the pages kept for the
  // last person. Their unsent observations stay, and are only ever sent as them.
  if (!user) tellWorker({ type: "forget" });
  document.querySelectorAll("form[data-sign-out]").forEach(function (f) {
    f.addEventListener("submit", function () { tellWorker({ type: "forget" }); });
  });
  // Keep the forms of the learners listed here, while there is signal.
  var warm = Array.prototype.map.call(document.querySelectorAll("a[data-offline-warm]"),
    function (a) { return a.href; });
  if (warm.length && navigator.onLine) tellWorker({ type: "warm", urls: warm });

  // ---- the outbox: IndexedDB, one record per observation, keyed by its client key ----
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var open = indexedDB.open("trellis-offline", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { keyPath: "key" }); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function store(mode, work) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction("outbox", mode);
        var result = work(tx.objectStore("outbox"));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function all() {
    return store("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (it) { return it.user === user; });
    });
  }
  function put(item) { return store("readwrite", function (s) { s.put(item); }); }
  function drop(key) { return store("readwrite", function (s) { s.delete(key); }); }

  // Client keys already sent or kept: a form page kept by the service worker carries the
  // key it was drawn with, and a second observation on it must not pass for the first.
  function usedKeys() {
    try { return JSON.parse(localStorage.getItem("trellis-used-keys") || "[]"); } catch (e) { return []; }
  }
  function markUsed(key) {
    var keys = usedKeys().filter(function (k) { return k !== key; });
    keys.push(key);
    try { localStorage.setItem("trellis-used-keys", JSON.stringify(keys.slice(-100))); } catch (e) { /* full */ }
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  // One try to send: resolves to {status: "saved"|"stale"|"invalid", ...} from the server,
  // or {status: "wait", message} when there was no answer to act on.
  function send(item) {
    var data = new URLSearchParams();
    var token = cookie("csrftoken");
    item.fields.forEach(function (pair) {
      // The session's current token, not the one the page had (it may have changed).
      if (pair[0] === "csrfmiddlewaretoken" && token) return;
      data.append(pair[0], pair[1]);
    });
    var headers = { "X-Trellis-Send": "1", "Accept": "application/json" };
    if (token) headers["X-CSRFToken"] = token;
    return fetch(item.url, {
      method: "POST", body: data, headers: headers, credentials: "same-origin", cache: "no-store",
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === 0) return response.json();
      if (response.url.indexOf("/accounts/login/") !== -1) {
        return { status: "wait", message: "Sign in again to send it." };
      }
      if (response.status === 403 || response.status === 404) {
        return { status: "stale", message: "Not saved: Trellis refused this observation (" + response.status + ")." };
      }
      return { status: "wait", message: "Trellis did not answer; it will try again." };
    }, function () {
      return { status: "wait", message: "" };  // no signal
    });
  }

  // ---- what the page shows ----
  var live = document.getElementById("outbox-status");
  var list = document.getElementById("outbox-list");
  var note = "";
  var hadWaiting = false;
  function render() {
    if (!live || !list) return Promise.resolve();
    return all().then(function (items) {
      var waiting = items.filter(function (it) { return it.state === "waiting"; });
      var refused = items.filter(function (it) { return it.state === "refused"; });
      keptSays(items);
      var say = "";
      if (waiting.length) {
        say = waiting.length + " waiting to send. " + (note || "It is kept on this phone and sent when the signal returns.");
      }
      if (refused.length) say += (say ? " " : "") + refused.length + " not saved: see below.";
      if (!say && hadWaiting) say = "Sent: nothing is waiting on this phone.";
      hadWaiting = hadWaiting || waiting.length > 0;
      if (live.textContent !== say) live.textContent = say;
      var box = live.closest(".outbox");
      box.dataset.waiting = String(waiting.length);
      document.getElementById("outbox-more").hidden = !items.length;
      list.textContent = "";
      var sendNow = document.getElementById("outbox-send");
      if (sendNow) sendNow.hidden = !waiting.length;
      refused.forEach(function (it) {
        var li = document.createElement("li");
        li.className = "outbox__item";
        var head = document.createElement("p");
        var strong = document.createElement("strong");
        strong.textContent = it.subject + ", " + new Date(it.madeAt).toLocaleString();
        head.appendChild(strong);
        var why = document.createElement("p");
        why.className = "outbox__why";
        why.textContent = it.message;
        var what = document.createElement("dl");
        it.summary.forEach(function (pair) {
          var dt = document.createElement("dt"); dt.textContent = pair[0];
          var dd = document.createElement("dd"); dd.textContent = pair[1];
          what.appendChild(dt); what.appendChild(dd);
        });
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "button--secondary button--small";
        discard.textContent = "Discard this observation";
        discard.addEventListener("click", function () { drop(it.key).then(render); });
        li.appendChild(head); li.appendChild(why); li.appendChild(what); li.appendChild(discard);
        list.appendChild(li);
      });
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !user) return Promise.resolve();
    flushing = true;
    return all().then(function (items) {
      var waiting = items.filter(function (it) { return it.state === "waiting"; });
      // One at a time, and stop at the first that gets no answer (no signal yet).
      return waiting.reduce(function (chain, it) {
        return chain.then(function (go) {
          if (!go) return false;
          return send(it).then(function (answer) {
            if (answer.status === "saved") { note = ""; markUsed(it.key); return drop(it.key).then(function () { return true; }); }
            if (answer.status === "wait") { note = answer.message; return false; }
            it.state = "refused";
            it.message = answer.message || "Not saved.";
            return put(it).then(function () { return true; });
          });
        });
      }, Promise.resolve(true));
    }).catch(function () {}).then(function () { flushing = false; return render(); });
  }
  function flushLocked() {
    // Two tabs open: one sends, the other waits (a double send would be harmless anyway).
    if (navigator.locks) return navigator.locks.request("trellis-outbox", flush);
    return flush();
  }

  // ---- the observation form ----
  // A level's label is its number and its name in separate elements ("3", "Indirect
  // supervision"): said with a space between them.
  function words(label) {
    return Array.prototype.map.call(label.childNodes, function (n) {
      return n.textContent.trim().replace(/\s+/g, " ");
    }).filter(Boolean).join(" ");
  }

  function summary(form) {
    var out = [];
    form.querySelectorAll("fieldset.rate:not([hidden])").forEach(function (row) {
      var checked = row.querySelector("input:checked");
      if (!checked) return;
      var label = form.querySelector("label[for='" + checked.id + "']");
      out.push([row.querySelector("legend").textContent.trim().replace(/\s+/g, " "),
        label ? words(label) : checked.value]);
    });
    form.querySelectorAll("textarea").forEach(function (area) {
      if (!area.value.trim()) return;
      var label = form.querySelector("label[for='" + area.id + "']");
      out.push([label ? label.textContent.trim() : area.name, area.value]);
    });
    return out;
  }

  var form = document.querySelector("form[data-offline]");
  if (form && user) {
    var keyInput = form.querySelector("input[name=client_key]");
    if (keyInput && usedKeys().indexOf(keyInput.value) !== -1) keyInput.value = newKey();
    var busy = false;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "action" && submitter.value !== "submit") return;
      event.preventDefault();
      if (busy) return;
      busy = true;
      var fields = [];
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string") fields.push([name, value]);
      });
      fields.push(["action", "submit"]);
      var item = {
        key: keyInput ? keyInput.value : newKey(),
        user: user,
        url: form.getAttribute("action") || location.pathname,
        fields: fields,
        subject: form.dataset.subject || "",
        summary: summary(form),
        madeAt: Date.now(),
        state: "waiting",
        message: "",
      };
      send(item).then(function (answer) {
        if (answer.status === "saved") {
          markUsed(item.key);
          location.assign(answer.url);
        } else if (answer.status === "wait") {
          note = answer.message;
          markUsed(item.key);
          put(item).then(function () { kept(form, item.key); return render(); });
        } else {
          // Refused with signal: the page itself shows why, next to what was typed.
          form.submit();
        }
      });
    });
  }

  function kept(f, key) {
    var box = document.createElement("div");
    box.className = "notice";
    box.id = "kept-notice";
    box.dataset.key = key;
    box.tabIndex = -1;
    var h = document.createElement("h2");
    h.textContent = "Kept on this phone";
    var p = document.createElement("p");
    p.textContent = "No signal: the observation is not sent yet. Trellis sends it by itself " +
      "when the signal returns, even if you close this page.";
    var a = document.createElement("a");
    a.href = body.dataset.start || "/";
    a.textContent = "Rate another learner";
    box.appendChild(h); box.appendChild(p); box.appendChild(a);
    f.parentNode.insertBefore(box, f);
    f.hidden = true;
    box.focus();
  }

  // The panel that took the place of the form says what became of its observation once
  // the outbox knows: sent, or refused (then the card above says why, and it must not
  // still promise to send it).
  function keptSays(items) {
    var box = document.getElementById("kept-notice");
    if (!box || box.dataset.state === "refused") return;
    var it = items.filter(function (i) { return i.key === box.dataset.key; })[0];
    var state = !it ? "sent" : it.state;
    if (state === "waiting" || box.dataset.state === state) return;
    box.dataset.state = state;
    box.querySelector("h2").textContent = state === "sent" ? "Sent" : "Not saved";
    box.querySelector("p").textContent = state === "sent"
      ? "The observation reached Trellis and is saved."
      : "Trellis refused this observation: why is shown above, with what you wrote, " +
        "until you discard it.";
  }

  // A form the phone kept (the service worker's copy) carries the day it was drawn: shown
  // on a later day, its date is the phone's today, unless the person changed it.
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" + ("0" + d.getDate()).slice(-2);
  }
  var day = form && form.querySelector("input[name=observed_on][data-today]");
  if (day && day.value === day.defaultValue && day.dataset.today < today()) day.value = today();

  var sendButton = document.getElementById("outbox-send");
  if (sendButton) sendButton.addEventListener("click", flushLocked);
  window.addEventListener("online", flushLocked);
  window.setInterval(function () {
    all().then(function (items) {
      if (items.some(function (it) { return it.state === "waiting"; })) flushLocked();
    });
  }, 30000);
  render().then(flushLocked);
})();
