// jixiao review: plain JavaScript, no build step, no network. Works from file:// (no fetch: all data is in the HTML).
// The decision controls of a served page are serve.js's (only `jixiao review --serve` sends it).
(function () {
  "use strict";

  function setHash(h) {
    try {
      history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
    } catch (e) {
      /* some browsers refuse replaceState on file:// — the page still works */
    }
  }

  function typing(ev) {
    var t = ev.target;
    return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable);
  }

  // ---------------------------------------------------------------- index: filter by flag code, status, text
  function initIndex() {
    var code = document.getElementById("code");
    var status = document.getElementById("status");
    var q = document.getElementById("q");
    var rows = Array.prototype.slice.call(document.querySelectorAll("#filings tbody tr"));
    var shown = document.getElementById("shown");
    var none = document.getElementById("none-shown");

    function apply() {
      var c = code.value, s = status.value, text = q.value.trim().toLowerCase(), n = 0;
      rows.forEach(function (tr) {
        var ok = (!c || (" " + tr.dataset.codes + " ").indexOf(" " + c + " ") >= 0) &&
          (!s || (s === "reviewed" ? tr.dataset.reviewed === "1" :
                  s === "unreviewed" ? tr.dataset.reviewed !== "1" : tr.dataset.status === s)) &&
          (!text || tr.dataset.text.indexOf(text) >= 0);
        tr.hidden = !ok;
        if (ok) n++;
      });
      shown.textContent = n + " of " + rows.length;
      none.hidden = n > 0;
      var parts = [];
      if (c) parts.push("code=" + encodeURIComponent(c));
      if (s) parts.push("status=" + encodeURIComponent(s));
      if (text) parts.push("q=" + encodeURIComponent(q.value.trim()));
      setHash(parts.join("&"));
    }

    // restore the filter from the address (so "back" from a filing keeps it)
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = kv.slice(0, i), v = decodeURIComponent(kv.slice(i + 1));
      if (k === "code" && code.querySelector('option[value="' + v.replace(/"/g, "") + '"]')) code.value = v;
      if (k === "status") status.value = v;
      if (k === "q") q.value = v;
    });
    code.addEventListener("change", apply);
    status.addEventListener("change", apply);
    q.addEventListener("input", apply);
    document.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-code]");
      if (!b) return;
      code.value = b.dataset.code;
      apply();
    });
    apply();
  }

  // ---------------------------------------------------------------- one filing: boxes, table, flag navigation
  function initFiling() {
    var items = Array.prototype.slice.call(document.querySelectorAll("ol.flags > li"));
    var bar = document.getElementById("current-flag");
    var cur = -1;

    function byId(id) { return id ? document.getElementById(id) : null; }
    function clear(cls) {
      Array.prototype.forEach.call(document.querySelectorAll("." + cls), function (el) { el.classList.remove(cls); });
    }

    function select(i) {
      if (!items.length) return;
      cur = (i + items.length) % items.length;
      var li = items[cur];
      clear("current");
      li.classList.add("current");
      li.scrollIntoView({ block: "nearest" });
      var box = byId(li.dataset.box), row = byId(li.dataset.row);
      if (row) {
        row.classList.add("current");
        row.scrollIntoView({ block: "nearest" });
      }
      if (box) {
        box.classList.add("current");
        box.scrollIntoView({ block: "center", inline: "nearest" });
      }
      bar.textContent = (cur + 1) + " / " + items.length + " · " + li.dataset.code + " · " + li.dataset.path +
        (li.dataset.page ? " (p. " + li.dataset.page + ")" : "") + (box ? "" : " · no box") +
        (li.dataset.detail ? " · " + li.dataset.detail : "");
      bar.title = bar.textContent;
      setHash("flag-" + (cur + 1));
    }

    function next() { select(cur + 1); }
    function prev() { select(cur < 0 ? items.length - 1 : cur - 1); }

    document.addEventListener("keydown", function (ev) {
      if (typing(ev) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === "j" || ev.key === "n") { next(); ev.preventDefault(); }
      else if (ev.key === "k" || ev.key === "p") { prev(); ev.preventDefault(); }
      else if (ev.key === "t" && tags) { tags.checked = !tags.checked; showTags(); ev.preventDefault(); }
    });
    var tags = document.getElementById("show-tags");
    function showTags() { document.body.classList.toggle("no-tags", !tags.checked); }
    if (tags) tags.addEventListener("change", showTags);
    var nb = document.getElementById("next-flag"), pb = document.getElementById("prev-flag");
    if (nb) nb.addEventListener("click", next);
    if (pb) pb.addEventListener("click", prev);

    items.forEach(function (li, i) { li.addEventListener("click", function () { select(i); }); });

    // a box shows its row; a row shows its box
    document.addEventListener("click", function (ev) {
      var box = ev.target.closest(".box");
      if (box) {
        ev.preventDefault();
        var first = items.findIndex(function (li) { return li.dataset.box === box.id; });
        if (first >= 0) { select(first); return; }
        clear("selected");
        box.classList.add("selected");
        var row = document.querySelector('tr[data-box="' + box.id + '"]');
        if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "nearest" }); }
        return;
      }
      var tr = ev.target.closest("tr[data-box]");
      if (tr) {
        clear("selected");
        tr.classList.add("selected");
        var b = byId(tr.dataset.box);
        if (b) { b.classList.add("selected"); b.scrollIntoView({ block: "center", inline: "nearest" }); }
      }
    });

    var m = /^#flag-(\d+)$/.exec(location.hash);
    if (m) select(parseInt(m[1], 10) - 1);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.classList.contains("index")) initIndex();
    if (document.body.classList.contains("filing")) initFiling();
  });
})();
