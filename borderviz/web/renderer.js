/*
 * borderviz map renderer (MIT). Draws FeatureCollections prepared by
 * borderviz.mapview: every feature carries its own Leaflet style, an optional
 * marker icon, and popup/tooltip HTML that Python has already escaped
 * (borderviz.popups). Nothing here builds HTML from data.
 */
(function () {
  "use strict";

  /* A state that holds from p.from (null: since the start) until the day before p.to (null: still). */
  function holds(feature, day) {
    var p = feature.properties;
    return (!p.from || p.from <= day) && (!p.to || day < p.to);
  }

  function layer(collection, options) {
    var pane = options && options.pane;
    var day = options && options.day;
    return L.geoJSON(collection, {
      pane: pane,
      filter: day ? function (feature) { return holds(feature, day); } : null,
      style: function (feature) { return feature.properties.style || {}; },
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        if (p.icon) {
          return L.marker(latlng, {icon: L.divIcon(p.icon), interactive: p.interactive !== false,
                                   keyboard: false});
        }
        var style = Object.assign({}, p.style || {});
        if (pane) { style.pane = pane; }
        return L.circleMarker(latlng, style);
      },
      onEachFeature: function (feature, drawn) {
        var p = feature.properties;
        if (p.popup) { drawn.bindPopup(p.popup, {maxWidth: 440}); }
        if (p.tooltip) { drawn.bindTooltip(p.tooltip, {sticky: true}); }
      }
    });
  }

  function fetchLayer(url, parent, options) {
    return fetch(url, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) { layer(collection, options).addTo(parent); })
      .catch(function (error) { console.error("borderviz: could not load a layer", error); });
  }

  window.borderviz = {layer: layer, fetchLayer: fetchLayer, holds: holds};
})();
