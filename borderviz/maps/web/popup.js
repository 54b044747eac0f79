/*
 * borderviz map engine: popups and tooltips (MIT).
 * Built when an incident is opened, from its row, as DOM nodes: every value
 * from data or uploads is set with textContent, and links are kept only if
 * they are http(s). Nothing here parses HTML.
 */
(function (bv) {
  "use strict";

  // Popups pan the map to stay clear of the title box (top left) and the controls (top right).
  bv.POPUP = {maxWidth: 440, autoPanPaddingTopLeft: L.point(20, 100), autoPanPaddingBottomRight: L.point(60, 20)};

  var PRECISION_WORDS = {
    exact: "exact position", settlement: "placed at the village centre",
    district: "only the district is known", approximate: "placed approximately from a description",
    region: "only the region is known", country: "only the country is known"
  };
  var PRECISION_KM = {exact: 0.1, settlement: 2, approximate: 5, district: 30, region: 100, country: 500};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  bv.el = el;

  function append(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }
  bv.append = append;

  bv.safeUrl = function (url) {
    try {
      var u = new URL(String(url));
      return (u.protocol === "http:" || u.protocol === "https:") && u.host ? u.href : null;
    } catch (e) { return null; }
  };

  function link(url, label) {
    var href = bv.safeUrl(url);
    if (!href) { return el("span", null, label); }
    var a = el("a", null, label || href);
    a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
    return a;
  }
  bv.link = link;

  function precisionText(p) {
    var words = PRECISION_WORDS[p] || p || "precision not given";
    return PRECISION_KM[p] ? words + " (within about " + PRECISION_KM[p] + " km)" : words;
  }

  function sourcesList(sources) {
    if (!sources || !sources.length) { return el("p", "bv-meta", "No source recorded."); }
    var ol = el("ol", "bv-sources");
    sources.forEach(function (s) {
      var li = el("li");
      append(li, (s.publisher || "Source") + ": ", link(s.url, s.title || s.url || s.file || "untitled"));
      if (s.file && !s.url) { append(li, " (file " + s.file + ")"); }
      if (s.date) { append(li, " (" + s.date + ")"); }
      ol.appendChild(li);
    });
    return ol;
  }

  function figuresTable(figures) {
    if (!figures || !figures.length) { return el("p", "bv-meta", "No casualty figures reported."); }
    var table = el("table", "bv-figures"), head = el("tr");
    ["side", "what", "figure", "reported by"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    figures.forEach(function (f) {
      var tr = el("tr"), who = el("td", null, (f.reported_by || "not said") +
        (f.reported_on ? " on " + f.reported_on : ""));
      if (f.source && f.source.url) { append(who, " (", link(f.source.url, f.source.publisher || "source"), ")"); }
      var q = f.qualifier && f.qualifier !== "exact" ? f.qualifier.replace(/_/g, " ") + " " : "";
      append(tr, el("td", null, f.side), el("td", null, f.measure), el("td", null, q + f.value), who);
      table.appendChild(tr);
    });
    return table;
  }

  function spanText(pk, i) {
    var d0 = pk.columns.d0[i], d1 = pk.columns.d1[i];
    return d0 === d1 ? bv.dateText(d0) : bv.dateText(d0) + " – " + bv.dateText(d1);
  }

  function builtinBody(pk, i) {
    var r = pk.header.rows[i], h = pk.header, box = el("div", "bv-one");
    var kind = h.typeLabels[r.event_type] || r.event_type;
    var when = spanText(pk, i) + (r.date_precision && r.date_precision !== "day"
      ? " (known to the " + r.date_precision + ")" : "");
    var where = [r.district, r.region].filter(Boolean).join(", ");
    append(box,
      el("h4", null, kind + ": " + (r.place_reported || "place not reported")),
      el("p", "bv-meta", when + (where ? " · " + where : "") + " (" + (r.country || "—") + ")" +
        " · confidence " + (r.confidence || "not rated")),
      r.description ? el("p", null, r.description) : null,
      figuresTable(r.figures),
      el("p", "bv-meta", "Location: " + precisionText(r.location_precision) + ". " + (r.location_method || "")),
      el("b", null, "Sources"), sourcesList(r.sources),
      el("p", "bv-meta bv-id", "id " + r.id));
    return box;
  }

  function importedBody(pk, i) {
    var h = pk.header, c = pk.columns, box = el("div", "bv-one");
    var place = h.places[c.place[i]] || h.ids[i] || "place not given";
    var type = (h.sourceTypes && h.sourceTypes[i]) || h.typeLabels[h.types[c.t[i]]] || h.types[c.t[i]];
    var killed = c.k[i] >= 0 ? " · killed: " + c.k[i] : " · killed: not reported";
    append(box,
      el("h4", null, "Imported (" + (h.dataset || "file") + "): " + place),
      el("p", "bv-meta", spanText(pk, i) + " · " + type + killed),
      h.descriptions && h.descriptions[i] ? el("p", null, h.descriptions[i]) : null,
      h.duplicates && h.duplicates[i] ? el("p", "bv-dup", "Possibly the same as built-in incident " +
        h.duplicates[i]) : null,
      el("p", "bv-meta", "Location: " + precisionText(h.precisions[c.p[i]]) +
        (h.precisionNotes && h.precisionNotes[i] ? " (" + h.precisionNotes[i] + ")" : "") +
        " · from " + (h.file || "your file")),
      h.sources && h.sources[i] ? append(el("div"), el("b", null, "Source"), sourcesList(h.sources[i])) : null,
      el("p", "bv-meta bv-id", "id " + h.ids[i]));
    return box;
  }

  function summaryText(item) {
    var h = item.pk.header, c = item.pk.columns, i = item.i;
    var place = h.origin === "builtin" ? h.rows[i].place_reported : h.places[c.place[i]];
    var type = h.typeLabels[h.types[c.t[i]]] || h.types[c.t[i]];
    var killed = c.k[i] > 0 ? " · " + c.k[i] + " killed" : "";
    return bv.dateText(c.d0[i]) + " · " + type + " · " + (place || "place not given") + killed +
      (h.origin === "builtin" ? "" : " (imported)");
  }

  function typeCounts(items) {
    var counts = {}, order = [];
    items.forEach(function (it) {
      var h = it.pk.header, t = h.typeLabels[h.types[it.pk.columns.t[it.i]]] || h.types[it.pk.columns.t[it.i]];
      if (!counts[t]) { counts[t] = 0; order.push(t); }
      counts[t] += 1;
    });
    order.sort(function (a, b) { return counts[b] - counts[a]; });
    return order.map(function (t) { return counts[t] + " " + t.toLowerCase(); }).join(", ");
  }

  /*
   * The popup for rows [{pk, i}, ...] drawn as one circle (one place, or
   * places too close to tell apart at this zoom): one incident in full; or a
   * list, oldest first, each line opening to the incident in full.
   */
  bv.popupFor = function (items, places) {
    var box = el("div", "bv-popup" + (items.length > 1 ? " bv-many" : ""));
    if (items.length === 1) {
      box.appendChild(items[0].pk.header.origin === "builtin" ? builtinBody(items[0].pk, items[0].i)
        : importedBody(items[0].pk, items[0].i));
      return box;
    }
    var where = places > 1 ? " at " + places + " places close together (zoom in to separate them)"
      : " placed at this point";
    box.appendChild(el("p", "bv-meta bv-head", items.length + " incidents" + where + ": " + typeCounts(items) +
      ". Open one for its sources."));
    items.forEach(function (item) {
      var d = el("details", "bv-item");
      d.dataset.id = item.pk.header.ids[item.i];
      d.appendChild(el("summary", null, summaryText(item)));
      d.addEventListener("toggle", function () {
        if (d.open && d.childNodes.length === 1) {
          d.appendChild(item.pk.header.origin === "builtin" ? builtinBody(item.pk, item.i) : importedBody(item.pk, item.i));
        }
        // The popup grew or shrank: lay it out again, and pan so it stays clear of the title.
        var open = bv.engine && bv.engine.map && bv.engine.map._popup;
        if (open && open.isOpen()) { open.update(); }
      });
      box.appendChild(d);
    });
    return box;
  };

  bv.tooltipFor = function (items, places) {
    var first = items[0], last = items[items.length - 1];
    if (items.length === 1) { return el("span", null, summaryText(first)); }
    return el("span", null, items.length + " incidents" + (places > 1 ? " (" + places + " places)" : " here") + ", " +
      bv.dateText(first.pk.columns.d0[first.i]) + " – " + bv.dateText(last.pk.columns.d0[last.i]) + ": " +
      typeCounts(items));
  };
})(window.bvx = window.bvx || {});
