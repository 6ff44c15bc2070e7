// Suggestions for the search box of every page (web/html.py SEARCH_BOX): as you type, the best
// matches from /search.json, each a link to its page; arrows move, Enter opens, Escape closes.
// Text reaches the page only through textContent; without this script the box is a plain form.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var box = document.createElement("ul");
    box.className = "suggest";
    box.hidden = true;
    box.setAttribute("role", "listbox");
    input.parentNode.appendChild(box);
    var timer = null, seq = 0, active = -1;

    function links() { return box.querySelectorAll("a"); }
    function highlight(i) {
      var all = links();
      all.forEach(function (a) { a.classList.remove("active"); });
      active = Math.max(-1, Math.min(i, all.length - 1));
      if (active >= 0) { all[active].classList.add("active"); }
    }
    function show(results) {
      box.textContent = "";
      active = -1;
      results.forEach(function (r) {
        if (!r.path) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = r.path;
        a.textContent = r.label;
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = r.kind + (r.matched ? " · " + r.matched : "");
        a.appendChild(kind);
        li.appendChild(a);
        box.appendChild(li);
      });
      box.hidden = box.childNodes.length === 0;
    }
    function ask() {
      var q = input.value.trim();
      if (!q) { show([]); return; }
      var mine = ++seq;
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === seq) { show(data.results || []); } })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 80); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { highlight(active + 1); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { highlight(active - 1); ev.preventDefault(); }
      else if (ev.key === "Escape") { box.hidden = true; }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); window.location = links()[active].href; }
    });
    input.addEventListener("blur", function () { setTimeout(function () { box.hidden = true; }, 200); });
    input.addEventListener("focus", function () { if (box.childNodes.length) { box.hidden = false; } });
  });
})();
