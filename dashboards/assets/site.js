/* 287(g) tracker static site: draws the embedded Plotly figures (lazily, when near the viewport) and makes
   tables sortable and filterable. No dependencies beyond plotly.min.js; works from file:// and any host. */
(function () {
  "use strict";
  var GEO = window.TRACKER_GEO || {};
  var CONFIG = { responsive: true, displaylogo: false, scrollZoom: false,
                 modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
                 toImageButtonOptions: { format: "png", scale: 2 } };

  function figureOf(el) {
    var fig = JSON.parse(document.getElementById(el.getAttribute("data-fig")).textContent);
    (fig.data || []).forEach(function (t) {
      // The site ships each GeoJSON once (geo-*.js); traces name it as "geo:<name>".
      if (typeof t.geojson === "string" && t.geojson.indexOf("geo:") === 0) { t.geojson = GEO[t.geojson.slice(4)]; }
    });
    return fig;
  }

  function draw(el) {
    if (el.getAttribute("data-drawn")) { return; }
    el.setAttribute("data-drawn", "1");
    var fig = figureOf(el);
    if (fig.layout && fig.layout.geo && el.clientWidth < 640) {
      // Maps keep their shape on a phone: height follows width instead of a desktop-sized frame.
      fig.layout.height = Math.round(el.clientWidth * 0.62) + 250;
    }
    Plotly.newPlot(el, { data: fig.data, layout: fig.layout, frames: fig.frames, config: CONFIG }).then(function () {
      el.setAttribute("data-ready", "1");
    });
  }

  function drawCharts() {
    var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-fig]"));
    if (!("IntersectionObserver" in window)) { charts.forEach(draw); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) { if (e.isIntersecting) { io.unobserve(e.target); draw(e.target); } });
    }, { rootMargin: "400px 0px" });
    charts.forEach(function (el) { io.observe(el); });
  }

  function cellValue(td, type) {
    var v = td.getAttribute("data-v");
    if (v === null) { v = td.textContent.trim(); }
    if (type === "num") { var n = parseFloat(v); return isNaN(n) ? -Infinity : n; }
    return v.toLowerCase();
  }

  function setupTable(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var box = document.getElementById(table.getAttribute("data-tools"));
    var search = box ? box.querySelector("input[type=search]") : null;
    var selects = box ? Array.prototype.slice.call(box.querySelectorAll("select[data-col]")) : [];
    var count = box ? box.querySelector(".count") : null;

    selects.forEach(function (sel) {
      var col = +sel.getAttribute("data-col");
      var seen = {};
      rows.forEach(function (r) { seen[r.cells[col].textContent.trim()] = 1; });
      Object.keys(seen).sort().forEach(function (v) {
        if (v === "") { return; }
        var o = document.createElement("option");
        o.value = v; o.textContent = v;   // textContent: source text never becomes markup
        sel.appendChild(o);
      });
    });

    function filter() {
      var q = search ? search.value.trim().toLowerCase() : "";
      var shown = 0;
      rows.forEach(function (r) {
        var ok = !q || r.textContent.toLowerCase().indexOf(q) !== -1;
        selects.forEach(function (sel) {
          if (ok && sel.value) { ok = r.cells[+sel.getAttribute("data-col")].textContent.trim() === sel.value; }
        });
        r.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = shown.toLocaleString("en-US") + " of " + rows.length.toLocaleString("en-US") + " rows"; }
    }

    heads.forEach(function (th, i) {
      var btn = th.querySelector("button");
      if (!btn) { return; }
      btn.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var type = th.getAttribute("data-type") || "text";
        var sign = dir === "ascending" ? 1 : -1;
        rows.sort(function (a, b) {
          var x = cellValue(a.cells[i], type), y = cellValue(b.cells[i], type);
          return x < y ? -sign : x > y ? sign : 0;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        tbody.appendChild(frag);
      });
    });
    if (search) { search.addEventListener("input", filter); }
    selects.forEach(function (sel) { sel.addEventListener("change", filter); });
    filter();
  }

  function start() {
    drawCharts();
    Array.prototype.slice.call(document.querySelectorAll("table[data-tools]")).forEach(setupTable);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
