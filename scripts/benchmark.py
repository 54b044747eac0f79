"""Measure borderviz's map engine side by side with what a user would pick instead. Numbers, not pass/fail.

    python scripts/benchmark.py                    # build time and bytes, all tools, 1k–1M points
    python scripts/benchmark.py --browser --app    # also Chromium: first draw, brush, Play; and the app
    python scripts/benchmark.py --quick --browser --app   # 1k and 10k points, fewer repeats (< 2 min)
    python scripts/benchmark.py --sizes 1000,100000 --tools borderviz,explore
    python scripts/benchmark.py --browser --cdn-dir cdn   # folium's CDN files from local copies (see README)

The alternatives need ``pip install matplotlib mapclassify lonboard`` (not project dependencies).

Every tool gets the same generated points: ACLED-like incidents in the
Batken/Isfara area over 2014–2026. Tools:

- borderviz: ``points.encode`` + ``engine.build_map`` + ``engine.html_document``
  (one self-contained file, the built-in layers and incidents included);
- explore: ``GeoDataFrame.explore()`` (folium, CircleMarkers with tooltips);
- cluster: folium ``plugins.FastMarkerCluster``;
- lonboard: ``lonboard.viz`` + ``Map.to_html`` (deck.gl, binary columns).

Chromium opens each file from disk with the network blocked; what a file
loads from a CDN is served from a local copy when one exists (``--cdn-dir``
and borderviz's own vendored Leaflet/jQuery: the best case for the CDN
tools, as if cached) and aborted otherwise, and the output says which.
"Brush" for borderviz is a date window set in the page; the others have no
client-side filter, so for them it is the rebuild of the file for a new window.
Times are medians of N runs (min–max shown); sizes are bytes of the file.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import io
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import geopandas as gpd  # noqa: E402

from borderviz.io import importers  # noqa: E402
from borderviz.maps import engine, points  # noqa: E402
from borderviz.model import layers, timeline  # noqa: E402

SIZES = (1_000, 10_000, 100_000, 1_000_000)
TOOLS = ("borderviz", "explore", "cluster", "lonboard")
# Beyond these a tool is not run (said in the output): explore() at 1M would be ~3 min and ~700 MB a build.
LIMITS = {"explore": 100_000}
BOX = (69.9, 39.65, 71.0, 40.25)  # lon/lat of Batken–Isfara–Vorukh
RECORD = (dt.date(2014, 1, 1), dt.date(2026, 11, 22))
WARS = ((dt.date(2021, 4, 28), dt.date(2021, 5, 1)), (dt.date(2022, 9, 14), dt.date(2022, 9, 20)))
VENDOR = REPO / "borderviz" / "web" / "vendor"
LOAD_TIMEOUT_MS = 180_000
GIVE_UP_S = 8  # after the load event, a page that has not drawn is taken as unable to


# --- numbers ----------------------------------------------------------------------------------------------


@dataclass
class Stat:
    """Repeated measurements of one quantity (seconds, ms, bytes or fps)."""

    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def text(self, unit: str) -> str:
        if not self.values:
            return self.note or "—"
        lo, hi = min(self.values), max(self.values)
        spread = f" ({fmt(lo, unit)}–{fmt(hi, unit)}, n={len(self.values)})" if len(self.values) > 1 else ""
        return f"{fmt(self.median, unit)}{spread}" + (f" [{self.note}]" if self.note else "")


def fmt(value: float, unit: str) -> str:
    if unit == "B":
        for size, suffix in ((1e6, "MB"), (1e3, "kB")):
            if value >= size:
                return f"{value / size:.{2 if value < 10 * size else 1}f} {suffix}"
        return f"{value:.0f} B"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"
    return f"{value:.1f} {unit}"


def timed(fn: Callable[[], object], repeat: int) -> tuple[Stat, object]:
    """Seconds of ``repeat`` calls of ``fn``, and its last result."""
    stat, result = Stat(), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        stat.values.append(time.perf_counter() - start)
    return stat, result


def line(label: str, value: str) -> None:
    print(f"  {label:<54} {value}", flush=True)


# --- the points ---------------------------------------------------------------------------------------------


def acled_points(n: int, seed: int = 9) -> gpd.GeoDataFrame:
    """``n`` ACLED-like incidents as an import gives them (imported-incidents schema): 15 % in the two wars."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(RECORD[0])
    span = (pd.Timestamp(RECORD[1]) - first).days
    days = rng.integers(0, span + 1, n)
    in_war = rng.random(n) < 0.15
    war = rng.integers(0, len(WARS), n)
    war_start = np.array([(pd.Timestamp(s) - first).days for s, _ in WARS])
    war_len = np.array([(e - s).days + 1 for s, e in WARS])
    days = np.where(in_war, war_start[war] + rng.integers(0, 1_000_000, n) % war_len[war], days)
    dates = first + pd.to_timedelta(days, unit="D")
    lon = rng.uniform(BOX[0], BOX[2], n).round(4)
    lat = rng.uniform(BOX[1], BOX[3], n).round(4)
    kinds = np.array(["armed_clash", "shelling", "protest", "border_incident", "other"])
    kind = kinds[rng.choice(len(kinds), n, p=[0.35, 0.2, 0.15, 0.2, 0.1])]
    country = np.where(lon < 70.6, "TJ", "KG")
    ids = [f"BVX{i}" for i in range(n)]
    return gpd.GeoDataFrame({
        "id": [f"acled-{i}" for i in ids], "dataset": "acled", "source_id": ids,
        "date_start": dates, "date_end": dates, "date_precision": "day",
        "event_type": kind, "source_event_type": "Battles / Armed clash",
        "place_reported": [f"Place {i % 400}" for i in range(n)], "country": country,
        "region": np.where(country == "KG", "Batken", "Sughd"), "district": "Batken",
        "location_precision": np.where(rng.random(n) < 0.7, "settlement", "district"),
        "killed_total": rng.poisson(0.4, n), "description": "Synthetic row for the benchmark.",
    }, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def acled_csv(pts: gpd.GeoDataFrame) -> bytes:
    """The same points as an ACLED export (19 of its columns; notes kept short)."""
    kinds = {"armed_clash": ("Battles", "Armed clash"), "shelling": ("Explosions/Remote violence", "Shelling"),
             "protest": ("Protests", "Peaceful protest"), "border_incident": ("Strategic developments", "Other"),
             "other": ("Strategic developments", "Other")}
    event, sub = zip(*(kinds[k] for k in pts["event_type"]), strict=True)
    frame = pd.DataFrame({
        "event_id_cnty": pts["source_id"], "event_date": pts["date_start"].dt.strftime("%Y-%m-%d"),
        "year": pts["date_start"].dt.year, "time_precision": 1, "disorder_type": "Political violence",
        "event_type": event, "sub_event_type": sub, "actor1": "Military Forces",
        "country": np.where(pts["country"] == "KG", "Kyrgyzstan", "Tajikistan"), "admin1": pts["region"],
        "admin2": pts["district"], "location": pts["place_reported"], "latitude": pts.geometry.y.round(4),
        "longitude": pts.geometry.x.round(4),
        "geo_precision": np.where(pts["location_precision"] == "settlement", 1, 2), "source": "Outlet",
        "source_scale": "National", "notes": pts["description"], "fatalities": pts["killed_total"]})
    return frame.to_csv(index=False).encode("utf-8")


def window(pts: gpd.GeoDataFrame, start: dt.date, end: dt.date) -> gpd.GeoDataFrame:
    return pts[(pts["date_start"] >= pd.Timestamp(start)) & (pts["date_start"] <= pd.Timestamp(end))]


BRUSH_WINDOWS = [(dt.date(2014 + k % 12, 1 + (5 * k) % 12, 1 + (7 * k) % 27), days)
                 for k, days in enumerate([7, 30, 91, 365, 1826] * 4)]


def brush_windows() -> list[tuple[str, str]]:
    """20 windows of a week to five years, spread over the record (ISO dates)."""
    return [(s.isoformat(), min(s + dt.timedelta(days=d - 1), RECORD[1]).isoformat()) for s, d in BRUSH_WINDOWS]


# --- building each tool's file ------------------------------------------------------------------------------


def build_borderviz(frames: dict, pts: gpd.GeoDataFrame) -> str:
    state = engine.MapState(start=RECORD[0], end=RECORD[1])
    return engine.html_document(engine.build_map(frames, state, imported=[pts], last=RECORD[1]))


def _plain_columns(pts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """What a user would hand explore()/lonboard: ACLED's fields, dates as text."""
    out = pts[["source_id", "event_type", "place_reported", "country", "killed_total", "geometry"]].copy()
    out.insert(1, "event_date", pts["date_start"].dt.strftime("%Y-%m-%d"))
    return out


def build_explore(pts: gpd.GeoDataFrame) -> str:
    return _plain_columns(pts).explore(tiles=None).get_root().render()


def build_cluster(pts: gpd.GeoDataFrame) -> str:
    import folium
    from folium import plugins

    m = folium.Map(location=[39.95, 70.45], zoom_start=9)  # (its tiles give the maxZoom markercluster needs)
    plugins.FastMarkerCluster(np.column_stack([pts.geometry.y, pts.geometry.x]).tolist()).add_to(m)
    return m.get_root().render()


def build_lonboard(pts: gpd.GeoDataFrame) -> str:
    import lonboard

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lonboard.viz(_plain_columns(pts)).to_html()


BUILDERS = {"borderviz": build_borderviz, "explore": build_explore, "cluster": build_cluster,
            "lonboard": build_lonboard}


def tool_available(tool: str) -> str | None:
    """None if ``tool`` can run here, else why not."""
    if tool == "lonboard":
        try:
            import lonboard  # noqa: F401
        except ImportError:
            return "not installed (pip install lonboard)"
    return None


# --- Chromium ----------------------------------------------------------------------------------------------

# Recorded in every frame from its first script on: when the map first drew, and each change of the
# borderviz map's (range, count), as epoch milliseconds (performance.timeOrigin + now), checked every 4 ms.
WATCH_JS = """(() => {
  const epoch = () => performance.timeOrigin + performance.now();
  const drawn = () => { %s };
  window.__bvLog = []; window.__firstDraw = null;
  const tick = () => {
    try {
      if (window.__firstDraw === null && drawn()) { window.__firstDraw = epoch(); }
      const bv = window.borderviz;
      if (bv && bv.engine && bv.engine.config) {
        const r = bv.range(), n = bv.count(), log = window.__bvLog, last = log[log.length - 1];
        if (!last || last[1] !== r[0] || last[2] !== r[1] || last[3] !== n) { log.push([epoch(), r[0], r[1], n]); }
      }
    } catch (e) { /* the page is still loading */ }
  };
  setInterval(tick, 4);  // (not requestAnimationFrame: Chromium stops it in the app's iframe here)
})();"""
DRAWN = {
    "borderviz": "return !!(window.borderviz && window.borderviz.count() > 0);",
    "explore": "return document.querySelectorAll('.leaflet-overlay-pane path').length > 0;",
    "cluster": "return document.querySelectorAll('.leaflet-marker-pane > *').length > 0;",
    "lonboard": "return !!document.querySelector('canvas');",
    "app": "return !!(window.borderviz && window.borderviz.count() > 0);",
}


class LocalCdn:
    """Serves a CDN file from a local copy (matched by file name) where there is one; aborts the rest."""

    def __init__(self, folders: list[Path]):
        self.files: dict[str, Path] = {}
        for folder in folders:
            for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
                if path.suffix in (".js", ".css"):
                    self.files.setdefault(path.name, path)
        self.served: set[str] = set()
        self.aborted: set[str] = set()

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
            return
        name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if name in self.files:
            self.served.add(name)
            kind = "text/css" if name.endswith(".css") else "application/javascript"
            route.fulfill(status=200, body=self.files[name].read_bytes(), content_type=kind,
                          headers={"Access-Control-Allow-Origin": "*"})
        else:
            self.aborted.add(url.split("/")[2] + "/…/" + name)
            route.abort()


def open_file(browser, path: Path, tool: str, cdn: LocalCdn):
    """Open ``path`` in a fresh tab; return (page, context, ms from navigation to first draw, or None)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(WATCH_JS % DRAWN[tool])
    page = context.new_page()
    page.route("**/*", cdn.route)
    start = time.time()
    page.goto(path.as_uri(), wait_until="commit", timeout=LOAD_TIMEOUT_MS)
    drawn, loaded = None, None
    while time.time() - start < LOAD_TIMEOUT_MS / 1000:
        drawn = page.evaluate("window.__firstDraw === null ? null : window.__firstDraw - performance.timeOrigin")
        if loaded is None and page.evaluate("document.readyState") == "complete":
            loaded = time.time()
        if drawn is not None or (loaded and time.time() - loaded > GIVE_UP_S):
            break  # drawn, or loaded and still not drawn (waiting on what the network would give)
        page.wait_for_timeout(100)
    return page, context, drawn


BRUSH_JS = """async (windows) => {
  const day = (s) => Math.floor(Date.parse(s + "T00:00:00Z") / 86400000);
  const withFrame = [], drawOnly = [], counts = [];
  await borderviz.ready;
  for (const [s, e] of windows) {
    const t0 = performance.now();
    await borderviz.setRange(s, e);
    withFrame.push(performance.now() - t0);
    counts.push(borderviz.count());
  }
  for (const [s, e] of windows) {
    const t0 = performance.now();
    borderviz.engine.setRange(day(s), day(e));
    drawOnly.push(performance.now() - t0);
    await new Promise(requestAnimationFrame);
  }
  return {withFrame, drawOnly, counts};
}"""

PLAY_JS = """async (seconds) => {
  await borderviz.ready;
  await borderviz.setRange("2014-01-01", "2026-11-22");
  borderviz.play();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const frames = borderviz.engine.frames, elapsed = (performance.now() - t0) / 1000;
  borderviz.pause();
  return frames / elapsed;
}"""


def browse_file(browser, path: Path, tool: str, cdn: LocalCdn, repeat: int, brush: bool) -> dict[str, Stat]:
    """First draw (repeat × a fresh tab); for borderviz also brush and Play in the last tab."""
    out = {"draw": Stat()}
    for k in range(repeat):
        page, context, drawn = open_file(browser, path, tool, cdn)
        if drawn is None:
            out["draw"].note = "not drawn offline: needs " + (", ".join(sorted(cdn.aborted)[:3]) or "?")
            context.close()
            break
        out["draw"].values.append(drawn)
        if brush and k == repeat - 1:
            result = page.evaluate(BRUSH_JS, brush_windows())
            out["brush"] = Stat(result["withFrame"])
            out["brush_draw"] = Stat(result["drawOnly"])
            out["play"] = Stat([page.evaluate(PLAY_JS, 3) for _ in range(2)])
        context.close()
    return out


# --- the app ------------------------------------------------------------------------------------------------


class Wire:
    """Bytes the browser receives over the app's websocket (Playwright's websocket events)."""

    def __init__(self, page):
        self.received = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        self.received += len(payload) if isinstance(payload, bytes | bytearray) else len(payload.encode())


def app_tab(browser, url: str):
    from appdriver import AppTab

    tab = AppTab(browser, url)
    tab.context.add_init_script(WATCH_JS % DRAWN["app"])
    tab.page.add_init_script("addEventListener('click', () => { window.__click = performance.timeOrigin + "
                             "performance.now(); }, true);")
    return tab, Wire(tab.page)


def frame_when(tab, predicate_js: str, timeout_ms: int = 120_000):
    """Wait for the map's frame (once it exists) to satisfy ``predicate_js``; return its value."""
    deadline = time.time() + timeout_ms / 1000
    while time.time() < deadline:
        handle = tab.page.locator('iframe[title="borderviz.maps.component.borderviz_map"]')
        if handle.count():
            frame = handle.element_handle().content_frame()
            if frame is not None:
                return frame.wait_for_function(predicate_js, timeout=max(1, deadline - time.time()) * 1000,
                                               polling=50).json_value()
        tab.page.wait_for_timeout(50)
    raise TimeoutError(predicate_js)


def app_cold_open(browser, url: str, repeat: int) -> dict[str, Stat]:
    out = {"open": Stat(), "open_frame": Stat(), "open_bytes": Stat()}
    for _ in range(repeat):
        tab, wire = app_tab(browser, url)
        tab.page.goto(f"{url}/?basemap=none", wait_until="commit")
        drawn_at = frame_when(tab, "() => window.__firstDraw")
        origin = tab.page.evaluate("performance.timeOrigin")
        out["open"].values.append(drawn_at - origin)
        out["open_frame"].values.append(tab.frame.evaluate("performance.timeOrigin") - origin)
        tab.settle()
        out["open_bytes"].values.append(wire.received)
        tab.close()
    return out


def app_presets(browser, url: str, presets: list, changes: int) -> dict[str, Stat]:
    """Choose presets in the sidebar in turn; time from the click to the map drawn with the new range."""
    out = {"preset": Stat(), "preset_bytes": Stat()}
    tab, wire = app_tab(browser, url)
    tab.open("?basemap=none")
    for k in range(changes):
        p = presets[k % len(presets)]
        before = tab.count()
        tab.page.get_by_role("combobox", name="Period").click()
        wire.received = 0
        tab.page.get_by_role("option", name=p.label, exact=True).click()
        done = frame_when(tab, f"""() => {{ const hit = window.__bvLog.find((e) => e[0] >= window.parent.__click
            && e[1] === "{p.start}" && e[2] === "{p.end}" && e[3] !== {before}); return hit ? hit[0] : null; }}""")
        out["preset"].values.append(done - tab.page.evaluate("window.__click"))
        tab.settle()
        out["preset_bytes"].values.append(wire.received)
    out["app_play"] = Stat([tab.frame.evaluate(PLAY_JS, 3) for _ in range(2)])
    tab.close()
    return out


def app_import(browser, url: str, csv: bytes, rows: int, repeat: int, timeout_s: float) -> dict[str, Stat]:
    """Upload an ACLED CSV (a new name each run, so no cache helps); time until its points are drawn."""
    out = {"import": Stat(), "import_bytes": Stat()}
    folder = Path(tempfile.mkdtemp(prefix="borderviz-bench-"))
    for k in range(repeat):
        path = folder / f"acled-{rows}-run{k}.csv"
        path.write_bytes(csv)
        tab, wire = app_tab(browser, url)
        tab.open("?basemap=none")
        before = tab.count()
        wire.received = 0
        start = time.time() * 1000
        tab.page.locator('input[type="file"]').set_input_files(str(path))
        try:
            done = frame_when(tab, f"""() => {{ const hit = window.__bvLog.find((e) => e[3] > {before});
                return hit && borderviz.engine.imported.length ? hit[0] : null; }}""", int(timeout_s * 1000))
        except Exception as exc:  # noqa: BLE001  (a refusal or a timeout is a result here)
            body = tab.page.inner_text('[data-testid="stSidebar"]')
            reason = "refused" if "was not imported" in body else f"not drawn in {timeout_s:.0f} s"
            out["import"].note = f"{reason}: {type(exc).__name__}"
            tab.close()
            break
        out["import"].values.append((done - start) / 1000)
        tab.settle()
        out["import_bytes"].values.append(wire.received)
        tab.close()
    return out


@contextlib.contextmanager
def app_and_browser() -> Iterator[tuple[str, object]]:
    from appdriver import chromium, serve_app

    with serve_app(REPO) as url, chromium() as browser:
        yield url, browser


# --- the run ------------------------------------------------------------------------------------------------


@dataclass
class Run:
    sizes: tuple[int, ...]
    tools: tuple[str, ...]
    repeat: int
    browser: bool
    app: bool
    quick: bool
    cdn: list[Path]
    results: dict = field(default_factory=dict)  # (tool, size) -> {metric: Stat}
    app_results: dict = field(default_factory=dict)

    def put(self, tool: str, size: int, metric: str, stat: Stat) -> None:
        self.results.setdefault((tool, size), {})[metric] = stat


def measure_builds(run: Run, frames: dict, folder: Path) -> dict[tuple[str, int], Path]:
    print("Build (Python, whole file): time, file bytes, gzipped bytes; rebuild for a new window")
    files = {}
    for size in run.sizes:
        pts = acled_points(size)
        for tool in run.tools:
            why = tool_available(tool) or (f"skipped above {LIMITS[tool]:,} points" if size > LIMITS.get(tool, size)
                                           else None)
            if why:
                line(f"{tool} {size:,}", why)
                run.put(tool, size, "build", Stat(note=why))
                continue
            repeat = max(1, run.repeat if size < 1_000_000 else min(run.repeat, 3))
            stat, html = timed(lambda t=tool, p=pts: BUILDERS[t](frames, p) if t == "borderviz"
                               else BUILDERS[t](p), repeat)
            data = html.encode("utf-8")
            path = folder / f"{tool}-{size}.html"
            path.write_bytes(data)
            files[(tool, size)] = path
            run.put(tool, size, "build", stat)
            run.put(tool, size, "bytes", Stat([len(data)]))
            run.put(tool, size, "gzip", Stat([len(gzip.compress(data, 6))]))
            extra = ""
            if tool == "borderviz":
                enc, blob = timed(lambda p=pts: points.encode(p, origin="imported", dataset="acled"), repeat)
                run.put(tool, size, "packet", Stat([len(blob)]))
                run.put(tool, size, "encode", enc)
                extra = f"; points packet {fmt(len(blob), 'B')}, encode {enc.text('s')}"
            else:
                sub = window(pts, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
                rebuild, _ = timed(lambda t=tool, p=pts: BUILDERS[t](window(p, dt.date(2022, 1, 1),
                                                                         dt.date(2022, 12, 31))), repeat)
                run.put(tool, size, "rebuild", rebuild)
                extra = f"; rebuild for 2022 only ({len(sub):,} points) {rebuild.text('s')}"
            line(f"{tool} {size:,}", f"{stat.text('s')}, {fmt(len(data), 'B')} "
                                     f"(gzip {fmt(run.results[(tool, size)]['gzip'].median, 'B')}){extra}")
    return files


def measure_browser(run: Run, files: dict, frames: dict, folder: Path) -> None:
    from appdriver import chromium

    print("Chromium, file:// with the network blocked: navigation to first draw; borderviz brush and Play")
    cdn = LocalCdn([VENDOR, *run.cdn])
    builtin = folder / "borderviz-builtin.html"
    builtin.write_text(engine.html_document(engine.build_map(
        frames, engine.MapState(start=RECORD[0], end=RECORD[1]), last=RECORD[1])), encoding="utf-8")
    with chromium() as browser:
        stats = browse_file(browser, builtin, "borderviz", cdn, run.repeat, brush=True)
        run.put("borderviz", 0, "play", stats["play"])
        line("borderviz, built-in data only: Play", f"{stats['play'].text('fps')}")
        for (tool, size), path in files.items():
            cdn.served.clear()
            cdn.aborted.clear()
            stats = browse_file(browser, path, tool, cdn, run.repeat, brush=tool == "borderviz")
            for metric, stat in stats.items():
                run.put(tool, size, metric, stat)
            local = f"; CDN files served locally: {', '.join(sorted(cdn.served))}" if cdn.served else ""
            text = f"first draw {stats['draw'].text('ms')}{local}"
            if "brush" in stats:
                text += (f"; setRange→redrawn {stats['brush'].text('ms')}, draw alone "
                         f"{stats['brush_draw'].text('ms')}; Play {stats['play'].text('fps')}")
            line(f"{tool} {size:,}", text)


def measure_app(run: Run, frames: dict) -> None:
    print("The app (streamlit run app.py, server warm), Chromium with the network off but for the app")
    first, last = RECORD[0], dt.date.today()
    presets = [p for p in timeline.presets(frames["conflicts"], first, last) if p.key != "all"]
    presets = [presets[-1], *presets[:-1]]
    sizes = [s for s in (100_000, 1_000_000) if s in run.sizes] or [min(run.sizes)]
    with app_and_browser() as (url, browser):
        warm, _ = app_tab(browser, url)
        warm.open("?basemap=none")
        warm.close()
        run.app_results.update(app_cold_open(browser, url, 3 if run.quick else 5))
        line("cold open to first incident drawn", run.app_results["open"].text("ms"))
        line("  of which before the map's frame starts loading", run.app_results["open_frame"].text("ms"))
        line("  bytes over the websocket, first load", run.app_results["open_bytes"].text("B"))
        run.app_results.update(app_presets(browser, url, presets, 4 if run.quick else 8))
        line("preset chosen in the sidebar to map redrawn", run.app_results["preset"].text("ms"))
        line("  bytes over the websocket per preset change", run.app_results["preset_bytes"].text("B"))
        line("Play in the app's map (built-in data)", run.app_results["app_play"].text("fps"))
        for rows in sizes:
            csv = acled_csv(acled_points(rows, seed=11))
            limit = importers.MAX_BYTES
            label = f"import {rows:,}-row ACLED CSV ({fmt(len(csv), 'B')}) to drawn"
            if len(csv) > limit:
                note = f"not possible: the file is {fmt(len(csv), 'B')}, the upload limit {fmt(limit, 'B')}"
                run.app_results[f"import_{rows}"] = Stat(note=note)
                line(label, note)
                continue
            res = app_import(browser, url, csv, rows, 1 if rows >= 1_000_000 or run.quick else 3,
                             timeout_s=600 if rows >= 1_000_000 else 240)
            run.app_results[f"import_{rows}"] = res["import"]
            run.app_results[f"import_{rows}_bytes"] = res["import_bytes"]
            line(label, f"{res['import'].text('s')}; websocket {res['import_bytes'].text('B')}")


# --- the report ---------------------------------------------------------------------------------------------


def cell(run: Run, tool: str, size: int, metric: str, unit: str) -> str:
    stat = run.results.get((tool, size), {}).get(metric)
    if stat is None:
        return "—"
    return fmt(stat.median, unit) if stat.values else (stat.note.split(":")[0] or "—")


def median(run: Run, tool: str, size: int, *metrics: str) -> float | None:
    """Sum of the medians of ``metrics`` (seconds; ms converted), or None if one is missing."""
    total = 0.0
    for metric in metrics:
        stat = run.results.get((tool, size), {}).get(metric)
        if not (stat and stat.values):
            return None
        total += stat.median / 1000 if metric == "draw" else stat.median
    return total


def ratio(run: Run, other: str, size: int, better: str, worse: str, *metrics: str) -> str:
    """How many times ``other`` costs what borderviz costs: '8.1× faster', or '3.3× slower'."""
    a, b = median(run, "borderviz", size, *metrics), median(run, other, size, *metrics)
    if a is None or b is None or a <= 0 or b <= 0:
        return "—"
    return f"{b / a:.1f}× {better}" if b >= a else f"{a / b:.1f}× {worse}"


TIMED = (("build",), ("draw",), ("build", "draw"))


def app_label(key: str) -> tuple[str, str]:
    names = {"open": ("cold open to first incident drawn", "ms"),
             "open_frame": ("… of which before the map's frame starts loading", "ms"),
             "open_bytes": ("websocket, first load", "B"),
             "preset": ("preset in the sidebar to map redrawn", "ms"),
             "preset_bytes": ("websocket per preset change", "B"), "app_play": ("Play in the app", "fps")}
    if key in names:
        return names[key]
    if key.endswith("_bytes"):
        return "websocket during that import", "B"
    return f"import {int(key.split('_')[1]):,} ACLED rows to drawn", "s"


def report(run: Run) -> None:
    print("\n## Results (medians)\n")
    print("| tool | points | build | file | gzipped | Chromium: first draw | brush / new window |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for size in run.sizes:
        for tool in run.tools:
            brush = (f"{cell(run, tool, size, 'brush', 'ms')} (draw {cell(run, tool, size, 'brush_draw', 'ms')})"
                     if tool == "borderviz" else f"rebuild {cell(run, tool, size, 'rebuild', 's')}")
            print(f"| {tool} | {size:,} | {cell(run, tool, size, 'build', 's')} | {cell(run, tool, size, 'bytes', 'B')}"
                  f" | {cell(run, tool, size, 'gzip', 'B')} | {cell(run, tool, size, 'draw', 'ms')} | {brush} |")
    print("\n| borderviz vs | points | build | file | gzipped | first draw | build + first draw |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for other in run.tools[1:] if run.tools and run.tools[0] == "borderviz" else ():
        for size in run.sizes:
            faster = [ratio(run, other, size, "faster", "slower", *m) for m in TIMED]
            smaller = [ratio(run, other, size, "smaller", "larger", m) for m in ("bytes", "gzip")]
            print(f"| {other} | {size:,} | {faster[0]} | {smaller[0]} | {smaller[1]} | {faster[1]} | {faster[2]} |")
    play = run.results.get(("borderviz", 0), {}).get("play")
    if play:
        print(f"\nPlay on the built-in data: {play.text('fps')}")
    if run.app_results:
        print("\n| the app | median (min–max, n) |\n|---|---|")
        for key, stat in run.app_results.items():
            label, unit = app_label(key)
            print(f"| {label} | {stat.text(unit)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also open each file in Chromium")
    parser.add_argument("--app", action="store_true", help="also time the Streamlit app in Chromium")
    parser.add_argument("--quick", action="store_true", help="1k and 10k points, fewer repeats")
    parser.add_argument("--sizes", help="comma-separated point counts (default 1000,10000,100000,1000000)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, from {','.join(TOOLS)}")
    parser.add_argument("--repeat", type=int, help="runs per measurement (default 3; 2 with --quick)")
    parser.add_argument("--cdn-dir", action="append", type=Path, default=[],
                        help="local copies of CDN files (e.g. an unpacked npm leaflet.markercluster)")
    args = parser.parse_args()
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else (
        (1_000, 10_000) if args.quick else SIZES)
    run = Run(sizes=sizes, tools=tuple(t for t in args.tools.split(",") if t in TOOLS),
              repeat=args.repeat or (2 if args.quick else 3), browser=args.browser, app=args.app,
              quick=args.quick, cdn=args.cdn_dir)
    print(f"borderviz benchmark {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; sizes {', '.join(map(str, sizes))}; "
          f"tools {', '.join(run.tools)}; {run.repeat} runs each")
    frames = layers.load_all()
    folder = Path(tempfile.mkdtemp(prefix="borderviz-bench-"))
    files = measure_builds(run, frames, folder)
    if run.browser:
        measure_browser(run, files, frames, folder)
    if run.app:
        measure_app(run, frames)
    report(run)
    return 0


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    raise SystemExit(main())
