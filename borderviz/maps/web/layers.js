/*
 * borderviz map engine: geographic layers (MIT).
 * Draws the FeatureCollections of a config packet (borderviz/maps/engine.py):
 * every feature carries its Leaflet style, an optional marker icon, and
 * popup/tooltip HTML that Python built and escaped (borderviz.popups); it
 * arrives through the packet, never through a template. Features with
 * "from"/"to" are states (the line's status, enclaves, crossings): each is
 * its own Leaflet layer, shown only on days from ≤ day < to, so moving the
 * day adds or removes just the features whose state changes (no blinking).
 */
(function (bv) {
  "use strict";

  function holds(p, iso) { return (!p.from || p.from <= iso) && (!p.to || iso < p.to); }
  bv.holds = holds;

  function drawFeature(feature, pane) {
    return L.geoJSON(feature, {
      pane: pane,
      style: function (f) {
        return Object.assign({bubblingMouseEvents: false}, f.properties.style || {}, pane ? {pane: pane} : {});
      },
      pointToLayer: function (f, latlng) {
        var p = f.properties;
        if (p.icon) {
          return L.marker(latlng, {icon: L.divIcon(p.icon), interactive: p.interactive !== false, keyboard: false,
                                   bubblingMouseEvents: false,
                                   pane: p.interactive === false ? "bv-labels" : pane || "markerPane"});
        }
        return L.circleMarker(latlng, Object.assign({bubblingMouseEvents: false}, p.style || {}, pane ? {pane: pane} : {}));
      },
      onEachFeature: function (f, drawn) {
        var p = f.properties;
        if (p.popup) { drawn.bindPopup(p.popup, bv.POPUP); }
        if (p.tooltip) { drawn.bindTooltip(p.tooltip, {sticky: true}); }
      }
    });
  }

  /* One map layer (static or state) from {features, pane}; setDay(iso) shows the states of that day. */
  bv.GeoLayer = function (map, spec) {
    this.map = map;
    this.items = (spec.features || []).map(function (f) {
      return {p: f.properties, layer: drawFeature(f, spec.pane), on: false};
    });
    this.group = L.layerGroup();
    this.day = null;
    this.setDay(null);
  };

  bv.GeoLayer.prototype.setDay = function (iso) {
    this.day = iso;
    var group = this.group;
    this.items.forEach(function (item) {
      var want = !iso || holds(item.p, iso);
      if (want && !item.on) { group.addLayer(item.layer); item.on = true; }
      if (!want && item.on) { group.removeLayer(item.layer); item.on = false; }
    });
    return this;
  };

  bv.GeoLayer.prototype.show = function (visible) {
    if (visible && !this.map.hasLayer(this.group)) { this.group.addTo(this.map); }
    if (!visible && this.map.hasLayer(this.group)) { this.map.removeLayer(this.group); }
  };

  bv.GeoLayer.prototype.count = function () {
    return this.items.filter(function (i) { return i.on; }).length;
  };
})(window.bvx = window.bvx || {});
