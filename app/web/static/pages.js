// Links between a claim and its quote (article page), and between the two claims of an
// aligned pair (diff page): hovering or focusing one lights the other. Without this script
// the pages still work: every link is a plain anchor.
(function () {
  "use strict";
  var lit = [];

  function clear() {
    lit.forEach(function (el) { el.classList.remove("lit"); });
    lit = [];
  }

  function light(elements) {
    clear();
    elements.forEach(function (el) { el.classList.add("lit"); lit.push(el); });
  }

  function byToken(attr, token) {
    return Array.prototype.slice.call(
      document.querySelectorAll("[" + attr + "~='" + token + "']"));
  }

  // Article page: a claim's row and the stretches of text its quote covers.
  function claimParts(id) {
    return byToken("data-claims", id).concat(
      Array.prototype.slice.call(document.querySelectorAll("li.claim[data-claim='" + id + "']")));
  }

  function showQuote(id) {
    var marks = byToken("data-claims", id);
    light(claimParts(id));
    if (marks.length) {
      marks[0].setAttribute("tabindex", "-1");
      marks[0].focus({ preventScroll: false });
    }
  }

  function showRow(id) {
    var row = document.getElementById("c-" + id);
    if (!row) { return; }
    light(claimParts(id));
    row.setAttribute("tabindex", "-1");
    row.focus();
  }

  // Diff page: a side's claim ("L12", "R40") and its partners across.
  var partners = {};
  var data = document.getElementById("partners");
  if (data) { partners = JSON.parse(data.textContent || "{}"); }

  function related(keys) {
    var all = [];
    keys.forEach(function (k) {
      all.push(k);
      (partners[k] || []).forEach(function (p) { all.push(p); });
    });
    var found = [];
    all.forEach(function (k) {
      found = found.concat(byToken("data-keys", k), byToken("data-key", k));
    });
    return found;
  }

  function keysOf(el) {
    return (el.getAttribute("data-keys") || el.getAttribute("data-key") || "").split(" ")
      .filter(Boolean);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("a.show[data-claim], mark[data-claims], a.ref[data-claim]");
    if (!target) { return; }
    if (target.matches("a.show")) {
      event.preventDefault();
      history.replaceState(null, "", "#q-" + target.dataset.claim);
      showQuote(target.dataset.claim);
    } else if (target.matches("mark")) {
      showRow(target.dataset.claims.split(" ")[0]);
    } else {
      event.preventDefault();
      history.replaceState(null, "", "#c-" + target.dataset.claim);
      showRow(target.dataset.claim);
    }
  });

  function enter(event) {
    var el = event.target.closest && event.target.closest("[data-keys]");
    if (el) { light(related(keysOf(el))); }
  }
  function leave(event) {
    var el = event.target.closest && event.target.closest("[data-keys]");
    if (el) { clear(); }
  }
  document.addEventListener("mouseover", enter);
  document.addEventListener("mouseout", leave);
  document.addEventListener("focusin", enter);
  document.addEventListener("focusout", leave);

  document.addEventListener("keydown", function (event) {
    var el = event.target.closest && event.target.closest("mark[data-keys]");
    if (!el || event.key !== "Enter") { return; }
    var own = keysOf(el);
    var across = related(own).filter(function (m) {
      return m.matches("mark[data-keys]") && keysOf(m).every(function (k) { return own.indexOf(k) < 0; });
    });
    if (across.length) { event.preventDefault(); across[0].focus(); }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.show[data-target]");
    if (!link) { return; }
    var marks = byToken("data-keys", link.dataset.target);
    if (marks.length) { event.preventDefault(); marks[0].focus(); marks[0].scrollIntoView({ block: "center" }); }
  });

  // A link from another page (the ledger's quotes) lands here lit and focused, once the
  // browser has scrolled to the fragment (focusing earlier is undone by that scroll).
  window.addEventListener("load", function () {
    var hash = window.location.hash;
    if (/^#q-\d+$/.test(hash)) { showQuote(hash.slice(3)); }
    if (/^#c-\d+$/.test(hash)) { showRow(hash.slice(3)); }
  });
})();
