/*
 * borderviz map engine: the legend (MIT).
 * A Leaflet control inside the map (so it stays in full screen), compact and
 * collapsible, closed by default on small screens, listing only the layers
 * that are on. Built from the config's style constants, with textContent.
 */
(function (bv) {
  "use strict";

  var el = function (tag, cls, text) { return bv.el(tag, cls, text); };

  function line(style) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "30"); svg.setAttribute("height", "10");
    var l = document.createElementNS("http://www.w3.org/2000/svg", "line");
    [["x1", 1], ["y1", 5], ["x2", 29], ["y2", 5], ["stroke", style.color],
     ["stroke-width", Math.min(style.weight, 5)]].forEach(function (a) { l.setAttribute(a[0], a[1]); });
    if (style.dashArray) { l.setAttribute("stroke-dasharray", style.dashArray); }
    svg.appendChild(l);
    return svg;
  }

  function swatch(cls, color) {
    var s = el("span", cls);
    if (color) { s.style.background = color; }
    return s;
  }

  function row() {
    var div = el("div", "bv-legend-row");
    bv.append.apply(null, [div].concat(Array.prototype.slice.call(arguments)));
    return div;
  }

  bv.Legend = L.Control.extend({
    options: {position: "bottomleft"},

    initialize: function (engine) { this.engine = engine; },

    onAdd: function (map) {
      this.box = el("details", "bv-legend");
      this.box.open = map.getSize().x >= 700;
      this.box.appendChild(el("summary", null, "Legend"));
      this.body = el("div", "bv-legend-body");
      this.box.appendChild(this.body);
      L.DomEvent.disableClickPropagation(this.box);
      L.DomEvent.disableScrollPropagation(this.box);
      this.update();
      return this.box;
    },

    update: function () {
      if (!this.body) { return; }
      var e = this.engine, c = e.config, s = c.styles, on = e.layers || [], body = this.body;
      body.textContent = "";
      var has = function (k) { return on.indexOf(k) >= 0 && c.layers[k]; };
      if (has("status")) {
        body.appendChild(el("b", null, "Border on " + bv.dateText(e.end)));
        Object.keys(s.statusLabels).forEach(function (k) {
          body.appendChild(row(line(s.status[k]), " " + s.statusLabels[k]));
        });
      }
      if (has("line2017")) { body.appendChild(row(line(s.line2017), " 2017 version of the line")); }
      if (has("differences")) { body.appendChild(row(swatch("bv-box", s.difference.fillColor), "2017 and 2024 versions disagree")); }
      if (has("enclaves")) {
        body.appendChild(row(swatch("bv-box", s.owner.TJ), "Tajik ", swatch("bv-box", s.owner.UZ), "Uzbek ",
                             swatch("bv-box", s.owner.KG), "Kyrgyz enclave"));
      }
      if (has("crossings")) {
        var r = row();
        Object.keys(s.crossing).forEach(function (k) {
          var sq = swatch("bv-sq", s.crossing[k][0]); sq.textContent = s.crossing[k][1];
          bv.append(r, sq, k + " ");
        });
        body.appendChild(el("b", null, "Crossings"));
        body.appendChild(r);
      }
      if (has("infrastructure")) { body.appendChild(row(swatch("bv-diamond"), "contested infrastructure")); }
      if (on.indexOf("incidents") >= 0) {
        body.appendChild(el("b", null, "Incidents"));
        var types = el("details", "bv-types"), grid = el("div", "bv-grid");
        types.appendChild(el("summary", null, "colour: type of event"));
        c.types.forEach(function (t) {
          grid.appendChild(row(swatch("bv-dot", c.colors[t]), c.typeLabels[t] || t));
        });
        types.appendChild(grid);
        body.appendChild(types);
        body.appendChild(row(swatch("bv-dot", "#555"), "village or exact · ", swatch("bv-dot bv-rough"),
                             "approximate or district"));
        body.appendChild(row("larger: more killed · dark ring: several, zoom in" +
                             (e.imported.length ? " · black-ringed dots: imported" : "")));
      }
      if (!body.childNodes.length) { body.appendChild(el("p", "bv-meta", "No layers switched on.")); }
    }
  });
})(window.bvx = window.bvx || {});
