/*
 * borderviz map engine: drawing incidents (MIT).
 * - IncidentMarkers: the built-in incidents (about a hundred), as SVG circles
 *   grouped by place, styled by type, deaths and how precisely they are
 *   placed. Rebuilt for each window: at this size that takes a millisecond.
 * - PointCanvas: imported incidents at any number (tested to 1,000,000). Each
 *   point is written straight into the pixels of one canvas (a 5×5 dot with a
 *   black ring), which costs a few nanoseconds a point; projected coordinates
 *   are cached per zoom level. Clicks find the nearest drawn point.
 */
(function (bv) {
  "use strict";

  var ROUGH = {district: true, approximate: true, region: true, country: true};

  function killedOf(items) {
    var total = 0;
    items.forEach(function (it) { total += Math.max(it.pk.columns.k[it.i], 0); });
    return total;
  }

  function radius(killed) { return Math.round(Math.min(5 + 2.4 * Math.sqrt(killed), 20) * 10) / 10; }

  bv.IncidentMarkers = function (map, colors) {
    this.map = map; this.colors = colors; this.group = L.layerGroup(); this.drawn = []; this.items = [];
    var self = this;
    map.on("zoomend", function () { if (self.map.hasLayer(self.group)) { self.draw(self.items); } });
  };

  /*
   * items: [{pk, i}] selected rows. Incidents at one point share a circle;
   * circles that would overlap at this zoom
   * (their circles would touch) are drawn as one, with a count, so none hides under another: its popup
   * lists every incident (one click) and each opens in full (a second click).
   * Zooming in separates them again.
   */
  var CLUSTER_GAP_PX = 2;
  bv.IncidentMarkers.prototype.draw = function (items) {
    var self = this, map = this.map, zoom = map.getZoom(), places = {}, order = [];
    this.items = items;
    items.forEach(function (item) {
      var c = item.pk.columns, key = c.x[item.i].toFixed(5) + "," + c.y[item.i].toFixed(5);
      if (!places[key]) { places[key] = []; order.push(key); }
      places[key].push(item);
    });
    var clusters = [];
    order.forEach(function (key) {
      var here = places[key], c = here[0].pk.columns;
      var point = map.project([c.y[here[0].i], c.x[here[0].i]], zoom), r = radius(killedOf(here));
      var near = null;
      for (var k = 0; k < clusters.length && !near; k++) {
        if (clusters[k].point.distanceTo(point) < clusters[k].r + r + CLUSTER_GAP_PX) { near = clusters[k]; }
      }
      if (near) {
        near.items = near.items.concat(here); near.places += 1; near.r = radius(killedOf(near.items));
      } else {
        clusters.push({point: point, items: here.slice(), places: 1, r: r});
      }
    });
    this.clearing = true;  // (a popup closed by a redraw was not closed by the user)
    this.group.clearLayers();
    this.clearing = false;
    this.drawn = [];
    clusters.forEach(function (cluster) { self.drawCluster(cluster); });
  };

  bv.IncidentMarkers.prototype.drawCluster = function (cluster) {
    var here = cluster.items;
    here.sort(function (a, b) { return a.pk.columns.d0[a.i] - b.pk.columns.d0[b.i]; });
    var lead = here[0], leadKilled = -2, total = 0, anyKilled = false;
    here.forEach(function (it) {
      var k = it.pk.columns.k[it.i];
      if (k >= 0) { total += k; anyKilled = true; }
      if (Math.max(k, 0) >= leadKilled) { leadKilled = Math.max(k, 0); lead = it; }
    });
    var h = lead.pk.header, c = lead.pk.columns, type = h.types[c.t[lead.i]];
    var rough = ROUGH[h.precisions[c.p[lead.i]]], color = this.colors[type] || "#555";
    // A cluster of several places sits at their mean; one place at its own point.
    var latlng = L.latLng(c.y[lead.i], c.x[lead.i]);
    if (cluster.places > 1) {
      var sx = 0, sy = 0;
      here.forEach(function (it) { sx += it.pk.columns.x[it.i]; sy += it.pk.columns.y[it.i]; });
      latlng = L.latLng(sy / here.length, sx / here.length);
    }
    var marker = L.circleMarker(latlng, {
      pane: "bv-points", bubblingMouseEvents: false, radius: radius(anyKilled ? total : 0),
      color: cluster.places > 1 ? "#222" : rough ? color : "#ffffff",
      weight: cluster.places > 1 ? 2 : rough ? 2.5 : 1, dashArray: rough && cluster.places === 1 ? "3 3" : null,
      fill: true, fillColor: color, fillOpacity: rough ? 0.25 : 0.85,
      className: "bv-incident bv-type-" + type + (cluster.places > 1 ? " bv-cluster" : "")
    });
    var content = null;  // built on first opening, then kept (a re-layout must not fold it up again)
    marker.bindPopup(function () { return content || (content = bv.popupFor(here, cluster.places)); }, bv.POPUP);
    marker.bindTooltip(function () { return bv.tooltipFor(here, cluster.places); }, {sticky: true});
    marker.bvItems = here;
    this.group.addLayer(marker);
    this.drawn.push(marker);
    if (here.length > 1) {
      var badge = bv.el("span", "bv-count", here.length);
      this.group.addLayer(L.marker(latlng, {interactive: false, keyboard: false, pane: "bv-labels",
        icon: L.divIcon({html: badge, className: "bv-count-icon", iconSize: [18, 14], iconAnchor: [-4, 16]})}));
    }
  };

  /* The marker whose popup lists incident id (or null). */
  bv.IncidentMarkers.prototype.find = function (id) {
    for (var m = 0; m < this.drawn.length; m++) {
      var items = this.drawn[m].bvItems;
      for (var j = 0; j < items.length; j++) {
        if (items[j].pk.header.ids[items[j].i] === id) { return this.drawn[m]; }
      }
    }
    return null;
  };

  function hexColor(hex) {
    var v = parseInt(String(hex || "#555555").slice(1), 16);
    // ImageData is RGBA in memory: as a little-endian uint32 that is 0xAABBGGRR.
    return (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
  }

  bv.PointCanvas = L.Layer.extend({
    initialize: function (colors) {
      this.colors = colors; this.packets = []; this.window = null; this.selected = new Uint32Array(0);
      this.selectedPk = []; this.nSelected = 0; this.zoom = null;
    },

    onAdd: function (map) {
      this._map = map;
      var pane = map.getPane("bv-canvas") || map.createPane("bv-canvas");
      pane.style.zIndex = 445; pane.style.pointerEvents = "none";
      this.canvas = L.DomUtil.create("canvas", "bv-point-canvas leaflet-zoom-hide", pane);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      map.on("click", this.onClick, this);
      this.redraw();
    },

    onRemove: function (map) {
      L.DomUtil.remove(this.canvas);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
      map.off("click", this.onClick, this);
    },

    setData: function (packets, start, end, filters) {
      this.packets = packets; this.window = [start, end, filters];
      var total = 0;
      packets.forEach(function (pk) { total += pk.header.n; });
      if (this.selected.length < total) { this.selected = new Uint32Array(total); }
      if (this._map) { this.redraw(); } else { this.select(); }
      return this.nSelected;
    },

    select: function () {
      var sel = this.selected, pks = this.selectedPk, n = 0, w = this.window;
      pks.length = 0;
      if (!w) { this.nSelected = 0; return; }
      this.packets.forEach(function (pk, p) {
        bv.forEachSelected(pk, w[0], w[1], w[2], function (i) { sel[n] = i; pks[n] = p; n++; });
      });
      this.nSelected = n;
    },

    project: function (pk, zoom) {
      var cache = pk.projected || (pk.projected = {});
      if (cache.zoom === zoom) { return cache; }
      var n = pk.header.n, x = pk.columns.x, y = pk.columns.y;
      var px = cache.px || new Float64Array(n), py = cache.py || new Float64Array(n);
      var scale = 256 * Math.pow(2, zoom), d2r = Math.PI / 180, max = 85.0511287798;
      for (var i = 0; i < n; i++) {
        var lat = Math.max(Math.min(y[i], max), -max) * d2r;
        px[i] = (x[i] + 180) / 360 * scale;
        py[i] = (1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2 * scale;
      }
      cache.px = px; cache.py = py; cache.zoom = zoom;
      return cache;
    },

    redraw: function () {
      if (!this._map) { return; }
      this.select();
      var map = this._map, size = map.getSize(), canvas = this.canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      if (canvas.width !== size.x || canvas.height !== size.y) { canvas.width = size.x; canvas.height = size.y; }
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, size.x, size.y);
      if (!this.nSelected) { return; }
      var zoom = map.getZoom(), origin = map.getPixelBounds().min;
      var image = ctx.createImageData(size.x, size.y), pixels = new Uint32Array(image.data.buffer);
      var w = size.x, h = size.y, black = 0xff000000, self = this;
      var projections = this.packets.map(function (pk) { return self.project(pk, zoom); });
      var palettes = this.packets.map(function (pk) {
        return pk.header.types.map(function (t) { return hexColor(self.colors[t]); });
      });
      for (var s = 0; s < this.nSelected; s++) {
        var p = this.selectedPk[s], i = this.selected[s], pr = projections[p];
        var cx = Math.round(pr.px[i] - origin.x), cy = Math.round(pr.py[i] - origin.y);
        if (cx < 2 || cy < 2 || cx >= w - 2 || cy >= h - 2) { continue; }
        var fill = palettes[p][this.packets[p].columns.t[i]];
        for (var dy = -2; dy <= 2; dy++) {
          var row = (cy + dy) * w + cx, edge = dy === -2 || dy === 2;
          for (var dx = -2; dx <= 2; dx++) {
            if (edge && (dx === -2 || dx === 2)) { continue; }
            pixels[row + dx] = edge || dx === -2 || dx === 2 ? black : fill;
          }
        }
      }
      ctx.putImageData(image, 0, 0);
    },

    /* Rows drawn within `tolerance` px of a container point, nearest first. */
    hits: function (point, tolerance) {
      var map = this._map, zoom = map.getZoom(), origin = map.getPixelBounds().min, out = [], self = this;
      for (var s = 0; s < this.nSelected; s++) {
        var p = this.selectedPk[s], i = this.selected[s], pr = self.project(this.packets[p], zoom);
        var dx = pr.px[i] - origin.x - point.x, dy = pr.py[i] - origin.y - point.y, d = dx * dx + dy * dy;
        if (d <= tolerance * tolerance) { out.push({pk: this.packets[p], i: i, d: d}); }
      }
      out.sort(function (a, b) { return a.d - b.d || a.pk.columns.d0[a.i] - b.pk.columns.d0[b.i]; });
      return out.slice(0, 50);
    },

    onClick: function (e) {
      var found = this.hits(e.containerPoint, 6);
      if (!found.length) { return; }
      L.popup(bv.POPUP).setLatLng([found[0].pk.columns.y[found[0].i], found[0].pk.columns.x[found[0].i]])
        .setContent(bv.popupFor(found)).openOn(this._map);
    }
  });
})(window.bvx = window.bvx || {});
