// Keyboard shortcuts of the review UI. Pages work without this script;
// it only saves reviewers the mouse.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
  }
  function queue() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
    var at = rows.length ? 0 : -1;
    function select(i) {
      if (at >= 0) rows[at].classList.remove("selected");
      at = Math.max(0, Math.min(rows.length - 1, i));
      rows[at].classList.add("selected");
      rows[at].scrollIntoView({block: "nearest"});
    }
    if (at === 0) select(0);
    rows.forEach(function (r, i) {
      r.addEventListener("click", function (e) {
        if (e.target.tagName !== "A") window.location = r.dataset.href;
      });
    });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "j" && rows.length) select(at + 1);
      else if (e.key === "k" && rows.length) select(at - 1);
      else if ((e.key === "o" || e.key === "Enter") && at >= 0) window.location = rows[at].dataset.href;
      else if (e.key === "n") { var n = document.getElementById("next-page"); if (n) window.location = n.href; }
    });
  }
  function finding() {
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      var id = {c: "confirm", d: "dismiss", r: "reopen"}[e.key];
      if (id) { var b = document.getElementById(id); if (b) b.click(); }
      else if (e.key === "u") { var back = document.getElementById("back"); if (back) window.location = back.href; }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var page = document.body.dataset.page;
    if (page === "queue") queue();
    if (page === "finding") finding();
  });
})();
