/*
 * borderviz map engine: the engine (MIT).
 * Holds the window of days, the filters, the layers switched on and the
 * basemap, and redraws what depends on them, all in the browser: the
 * incidents (built-in as SVG circles, imported on a canvas), the states of
 * the line, enclaves and crossings on the window's last day, the title with
 * the dates, and the brush. Hosts (the Streamlit component, an exported
 * file, a notebook) feed it packets and listen to commit().
 */
(function (bv) {
  "use strict";

  // Country fills lie under the tiles (a map whose tiles fail still reads); crossings
  // under incidents, so a click on an incident never opens a crossing instead.
  var PANES = {"bv-background": 150, "bv-areas": 410, "bv-lines": 420, "bv-crossings": 440, "bv-points": 450,
               "bv-labels": 640};

  // Remember full-screen controls as folium creates them, to point them at the map's wrapper.
  if (L.Control.FullScreen) {
    L.Control.FullScreen.addInitHook(function () { (bv.fullscreenControls = bv.fullscreenControls || []).push(this); });
  }

  bv.Engine = function (map) {
    this.map = map; this.config = null; this.builtin = []; this.imported = []; this.listeners = [];
    this.start = 0; this.end = 0; this.filters = {}; this.layers = null; this.basemap = null;
    this.tiles = null; this.geo = {}; this.frames = 0; this.drawnCount = 0; this.commitTimer = null;
    for (var name in PANES) {
      var pane = map.getPane(name) || map.createPane(name);
      pane.style.zIndex = PANES[name];
      if (name === "bv-background" || name === "bv-labels") { pane.style.pointerEvents = "none"; }
    }
  };

  bv.Engine.prototype.days = function () { return [this.start, this.end]; };

  /* The config packet: layers, basemaps, vocabularies, presets, wars, marks, first/last day. */
  bv.Engine.prototype.setConfig = function (config, state) {
    var self = this, map = this.map;
    this.config = config;
    this.first = bv.dayOf(config.first); this.last = bv.dayOf(config.last);
    Object.keys(config.layers).forEach(function (key) {
      self.geo[key] = new bv.GeoLayer(map, config.layers[key]);
    });
    this.markers = new bv.IncidentMarkers(map, config.colors);
    this.canvas = new bv.PointCanvas(config.colors);
    this.title = bv.titleControl(this).addTo(map);
    if (bv.Legend) { this.legend = new bv.Legend(this).addTo(map); }
    if (bv.PictureControl && window.htmlToImage) { new bv.PictureControl(this).addTo(map); }
    this.notice = bv.tileNotice(this);
    if (config.attribution && map.attributionControl) { map.attributionControl.addAttribution(config.attribution); }
    var box = map.getContainer();
    if (config.brush !== false) {
      var holder = document.createElement("div");
      holder.className = "bv-timebar-holder";
      box.parentNode.insertBefore(holder, box.nextSibling);
      box.classList.add("bv-with-timebar");
      this.brush = new bv.Brush(this, holder, config);
      map.invalidateSize();
      // Full screen takes the brush along: the map and its time bar share their parent.
      var wrapper = box.parentNode;
      wrapper.classList.add("bv-screen");
      (bv.fullscreenControls || []).forEach(function (control) { control.options.fullscreenElement = wrapper; });
      map.on("enterFullscreen exitFullscreen", function () { setTimeout(function () { map.invalidateSize(); }, 50); });
    }
    state = state || {};
    this.filters = state.filters || {};
    this.setLayers(state.layers || config.defaultLayers, true);
    this.setBasemap(state.basemap || config.defaultBasemap);
    this.start = bv.dayOf(state.start || config.first);
    this.end = bv.dayOf(state.end || config.last);
    if (!state.view && map.getSize().x < 600) { map.setZoom(map.getZoom() - 1, {animate: false}); }  // a phone
    map.on("moveend", function () { self.commitSoon(); });
    map.on("popupopen", function (e) {
      var source = e.popup._source, items = source && source.bvItems;
      if (items) { self.opened = items[0].pk.header.ids[items[0].i]; self.commitSoon(); }
    });
    map.on("popupclose", function () {
      if (self.opened && !self.markers.clearing) { self.opened = null; self.commitSoon(); }
    });
    this.render();
  };

  bv.Engine.prototype.addPackets = function (packets) {
    var self = this;
    packets.forEach(function (pk) {
      (pk.header.origin === "builtin" ? self.builtin : self.imported).push(pk);
    });
    this.countsChanged();
  };

  bv.Engine.prototype.setPackets = function (builtin, imported) {
    this.builtin = builtin; this.imported = imported;
    this.countsChanged();
  };

  bv.Engine.prototype.countsChanged = function () {
    if (this.brush) { this.brush.setCounts(this.builtin.concat(this.imported), this.filters); }
    if (this.config) { this.render(); }
  };

  bv.Engine.prototype.setFilters = function (filters) {
    this.filters = filters || {};
    this.countsChanged();
    this.reopen();
  };

  /* After a redraw the app asked for, the incident whose popup was open is opened again if still drawn. */
  bv.Engine.prototype.reopen = function () {
    var id = this.opened, marker = id && this.markers.find(id);
    if (!marker || marker.isPopupOpen()) { return; }
    marker.openPopup();
    this.opened = id;
    var entry = Array.prototype.filter.call(marker.getPopup().getElement().querySelectorAll("details.bv-item"),
                                            function (d) { return d.dataset.id === id; })[0];
    if (entry) { entry.open = true; }
  };

  bv.Engine.prototype.setLayers = function (keys, quiet) {
    this.layers = (keys || []).slice();
    var map = this.map, on = this.layers;
    for (var key in this.geo) {
      var always = key === "background";
      this.geo[key].show(always || on.indexOf(key) >= 0);
    }
    var incidents = on.indexOf("incidents") >= 0;
    [this.markers.group, this.canvas].forEach(function (layer) {
      if (incidents && !map.hasLayer(layer)) { layer.addTo(map); }
      if (!incidents && map.hasLayer(layer)) { map.removeLayer(layer); }
    });
    if (this.legend) { this.legend.update(); }
    if (!quiet) { this.render(); this.reopen(); }
  };

  bv.Engine.prototype.setBasemap = function (key) {
    var spec = this.config.basemaps[key] ? key : this.config.defaultBasemap;
    if (spec === this.basemap) { return; }
    this.basemap = spec;
    if (this.tiles) { this.map.removeLayer(this.tiles); this.tiles = null; }
    var b = this.config.basemaps[spec];
    if (b && b.url) {
      this.tiles = L.tileLayer(b.url, {attribution: b.attribution, maxZoom: b.maxZoom || 18});
      this.notice.watch(this.tiles);
      this.tiles.addTo(this.map);
    } else {
      this.notice.hide();
    }
    if (this.legend) { this.legend.update(); }
  };

  /* Clamp and set the window (day numbers), then redraw. */
  bv.Engine.prototype.setRange = function (start, end) {
    start = Math.max(this.first, Math.min(start, this.last));
    end = Math.max(start, Math.min(end, this.last));
    this.start = start; this.end = end;
    this.render();
  };

  bv.Engine.prototype.render = function () {
    if (!this.config) { return; }
    var start = this.start, end = this.end, filters = this.filters, items = [];
    var incidents = this.layers.indexOf("incidents") >= 0;
    this.builtin.forEach(function (pk) {
      bv.forEachSelected(pk, start, end, filters, function (i) { items.push({pk: pk, i: i}); });
    });
    this.markers.draw(incidents ? items : []);
    var imported = this.canvas.setData(incidents ? this.imported : [], start, end, filters);
    this.drawnCount = (incidents ? items.length : 0) + imported;
    this.selectedBuiltin = items.length;
    var day = bv.isoOf(end);
    for (var key in this.geo) { if (this.config.layers[key].state) { this.geo[key].setDay(day); } }
    this.title.update();
    if (this.legend && this.legendDay !== end) { this.legendDay = end; this.legend.update(); }
    if (this.brush) { this.brush.update(); }
  };

  /* Where incident `id` is: {pk, i} in a loaded packet, or null. */
  bv.Engine.prototype.findIncident = function (id) {
    var all = this.builtin.concat(this.imported);
    for (var p = 0; p < all.length; p++) {
      var i = all[p].header.ids.indexOf(id);
      if (i >= 0) { return {pk: all[p], i: i}; }
    }
    return null;
  };

  /*
   * Open incident `id`'s popup, centred (zoom 11 or closer). If its dates lie
   * outside the window, the window moves to them first. Returns false if unknown.
   */
  bv.Engine.prototype.openIncident = function (id) {
    var hit = this.findIncident(id);
    if (!hit) { return false; }
    var c = hit.pk.columns, d0 = c.d0[hit.i], d1 = c.d1[hit.i];
    if (d1 < this.start || d0 > this.end) { this.setRange(d0, d1); }
    if (this.layers.indexOf("incidents") < 0) { this.setLayers(this.layers.concat(["incidents"])); }
    var latlng = L.latLng(c.y[hit.i], c.x[hit.i]);
    this.map.setView(latlng, Math.max(this.map.getZoom(), 11), {animate: false});
    var marker = hit.pk.header.origin === "builtin" ? this.markers.find(id) : null;
    if (marker) {
      marker.openPopup();
      var entry = Array.prototype.filter.call(marker.getPopup().getElement().querySelectorAll("details.bv-item"),
                                              function (d) { return d.dataset.id === id; })[0];
      if (entry) { entry.open = true; entry.scrollIntoView({block: "nearest"}); }
    } else {
      L.popup(bv.POPUP).setLatLng(latlng).setContent(bv.popupFor([hit])).openOn(this.map);
    }
    this.opened = id;
    return true;
  };

  /* Centre on a place found by search, with its name shown. */
  bv.Engine.prototype.focusPlace = function (lat, lon, zoom, label) {
    this.map.setView([lat, lon], zoom || Math.max(this.map.getZoom(), 12), {animate: false});
    if (this.placeMarker) { this.map.removeLayer(this.placeMarker); }
    this.placeMarker = L.circleMarker([lat, lon], {radius: 12, color: "#f39c12", weight: 3, fill: false,
                                                   interactive: false, className: "bv-found"}).addTo(this.map);
    if (label) { this.placeMarker.bindTooltip(bv.el("span", null, label), {permanent: true}).openTooltip(); }
  };

  bv.Engine.prototype.onCommit = function (fn) { this.listeners.push(fn); };

  /* The user let go of the window (or the view moved): tell the host. */
  bv.Engine.prototype.commit = function () {
    clearTimeout(this.commitTimer);
    var c = this.map.getCenter(), state = {
      range: [bv.isoOf(this.start), bv.isoOf(this.end)], count: this.drawnCount, opened: this.opened || null,
      basemap: this.basemap, view: {lat: Math.round(c.lat * 1e5) / 1e5, lon: Math.round(c.lng * 1e5) / 1e5, zoom: this.map.getZoom()}
    };
    this.listeners.forEach(function (fn) { fn(state); });
  };

  bv.Engine.prototype.commitSoon = function () {
    var self = this;
    clearTimeout(this.commitTimer);
    this.commitTimer = setTimeout(function () { self.commit(); }, 400);
  };

  /* The title drawn on the map: what, which dates, how many incidents (in screenshots and exports too). */
  bv.titleControl = function (engine) {
    var Title = L.Control.extend({
      options: {position: "topleft"},
      onAdd: function () {
        this.box = bv.el("div", "bv-title");
        this.head = bv.el("div", "bv-title-head", engine.config.title);
        this.dates = bv.el("div", "bv-title-dates");
        bv.append(this.box, this.head, this.dates);
        L.DomEvent.disableClickPropagation(this.box);
        return this.box;
      },
      update: function () {
        var n = engine.drawnCount;
        var text = engine.start === engine.end ? bv.dateText(engine.start)
          : bv.dateText(engine.start) + " – " + bv.dateText(engine.end);
        this.dates.textContent = text + " · " + n + (n === 1 ? " incident" : " incidents") +
          " · border as of " + bv.dateText(engine.end);
      }
    });
    return new Title();
  };

  /* When tiles fail (offline, blocked), say so once and offer the map without tiles. */
  bv.tileNotice = function (engine) {
    var box = null, loaded = 0, failed = 0;
    function show() {
      if (box) { return; }
      box = bv.el("div", "bv-notice");
      var use = bv.el("button", "bv-notice-button", "Use “No tiles”");
      use.type = "button";
      use.addEventListener("click", function () {
        engine.setBasemap("none"); engine.commit();
      });
      var close = bv.el("button", "bv-notice-close", "×");
      close.type = "button"; close.title = "Dismiss";
      close.addEventListener("click", hide);
      bv.append(box, "Map tiles could not be loaded (no connection?). The countries and every layer are " +
                "still drawn. ", use, close);
      L.DomEvent.disableClickPropagation(box);
      engine.map.getContainer().appendChild(box);
    }
    function hide() { if (box) { box.remove(); box = null; } }
    return {
      watch: function (tiles) {
        loaded = 0; failed = 0; hide();
        tiles.on("tileload", function () { loaded++; if (loaded > 2) { hide(); } });
        tiles.on("tileerror", function () { failed++; if (failed >= 3 && loaded === 0) { show(); } });
      },
      hide: hide
    };
  };
})(window.bvx = window.bvx || {});
