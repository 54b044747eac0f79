/*
 * borderviz map engine: the Streamlit host (MIT).
 * Speaks Streamlit's component protocol (postMessage) for index.html:
 * - render: args carry folium's frame (html, script) once, packets by name
 *   (bytes only when this frame does not hold them yet: data crosses the
 *   websocket once per data version), and the sidebar's state with a
 *   sequence number: a new number means the sidebar or URL changed it.
 * - value: {have, range, view, basemap, n} after a release of the brush, a
 *   move of the map, or a change of what this frame holds.
 */
(function (bv) {
  "use strict";

  var store = {}, decoding = {}, engine = null, seq = null, counter = 0, loaded = "", height = null;

  function send(type, data) {
    window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
  }

  function post(state) {
    counter += 1;
    var value = Object.assign({have: Object.keys(store), n: counter}, state || {});
    send("streamlit:setComponentValue", {value: value, dataType: "json"});
  }

  function mount(args) {
    var holder = document.getElementById("bv-frame");
    holder.innerHTML = args.frame_html;  // folium's own markup: no data in it (see borderviz/maps/engine.py)
    (0, eval)(args.frame_script);
    engine = bv.engine;
    engine.onCommit(function (state) { post(state); });
  }

  function apply(args) {
    var names = [args.config_name].concat(args.packet_names || []);
    var missing = [];
    names.forEach(function (name, k) {
      var bytes = k === 0 ? args.config : args["p" + (k - 1)];
      if (store[name] || decoding[name]) { return; }
      if (bytes && bytes.length) {
        decoding[name] = bv.decode(bytes).then(function (pk) { store[name] = pk; delete decoding[name]; });
      } else {
        missing.push(name);
      }
    });
    if (missing.length) { post({need: missing}); return; }
    Promise.all(names.map(function (n) { return decoding[n] || store[n]; })).then(function () {
      var key = names.join(",");
      var fresh = !engine.config;
      if (fresh) { engine.setConfig(store[args.config_name].header, args.state); }
      if (key !== loaded) {
        loaded = key;
        var packets = (args.packet_names || []).map(function (n) { return store[n]; });
        engine.setPackets(packets.filter(function (p) { return p.header.origin === "builtin"; }),
                          packets.filter(function (p) { return p.header.origin !== "builtin"; }));
        Object.keys(store).forEach(function (n) { if (names.indexOf(n) < 0) { delete store[n]; } });
        post({range: engine.days().map(bv.isoOf)});
      }
      if (args.seq !== seq) {
        seq = args.seq;
        if (!fresh) {
          var s = args.state;
          engine.setFilters(s.filters);
          engine.setLayers(s.layers);
          engine.setBasemap(s.basemap);
          engine.setRange(bv.dayOf(s.start), bv.dayOf(s.end));
          engine.reopen();
          if (s.view) { engine.map.setView([s.view.lat, s.view.lon], s.view.zoom); }
        } else if (args.state && args.state.view) {
          engine.map.setView([args.state.view.lat, args.state.view.lon], args.state.view.zoom, {animate: false});
        }
        focus(args.state && args.state.focus);
      }
      bv.readyWith();
    });
  }

  /* state.focus: {incident: id} opens that incident; {lat, lon, zoom, label} centres on a place. */
  function focus(f) {
    if (!f) { return; }
    if (f.incident) { engine.openIncident(f.incident); }
    else if (typeof f.lat === "number" && typeof f.lon === "number") { engine.focusPlace(f.lat, f.lon, f.zoom, f.label); }
  }

  /* On a phone the map takes about 70% of the screen's height, so the page around it stays reachable. */
  function frameHeight(asked) {
    try {
      var top = window.top;
      if (top.innerWidth < 640) { return Math.max(380, Math.min(asked, Math.round(top.innerHeight * 0.72))); }
    } catch (e) { /* a host page of another origin: keep the height asked for */ }
    return asked;
  }

  window.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "streamlit:render") { return; }
    var args = event.data.args, wanted = frameHeight(args.height);
    if (wanted !== height) { height = wanted; send("streamlit:setFrameHeight", {height: height}); }
    if (!engine) { mount(args); }
    apply(args);
  });

  send("streamlit:componentReady", {apiVersion: 1});
})(window.bvx = window.bvx || {});
