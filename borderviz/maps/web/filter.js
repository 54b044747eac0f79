/*
 * borderviz map engine: filter (MIT).
 * Days are whole days since 1970-01-01 (UTC), as in the packets. An incident
 * is selected when its own span [d0, d1] overlaps the window [start, end] and
 * it passes the attribute filters (the same rules as borderviz.timeline in
 * Python). Rows are sorted by d0, so a window costs a binary search plus the
 * rows inside it.
 */
(function (bv) {
  "use strict";

  var DAY_MS = 86400000;

  bv.dayOf = function (iso) {
    var t = Date.parse(String(iso).slice(0, 10) + "T00:00:00Z");
    return isNaN(t) ? null : Math.floor(t / DAY_MS);
  };

  bv.isoOf = function (day) { return new Date(day * DAY_MS).toISOString().slice(0, 10); };

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  bv.dateText = function (day) {
    var d = new Date(day * DAY_MS);
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  };

  /* First index whose d0 is >= value (d0 ascending). */
  function lowerBound(d0, value) {
    var lo = 0, hi = d0.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (d0[mid] < value) { lo = mid + 1; } else { hi = mid; }
    }
    return lo;
  }

  /* A lookup table per coded column: 1 where the value passes. */
  function mask(vocabulary, allowed) {
    var out = new Uint8Array(Math.max(vocabulary.length, 1));
    for (var i = 0; i < vocabulary.length; i++) {
      out[i] = !allowed || !allowed.length || allowed.indexOf(vocabulary[i]) >= 0 ? 1 : 0;
    }
    return out;
  }

  /*
   * Call fn(i) for every row of packet pk selected by [start, end] and
   * filters {types, countries, precisions, minKilled}; returns the count.
   */
  bv.forEachSelected = function (pk, start, end, filters, fn) {
    var c = pk.columns, h = pk.header, f = filters || {};
    if (!h.n) { return 0; }
    var tOk = mask(h.types, f.types), cOk = mask(h.countries, f.countries), pOk = mask(h.precisions, f.precisions);
    var minKilled = f.minKilled || 0;
    var lo = lowerBound(c.d0, start - (h.maxSpan || 0)), hi = lowerBound(c.d0, end + 1);
    var d1 = c.d1, t = c.t, cc = c.c, p = c.p, k = c.k, count = 0;
    for (var i = lo; i < hi; i++) {
      if (d1[i] < start || !tOk[t[i]] || !cOk[cc[i]] || !pOk[p[i]]) { continue; }
      if (minKilled > 0 && k[i] < minKilled) { continue; }
      count++;
      if (fn) { fn(i); }
    }
    return count;
  };

  bv.countSelected = function (pk, start, end, filters) {
    return bv.forEachSelected(pk, start, end, filters, null);
  };
})(window.bvx = window.bvx || {});
