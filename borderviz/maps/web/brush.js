/*
 * borderviz map engine: the time brush and playback (MIT).
 * Under the map: a histogram of every event over the whole record, stacked by
 * type, with the wars shaded and dated diplomatic events ticked; a brush to
 * choose a window at day resolution (drag to draw, drag inside to move, drag
 * a handle to resize; arrow keys step a day, Shift a week, PageUp/PageDown a
 * month); typed dates; presets; and Play, which moves a window of chosen
 * width (or grows one) smoothly through the chosen period, with speed and loop.
 * The brush calls engine.setRange on every move and engine.commit on release.
 */
(function (bv) {
  "use strict";

  var el = function (tag, cls, text) { return bv.el(tag, cls, text); };
  var WIDTHS = [["1", "1 day"], ["3", "3 days"], ["7", "1 week"], ["30", "1 month"], ["365", "1 year"],
                ["grow", "growing"]];
  var SPEEDS = [["1", "1 day/s"], ["3", "3 days/s"], ["7", "1 week/s"], ["30", "1 month/s"], ["120", "4 months/s"]];

  function select(options, value, label) {
    var s = el("select", "bv-select");
    s.setAttribute("aria-label", label);
    options.forEach(function (o) {
      var opt = el("option", null, o[1]); opt.value = o[0]; if (o[0] === value) { opt.selected = true; }
      s.appendChild(opt);
    });
    return s;
  }

  bv.Brush = function (engine, container, config) {
    this.engine = engine; this.config = config;
    this.first = bv.dayOf(config.first); this.last = bv.dayOf(config.last);
    this.root = el("div", "bv-timebar");
    var controls = el("div", "bv-controls");
    this.playButton = el("button", "bv-play", "▶ Play");
    this.playButton.type = "button";
    this.playButton.title = "Play: move a window through the chosen period";
    this.width = select(WIDTHS, "7", "Play window");
    this.speed = select(SPEEDS, "7", "Play speed");
    var loopLabel = el("label", "bv-loop");
    this.loop = el("input"); this.loop.type = "checkbox"; this.loop.checked = true;
    bv.append(loopLabel, this.loop, " loop");
    this.from = el("input", "bv-date"); this.from.type = "date"; this.from.setAttribute("aria-label", "From");
    this.to = el("input", "bv-date"); this.to.type = "date"; this.to.setAttribute("aria-label", "To");
    [this.from, this.to].forEach(function (input) { input.min = config.first; input.max = config.last; });
    var presets = el("span", "bv-presets");
    var self = this;
    (config.presets || []).forEach(function (p) {
      var b = el("button", "bv-preset", p.short || p.label); b.type = "button"; b.title = p.label;
      b.dataset.key = p.key;
      b.addEventListener("click", function () {
        self.pause(); engine.setRange(bv.dayOf(p.start), bv.dayOf(p.end)); engine.commit();
      });
      presets.appendChild(b);
    });
    bv.append(controls, this.playButton, this.width, this.speed, loopLabel, el("span", "bv-sep"),
              this.from, "–", this.to, el("span", "bv-sep"), presets);
    this.chart = el("div", "bv-chart");
    this.canvas = el("canvas", "bv-hist");
    this.marks = el("div", "bv-marks");
    this.selection = el("div", "bv-brush");
    this.selection.tabIndex = 0;
    this.selection.setAttribute("role", "slider");
    this.selection.setAttribute("aria-label", "Selected dates: arrow keys move by a day, Shift by a week, " +
                                "PageUp/PageDown by a month");
    this.handles = [el("div", "bv-handle bv-handle-start"), el("div", "bv-handle bv-handle-end")];
    this.handles.forEach(function (h, n) {
      h.tabIndex = 0; h.setAttribute("role", "slider");
      h.setAttribute("aria-label", n ? "End date" : "Start date");
      self.selection.appendChild(h);
    });
    this.extent = el("div", "bv-extent");
    this.axis = el("div", "bv-axis");
    bv.append(this.chart, this.canvas, this.extent, this.marks, this.selection);
    bv.append(this.root, controls, this.chart, this.axis);
    container.appendChild(this.root);
    this.bind();
    this.playing = null;
    var resize = function () { self.layout(); };
    if (window.ResizeObserver) { new ResizeObserver(resize).observe(this.chart); }
    window.addEventListener("resize", resize);
  };

  bv.Brush.prototype.dayAt = function (clientX) {
    var box = this.chart.getBoundingClientRect();
    var f = Math.min(Math.max((clientX - box.left) / Math.max(box.width, 1), 0), 1);
    return Math.round(this.first + f * (this.last - this.first));
  };

  bv.Brush.prototype.xOf = function (day) {
    return (day - this.first) / Math.max(this.last - this.first, 1) * 100;
  };

  bv.Brush.prototype.bind = function () {
    var self = this, engine = this.engine, drag = null, pending = null;
    function apply() {
      pending = null;
      if (drag) { engine.setRange(drag.start, drag.end); }
    }
    this.chart.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) { return; }
      self.pause();
      var day = self.dayAt(e.clientX), r = engine.days();
      // Inside the window a drag moves it, unless the window is (almost) the whole
      // record: there is nowhere to move it, so a drag draws a new one.
      var whole = r[1] - r[0] >= 0.9 * (self.last - self.first);
      var mode = e.target === self.handles[0] ? "start" : e.target === self.handles[1] ? "end"
        : e.target === self.selection && !whole ? "move" : "new";
      drag = {mode: mode, origin: day, start: r[0], end: r[1], s0: r[0], e0: r[1]};
      if (mode === "new") { drag.start = drag.end = day; }
      self.chart.setPointerCapture(e.pointerId);
      e.preventDefault();
      apply();
    });
    this.chart.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var day = self.dayAt(e.clientX), delta = day - drag.origin;
      if (drag.mode === "new") { drag.start = Math.min(drag.origin, day); drag.end = Math.max(drag.origin, day); }
      if (drag.mode === "start") { drag.start = Math.min(drag.s0 + delta, drag.e0); drag.end = drag.e0; }
      if (drag.mode === "end") { drag.end = Math.max(drag.e0 + delta, drag.s0); drag.start = drag.s0; }
      if (drag.mode === "move") {
        var width = drag.e0 - drag.s0;
        drag.start = Math.min(Math.max(drag.s0 + delta, self.first), self.last - width);
        drag.end = drag.start + width;
      }
      if (!pending) { pending = requestAnimationFrame(apply); }
    });
    var release = function () {
      if (!drag) { return; }
      apply(); drag = null; engine.commit();
    };
    this.chart.addEventListener("pointerup", release);
    this.chart.addEventListener("pointercancel", release);
    function keys(e, part) {
      var step = {ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1, PageDown: -30, PageUp: 30}[e.key];
      if (!step) { return; }
      if (e.shiftKey && Math.abs(step) === 1) { step *= 7; }
      e.preventDefault(); e.stopPropagation();
      self.pause();
      var r = engine.days(), s = r[0], t = r[1];
      if (part !== "end") { s += step; }
      if (part !== "start") { t += step; }
      if (part !== "move" || (s >= self.first && t <= self.last)) {
        engine.setRange(Math.min(s, t), Math.max(s, t));
        engine.commitSoon();
      }
    }
    this.selection.addEventListener("keydown", function (e) { if (e.target === self.selection) { keys(e, "move"); } });
    this.handles[0].addEventListener("keydown", function (e) { keys(e, "start"); });
    this.handles[1].addEventListener("keydown", function (e) { keys(e, "end"); });
    var typed = function () {
      var s = bv.dayOf(self.from.value), t = bv.dayOf(self.to.value);
      if (s === null || t === null) { return; }
      self.pause(); engine.setRange(Math.min(s, t), Math.max(s, t)); engine.commit();
    };
    this.from.addEventListener("change", typed);
    this.to.addEventListener("change", typed);
    this.playButton.addEventListener("click", function () { if (self.playing) { self.pause(); } else { self.play(); } });
  };

  /* Draw the histogram of every event (all packets, current attribute filters) over the whole record. */
  bv.Brush.prototype.setCounts = function (packets, filters) {
    this.packets = packets; this.filters = filters;
    this.layout();
  };

  bv.Brush.prototype.layout = function () {
    var box = this.chart.getBoundingClientRect(), width = Math.max(Math.round(box.width), 50);
    var height = Math.max(Math.round(box.height), 30), ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio; this.canvas.height = height * ratio;
    this.canvas.style.width = width + "px"; this.canvas.style.height = height + "px";
    var span = this.last - this.first + 1, perBin = Math.max(1, Math.ceil(span / (width / 2)));
    var bins = Math.ceil(span / perBin), types = this.config.types, colors = this.config.colors;
    var counts = types.map(function () { return new Float64Array(bins); });
    var first = this.first, last = this.last;
    (this.packets || []).forEach(function (pk) {
      var index = types.map(function (t) { return t; });
      var map = pk.header.types.map(function (t) { var k = index.indexOf(t); return k < 0 ? index.length - 1 : k; });
      bv.forEachSelected(pk, first, last, this.filters, function (i) {
        var b = Math.floor((Math.max(pk.columns.d0[i], first) - first) / perBin);
        if (b >= 0 && b < bins) { counts[map[pk.columns.t[i]]][b] += 1; }
      });
    }, this);
    var max = 1;
    for (var b = 0; b < bins; b++) {
      var sum = 0;
      for (var t = 0; t < types.length; t++) { sum += counts[t][b]; }
      max = Math.max(max, sum);
    }
    var ctx = this.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var barWidth = width / bins;
    ctx.fillStyle = "rgba(215,25,28,0.13)";
    (this.config.wars || []).forEach(function (w) {
      var x0 = (bv.dayOf(w.start) - first) / span * width, x1 = (bv.dayOf(w.end) + 1 - first) / span * width;
      ctx.fillRect(x0, 0, Math.max(x1 - x0, 3), height);
    });
    // Bar height grows with the square root of the count, so a lone incident
    // still shows beside a war's week; types are stacked in proportion.
    for (b = 0; b < bins; b++) {
      var total = 0;
      for (t = 0; t < types.length; t++) { total += counts[t][b]; }
      if (!total) { continue; }
      var full = Math.max(Math.sqrt(total / max) * (height - 12), 2), y = height;
      for (t = 0; t < types.length; t++) {
        var n = counts[t][b];
        if (!n) { continue; }
        var h = full * n / total;
        ctx.fillStyle = colors[types[t]] || "#555";
        ctx.fillRect(b * barWidth, y - h, Math.max(barWidth - 0.3, 1), h);
        y -= h;
      }
    }
    this.maxPerBin = max; this.perBin = perBin;
    this.drawMarks();
    this.drawAxis();
    this.update();
  };

  bv.Brush.prototype.drawMarks = function () {
    var self = this;
    this.marks.textContent = "";
    (this.config.marks || []).forEach(function (m) {
      var tick = el("div", "bv-mark bv-mark-" + m.kind);
      tick.style.left = self.xOf(bv.dayOf(m.date)) + "%";
      tick.title = bv.dateText(bv.dayOf(m.date)) + ": " + m.title + " (" + m.kind + ")";
      self.marks.appendChild(tick);
    });
    (this.config.wars || []).forEach(function (w) {
      var label = el("div", "bv-war-label", w.short || w.name);
      label.style.left = self.xOf(bv.dayOf(w.start)) + "%";
      label.title = w.name;
      self.marks.appendChild(label);
    });
  };

  bv.Brush.prototype.drawAxis = function () {
    this.axis.textContent = "";
    var y0 = new Date(this.first * 86400000).getUTCFullYear(), y1 = new Date(this.last * 86400000).getUTCFullYear();
    for (var y = y0 + 1; y <= y1; y++) {
      var tick = el("span", "bv-year", String(y));
      tick.style.left = this.xOf(bv.dayOf(y + "-01-01")) + "%";
      this.axis.appendChild(tick);
    }
  };

  /* Move the brush to the engine's window (called by the engine after every change). */
  bv.Brush.prototype.update = function () {
    var r = this.engine.days(), left = this.xOf(r[0]), right = this.xOf(r[1] + 1);
    this.selection.style.left = left + "%";
    this.selection.style.width = Math.max(right - left, 0.25) + "%";
    this.selection.setAttribute("aria-valuetext", bv.dateText(r[0]) + " – " + bv.dateText(r[1]));
    if (document.activeElement !== this.from) { this.from.value = bv.isoOf(r[0]); }
    if (document.activeElement !== this.to) { this.to.value = bv.isoOf(r[1]); }
    var engine = this.engine;
    Array.prototype.forEach.call(this.root.querySelectorAll(".bv-preset"), function (b) {
      var p = engine.config.presets.filter(function (q) { return q.key === b.dataset.key; })[0];
      b.classList.toggle("bv-active", !!p && bv.dayOf(p.start) === r[0] && bv.dayOf(p.end) === r[1]);
    });
    if (this.playing) {
      this.extent.style.display = "block";
      this.extent.style.left = this.xOf(this.playing.from) + "%";
      this.extent.style.width = (this.xOf(this.playing.to + 1) - this.xOf(this.playing.from)) + "%";
    } else {
      this.extent.style.display = "none";
    }
  };

  /*
   * Play within the chosen period (the brushed window, if longer than the play
   * window; otherwise the whole record), moving a window of the chosen width,
   * or growing one from the period's start.
   */
  bv.Brush.prototype.play = function () {
    if (this.playing) { return; }
    var r = this.engine.days(), grow = this.width.value === "grow";
    var width = grow ? 0 : parseInt(this.width.value, 10);
    var from = r[0], to = r[1];
    if (to - from + 1 <= width) { from = this.first; to = this.last; }
    if (!grow && width > to - from + 1) { width = to - from + 1; }
    this.playing = {from: from, to: to, width: width, grow: grow, pos: 0, last: null};
    this.playButton.textContent = "⏸ Pause";
    this.playButton.classList.add("bv-playing");
    var self = this;
    var frame = function (now) {
      var p = self.playing;
      if (!p) { return; }
      if (p.last !== null) { p.pos += (now - p.last) / 1000 * parseFloat(self.speed.value); }
      p.last = now;
      var span = p.grow ? p.to - p.from : p.to - p.from + 1 - p.width;
      if (p.pos > span) {
        if (self.loop.checked) { p.pos = 0; } else { p.pos = span; self.pause(); return; }
      }
      var step = Math.floor(p.pos);
      if (p.grow) { self.engine.setRange(p.from, p.from + step); }
      else { self.engine.setRange(p.from + step, p.from + step + p.width - 1); }
      self.engine.frames += 1;
      p.raf = requestAnimationFrame(frame);
    };
    this.engine.frames = 0;
    this.playing.raf = requestAnimationFrame(frame);
    this.update();
  };

  bv.Brush.prototype.pause = function () {
    if (!this.playing) { return; }
    cancelAnimationFrame(this.playing.raf);
    this.playing = null;
    this.playButton.textContent = "▶ Play";
    this.playButton.classList.remove("bv-playing");
    this.update();
    this.engine.commit();
  };
})(window.bvx = window.bvx || {});
