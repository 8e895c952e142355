// jixiao review --serve: the decision controls of a filing page the server rendered (body[data-serve]).
// Not part of the static site: only the server sends this file. Each decision is one POST to
// /api/corrections, with the token of the page's own address; after a 201 the page is loaded again,
// as the server now shows the filing, at the same place.
(function () {
  "use strict";

  function init() {
    var token = new URLSearchParams(location.search).get("token") || "";
    var fid = document.body.dataset.filingId;
    var KEEP = "jixiao-saved:" + fid;
    var panes = [".pages", ".flags-wrap", ".values-wrap"];

    function original(el) { return JSON.parse(el.dataset.original); }

    function say(place, text) {
      var err = place.querySelector(":scope > .error");
      if (!err) {
        err = document.createElement("span");
        err.className = "error";
        err.setAttribute("role", "alert");
        place.appendChild(err);
      }
      err.textContent = text;
      err.hidden = !text;
    }

    function saved(row) {
      var at = {row: row ? row.id : "", scroll: panes.map(function (sel) {
        var el = document.querySelector(sel);
        return el ? el.scrollTop : 0;
      })};
      try { sessionStorage.setItem(KEEP, JSON.stringify(at)); } catch (e) { /* private mode: the top it is */ }
      location.reload();
    }

    function post(decision, place, row, busy) {
      say(place, "");
      decision.filing_id = fid;
      busy.forEach(function (b) { b.disabled = true; });
      function again(text) {
        say(place, text);
        busy.forEach(function (b) { b.disabled = false; });
      }
      return fetch("/api/corrections?token=" + encodeURIComponent(token), {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(decision)
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 201) saved(row);
          else again(body.error || ("the server answered " + r.status));
        });
      }, function () {
        again("no answer from the server: is `jixiao review --serve` still running?");
      });
    }

    function field(tag, cls, attrs) {
      var el = document.createElement(tag);
      el.className = cls;
      Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
      return el;
    }

    function form(place, controls, label, onSubmit) {
      var f = field("form", "decision-form");
      var note = field("input", "note", {type: "text", placeholder: "note (optional)", "aria-label": "note"});
      var ok = field("button", "act save", {type: "submit"});
      var cancel = field("button", "act cancel", {type: "button"});
      ok.textContent = label;
      cancel.textContent = "cancel";
      controls.forEach(function (c) { f.appendChild(c); });
      f.appendChild(note);
      f.appendChild(ok);
      f.appendChild(cancel);
      f.addEventListener("click", function (ev) { ev.stopPropagation(); });
      f.addEventListener("keydown", function (ev) { if (ev.key === "Escape") f.remove(); });
      cancel.addEventListener("click", function () { f.remove(); say(place, ""); });
      f.addEventListener("submit", function (ev) {
        ev.preventDefault();
        onSubmit(note.value.trim(), [ok, cancel]);
      });
      place.appendChild(f);
      (controls[0] || note).focus();
      return f;
    }

    function edit(row) {
      var cell = row.querySelector("td.value");
      if (cell.querySelector("form")) return;
      var now = original(row), kind = row.dataset.kind, input;
      if (kind === "flag") {
        input = field("select", "value-input", {"aria-label": "new value"});
        [["true", "✓ ticked"], ["false", "✗ not ticked"]].forEach(function (o) {
          var opt = document.createElement("option");
          opt.value = o[0];
          opt.textContent = o[1];
          input.appendChild(opt);
        });
        input.value = String(now === true);
      } else {
        var text = now === null ? "" : String(now);
        input = field(text.length > 40 ? "textarea" : "input", "value-input", {"aria-label": "new value"});
        if (input.tagName === "INPUT") input.type = "text";
        input.value = text;
        input.placeholder = "empty: no value";
      }
      form(cell, [input], "save", function (note, busy) {
        var value = kind === "flag" ? input.value === "true" : (input.value === "" ? null : input.value);
        var d = {path: row.dataset.path, action: "set", value: value, original: now};
        if (note) d.note = note;
        post(d, cell, row, busy);
      });
    }

    function dismiss(button) {
      var place = button.parentElement;
      if (place.querySelector("form")) return;
      form(place, [], "dismiss " + button.dataset.code, function (note, busy) {
        var d = {path: button.dataset.path, action: "dismiss_flag", flag: button.dataset.code};
        if (button.hasAttribute("data-original")) d.original = original(button);
        if (note) d.note = note;
        post(d, place, button.closest("tr"), busy.concat([button]));
      });
    }

    document.addEventListener("click", function (ev) {
      var b = ev.target.closest("button.act");
      if (!b || b.closest("form")) return;
      var row = b.closest("tr");
      if (b.classList.contains("edit")) edit(row);
      else if (b.classList.contains("confirm")) {
        post({path: row.dataset.path, action: "confirm", original: original(row)}, row.querySelector("td.decide"),
          row, [b]);
      } else if (b.classList.contains("dismiss")) dismiss(b);
    });

    // back where the reviewer was, the row just decided marked
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEEP) || "null"); sessionStorage.removeItem(KEEP); } catch (e) { }
    if (kept) {
      panes.forEach(function (sel, i) {
        var el = document.querySelector(sel);
        if (el) el.scrollTop = kept.scroll[i] || 0;
      });
      var row = kept.row ? document.getElementById(kept.row) : null;
      if (row) row.classList.add("just-saved");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.dataset.serve && document.body.classList.contains("filing")) init();
  });
})();
