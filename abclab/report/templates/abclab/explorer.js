/* abclab customer explorer: one searchable, sortable, filterable table per
   .abclab-explorer element, rendered from the compact JSON inlined beside it (see
   abclab.report.sections.Explorer: per column a list of texts, or distinct texts with
   fixed-width base-64 codes; number columns sort by code, their texts being in numeric
   order). No network, no libraries. A URL hash "#search=<text>" pre-fills the search box
   (shareable links). */
(function () {
  "use strict";
  var PAGE = 500;  // rows drawn at once; "show more" adds the next page

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT[DIGITS.charCodeAt(d)] = d;

  // One column as {texts: [...], keys: [...] | null}; keys are the sort keys of number columns.
  function decode(column, n, number) {
    if (Array.isArray(column)) return { texts: column, keys: null };
    var texts = new Array(n), keys = number ? new Array(n) : null;
    var w = column.w, c = column.c, v = column.v, blank = column.na ? v.length - 1 : -1;
    for (var i = 0; i < n; i++) {
      var k = 0;
      for (var j = 0; j < w; j++) k = k * 64 + DIGIT[c.charCodeAt(i * w + j)];
      texts[i] = v[k];
      if (keys) keys[i] = k === blank ? null : k;
    }
    return { texts: texts, keys: keys };
  }

  function build(root) {
    var script = root.querySelector("script.abclab-explorer-data");
    if (!script) return;
    var data = JSON.parse(script.textContent);
    var cols = data.columns, labels = data.labels || {}, n = data.n;
    var decoded = data.data.map(function (column, j) { return decode(column, n, cols[j][2] === "number"); });
    var rows = new Array(n);
    for (var i = 0; i < n; i++) {
      var cells = new Array(cols.length), keys = new Array(cols.length);
      for (var j = 0; j < cols.length; j++) {
        cells[j] = decoded[j].texts[i];
        keys[j] = decoded[j].keys ? decoded[j].keys[i] : cells[j].toLowerCase();
      }
      rows[i] = { cells: cells, keys: keys, text: cells.join(" ").toLowerCase() };
    }
    decoded = null;
    var tierCols = [];
    cols.forEach(function (c, i) { if (c[2] === "tier") tierCols.push(i); });
    var state = { q: "", method: tierCols.length ? tierCols[0] : -1, tier: "", sort: -1, dir: 1, limit: PAGE };

    var bar = el("div", { "class": "abclab-explorer-bar" });
    var search = el("input", { type: "search", placeholder: labels.search || "Search", "aria-label": labels.search || "Search" });
    var method = el("select", { "aria-label": labels.method || "Method" });
    tierCols.forEach(function (i) { method.appendChild(el("option", { value: String(i) }, cols[i][1])); });
    var tier = el("select", { "aria-label": labels.tier || "Tier" });
    var count = el("span", { "class": "abclab-explorer-count" });
    bar.appendChild(search);
    if (tierCols.length) {
      bar.appendChild(el("span", {}, (labels.method || "Method") + ":"));
      bar.appendChild(method);
      bar.appendChild(el("span", {}, (labels.tier || "Tier") + ":"));
      bar.appendChild(tier);
    }
    bar.appendChild(count);

    var scroll = el("div", { "class": "abclab-explorer-scroll" });
    var table = el("table", { "class": "abclab-explorer-table" });
    var thead = el("thead"), tbody = el("tbody"), head = el("tr");
    cols.forEach(function (c, i) {
      var th = el("th", { scope: "col", "data-col": String(i), title: c[1] }, c[1]);
      th.addEventListener("click", function () {
        state.dir = state.sort === i ? -state.dir : 1;
        state.sort = i;
        draw();
      });
      head.appendChild(th);
    });
    thead.appendChild(head);
    table.appendChild(thead);
    table.appendChild(tbody);
    scroll.appendChild(table);
    var more = el("button", { type: "button", "class": "abclab-explorer-more" }, "…");
    more.addEventListener("click", function () { state.limit += PAGE; draw(); });
    root.appendChild(bar);
    root.appendChild(scroll);
    root.appendChild(more);

    function fillTiers() {
      var seen = {}, values = [];
      if (state.method >= 0) rows.forEach(function (r) {
        var v = r.cells[state.method];
        if (v && !seen[v]) { seen[v] = true; values.push(v); }
      });
      values.sort();
      tier.innerHTML = "";
      tier.appendChild(el("option", { value: "" }, labels.any_tier || "all"));
      values.forEach(function (v) { tier.appendChild(el("option", { value: v }, v)); });
      state.tier = "";
    }

    function selected() {
      var q = state.q.trim().toLowerCase();
      var out = rows.filter(function (r) {
        if (q && r.text.indexOf(q) < 0) return false;
        if (state.tier && r.cells[state.method] !== state.tier) return false;
        return true;
      });
      if (state.sort >= 0) {
        var k = state.sort, d = state.dir;
        out.sort(function (a, b) {
          var x = a.keys[k], y = b.keys[k];
          if (x === y) return 0;
          if (x === null || x === "") return 1;
          if (y === null || y === "") return -1;
          return (x < y ? -1 : 1) * d;
        });
      }
      return out;
    }

    function draw() {
      var list = selected();
      var frag = document.createDocumentFragment();
      list.slice(0, state.limit).forEach(function (r) {
        var tr = el("tr", { "data-id": r.cells[0] });
        r.cells.forEach(function (cell, i) {
          tr.appendChild(el("td", cols[i][2] === "number" ? { "class": "num" } : {}, cell));
        });
        frag.appendChild(tr);
      });
      tbody.innerHTML = "";
      tbody.appendChild(frag);
      head.querySelectorAll("th").forEach(function (th, i) {
        if (i === state.sort) th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      count.textContent = Math.min(list.length, state.limit) + " / " + list.length + " " + (labels.rows_shown || "rows");
      root.setAttribute("data-matches", String(list.length));
      more.style.display = list.length > state.limit ? "" : "none";
    }

    search.addEventListener("input", function () { state.q = search.value; state.limit = PAGE; draw(); });
    method.addEventListener("change", function () { state.method = +method.value; fillTiers(); draw(); });
    tier.addEventListener("change", function () { state.tier = tier.value; state.limit = PAGE; draw(); });
    var hash = /[#&]search=([^&]*)/.exec(window.location.hash);
    if (hash) { state.q = decodeURIComponent(hash[1]); search.value = state.q; }
    fillTiers();
    draw();
  }

  function init() {
    document.querySelectorAll(".abclab-explorer").forEach(build);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
