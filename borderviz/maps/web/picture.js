/*
 * borderviz map engine: the map as a picture (MIT).
 * A button on the map saves what it shows as a PNG for a report: the map with
 * its title and dates, legend, scale bar and attribution (all drawn inside the
 * map), rendered in the browser by html-to-image (vendored; no network). Map
 * controls that mean nothing on paper (zoom, full screen, measure, this
 * button) are left out. Tiles that cannot be read are left blank.
 */
(function (bv) {
  "use strict";

  var BLANK = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
  var LEFT_OUT = ["leaflet-control-zoom", "leaflet-control-zoom-fullscreen", "leaflet-control-measure",
                  "bv-picture", "bv-notice", "leaflet-popup-pane"];

  function keep(node) {
    if (!node.classList) { return true; }
    for (var k = 0; k < LEFT_OUT.length; k++) { if (node.classList.contains(LEFT_OUT[k])) { return false; } }
    return true;
  }

  /* The map as a PNG data URL (a Promise). */
  bv.picture = function (engine) {
    var box = engine.map.getContainer();
    // A picture's legend is always shown in full; the reader cannot open it.
    var closed = Array.prototype.filter.call(box.querySelectorAll(".bv-legend, .bv-legend details"),
                                             function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
    return window.htmlToImage.toPng(box, {filter: keep, imagePlaceholder: BLANK, cacheBust: false,
                                          backgroundColor: "#eef2f4", pixelRatio: 2})
      .finally(function () { closed.forEach(function (d) { d.open = false; }); });
  };

  bv.pictureName = function (engine) {
    return "borderviz-map-" + bv.isoOf(engine.start) + "_" + bv.isoOf(engine.end) + ".png";
  };

  bv.PictureControl = L.Control.extend({
    options: {position: "topright"},
    initialize: function (engine) { this.engine = engine; },
    onAdd: function () {
      var engine = this.engine, button = bv.el("a", "bv-picture leaflet-bar-part", "PNG");
      var bar = bv.el("div", "leaflet-bar bv-picture");
      button.href = "#"; button.title = "Save the map as a picture (PNG) for a report";
      button.setAttribute("role", "button");
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.preventDefault(e); L.DomEvent.stopPropagation(e);
        button.textContent = "…";
        bv.picture(engine).then(function (url) {
          var a = document.createElement("a");
          a.href = url; a.download = bv.pictureName(engine);
          document.body.appendChild(a); a.click(); a.remove();
        }).catch(function (error) {
          console.error("borderviz: could not make the picture", error);
        }).finally(function () { button.textContent = "PNG"; });
      });
      bar.appendChild(button);
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    }
  });
})(window.bvx = window.bvx || {});
