/*
 * borderviz map engine: attaching to a map, and the public API (MIT).
 *
 *   bvx.attach(map, options)   called by the folium element borderviz.engine.Engine
 *
 * options is base64 of JSON {config, packets, state}: config and packets are
 * base64 packets (borderviz/maps/packet.py); state is the opening window, filters,
 * layers and basemap. In the Streamlit app options.config is absent and the
 * component (host.js) feeds the engine instead.
 *
 * The map then answers, on window.borderviz (in the map's frame):
 *   setRange("2022-09-14", "2022-09-20")  → Promise, resolved once redrawn
 *   range()                               → ["2022-09-14", "2022-09-20"]
 *   count()                               → incidents drawn (built-in and imported)
 *   play(), pause()                       → animate the window / stop
 *   open("2022-09-16-dostuk-school")      → Promise: opens that incident's popup, centred
 *   png()                                 → Promise: the map as a PNG data URL (title, dates, legend)
 *   ready                                 → Promise, resolved once data is drawn
 */
(function (bv) {
  "use strict";

  function text(b64) {
    var binary = atob(b64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return new TextDecoder("utf-8").decode(bytes);
  }

  function nextFrame() {
    return new Promise(function (resolve) { requestAnimationFrame(function () { resolve(); }); });
  }

  bv.api = function (engine, ready) {
    return {
      ready: ready,
      engine: engine,
      setRange: function (start, end) {
        return ready.then(function () {
          var s = bv.dayOf(start), e = bv.dayOf(end === undefined ? start : end);
          if (s === null || e === null) { throw new Error("setRange: dates must be ISO (YYYY-MM-DD)"); }
          if (engine.brush) { engine.brush.pause(); }
          engine.setRange(Math.min(s, e), Math.max(s, e));
          return nextFrame();
        }).then(function () { return engine.days().map(bv.isoOf); });
      },
      range: function () { return engine.days().map(bv.isoOf); },
      count: function () { return engine.drawnCount; },
      play: function () { if (engine.brush) { engine.brush.play(); } },
      pause: function () { if (engine.brush) { engine.brush.pause(); } },
      playing: function () { return !!(engine.brush && engine.brush.playing); },
      open: function (id) { return ready.then(function () { return engine.openIncident(id); }); },
      png: function () { return ready.then(function () { return bv.picture(engine); }); }
    };
  };

  bv.attach = function (map, options) {
    // The state as base64 JSON, then the config and each packet in base64, joined by dots.
    var parts = options ? options.split(".") : [];
    var opts = parts.length ? JSON.parse(text(parts[0])) : {};
    if (parts.length > 1) { opts.config = parts[1]; opts.packets = parts.slice(2); }
    var engine = new bv.Engine(map), resolveReady;
    var ready = new Promise(function (resolve) { resolveReady = resolve; });
    bv.engine = engine;
    bv.readyWith = function () { resolveReady(engine); };
    window.borderviz = bv.api(engine, ready);
    if (opts.config) {
      Promise.all([bv.decode(opts.config)].concat((opts.packets || []).map(bv.decode))).then(function (decoded) {
        var state = opts.state || {};
        engine.setConfig(decoded[0].header, state);
        engine.addPackets(decoded.slice(1));
        if (state.view) { map.setView([state.view.lat, state.view.lon], state.view.zoom, {animate: false}); }
        if (state.focus && state.focus.incident) { engine.openIncident(state.focus.incident); }
        resolveReady(engine);
      }).catch(function (error) {
        console.error("borderviz: could not load the map's data", error);
      });
    }
    return engine;
  };
})(window.bvx = window.bvx || {});
