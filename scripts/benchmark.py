"""Measure borderviz's speed and sizes. Rerun after changes; numbers, not pass/fail.

    python scripts/benchmark.py              # library, app script and exports
    python scripts/benchmark.py --browser    # also time the app in Chromium (needs chromium)

Times are the median of several runs on this machine; sizes are bytes.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from streamlit_folium import _get_feature_group_string, generate_leaflet_string  # noqa: E402

from borderviz import formats, importers, layers, mapview, timeline  # noqa: E402


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def row(name: str, value: str) -> None:
    print(f"  {name:<58} {value}")


def library() -> dict:
    print("Library")
    seconds, frames = timed(layers.load_all, repeat=3)
    row("load and validate all 13 layers", f"{seconds * 1000:.0f} ms")
    total = sum(p.stat().st_size for p in (REPO / "data").glob("*.*") if p.suffix in (".geojson", ".csv"))
    row("size of the built layers in data/", f"{total / 1e6:.2f} MB")
    seconds, _ = timed(lambda: timeline.filter_incidents(frames["incidents"], "2021-01-01", "2022-12-31",
                                                         timeline.IncidentFilter(event_types=("armed_clash",))))
    row("filter incidents by dates and type", f"{seconds * 1000:.2f} ms")
    return frames


def map_costs(frames: dict) -> None:
    """The component message the app sends on each change: base script + view groups.

    Streamlit resends a component's whole message when any part changes; the
    published static files (states and unchanging layers) travel once, by HTTP.
    """
    print("Map (the component message each view sends; static files travel once)")
    map_frames = {**frames, "countries": mapview.display_countries(frames["countries"])}
    folder = Path(tempfile.mkdtemp(prefix="borderviz-bench-"))
    seconds, urls = timed(lambda: mapview.publish(map_frames, folder, "/app/static/generated"), repeat=1)
    sizes = sum(p.stat().st_size for p in folder.iterdir())
    row("publish static layer files (once per data version)", f"{seconds * 1000:.0f} ms, {sizes / 1e3:.0f} kB")
    layers_on = frozenset(mapview.DEFAULT_LAYERS)
    for label, (start, end, basemap) in {
        "whole record, streets": ("2014-01-01", "2026-11-22", "streets"),
        "September 2022 war, streets": ("2022-09-14", "2022-09-20", "streets"),
        "September 2022 war, no tiles": ("2022-09-14", "2022-09-20", "none"),
    }.items():
        selected = timeline.in_range(frames["incidents"], start, end)
        view = mapview.View(day=pd.Timestamp(end), incidents=selected, layers=layers_on, basemap=basemap)

        def build(v=view, b=basemap):
            base = mapview.base_map(map_frames, layers_on, b, urls)
            groups = mapview.overlay_groups(map_frames, v, urls)
            return generate_leaflet_string(base), groups

        seconds, (script, groups) = timed(build, repeat=3)
        sent = len(script) + sum(len(_get_feature_group_string(g, mapview.base_map(), i))
                                 for i, g in enumerate(groups))
        row(f"{label}", f"{seconds * 1000:.0f} ms to build, {sent / 1e3:.0f} kB")


def app_runs() -> None:
    from streamlit.testing.v1 import AppTest

    print("App script (Streamlit AppTest, no browser)")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    start = time.perf_counter()
    at.run()
    row("first run (loads and caches the layers)", f"{(time.perf_counter() - start) * 1000:.0f} ms")
    times = []
    for preset in ("war-2022-09", "war-2021-04", "all", "since-treaty", "war-2022-09"):
        start = time.perf_counter()
        at.selectbox(key="preset").select(preset).run()
        times.append(time.perf_counter() - start)
    row("rerun after choosing a preset (median of 5)", f"{statistics.median(times) * 1000:.0f} ms")


def exports(frames: dict) -> None:
    print("Exports (all incidents)")
    subset = {"incidents": frames["incidents"]}
    for fmt in formats.FORMATS:
        repeat = 1 if fmt == "html" else 3
        seconds, bundle = timed(lambda f=fmt: formats.export(subset, f, {"from": "2014-01-01"}), repeat=repeat)
        name, data, _ = bundle.single()
        row(f"{formats.FORMATS[fmt].label} -> {name}", f"{seconds * 1000:.0f} ms, {len(data) / 1e3:.0f} kB")


def imports(frames: dict, n: int = 5000) -> None:
    print("Import")
    header = ("event_id_cnty,event_date,time_precision,event_type,sub_event_type,country,admin1,admin2,location,"
              "latitude,longitude,geo_precision,source,source_scale,notes,fatalities")
    lines = [header] + [
        f"BVX{i},2022-09-{14 + i % 7},1,Battles,Armed clash,Kyrgyzstan,Batken,Batken,Place {i},"
        f"{39.8 + (i % 100) / 500:.4f},{70.3 + (i % 97) / 200:.4f},{1 + i % 3},Outlet,National,Synthetic,{i % 3}"
        for i in range(n)
    ]
    data = ("\n".join(lines) + "\n").encode()
    seconds, result = timed(lambda: importers.import_file("bench.csv", data, frames["incidents"]), repeat=3)
    row(f"ACLED-style CSV, {n:,} synthetic rows ({len(data) / 1e6:.1f} MB)",
        f"{seconds * 1000:.0f} ms, {int(result.frame['possible_duplicate_of'].notna().sum())} flagged")


def browser() -> None:
    from appdriver import AppTab, chromium, serve_app

    print("Browser (Debian's Chromium, network off but for the app)")
    with serve_app(REPO) as url, chromium() as b:
        for label, query in {"cold open, whole record, no tiles": "?basemap=none",
                             "open September 2022, no tiles": "?basemap=none&start=2022-09-14&end=2022-09-20"}.items():
            tab = AppTab(b, url)
            start = time.perf_counter()
            tab.page.goto(f"{url}/{query}", wait_until="domcontentloaded")
            tab.map.locator("path.bv-incident").first.wait_for(timeout=90_000)
            row(f"{label}: first incident drawn", f"{(time.perf_counter() - start) * 1000:.0f} ms")
            tab.close()
        for basemap in ("streets", "none"):
            tab = AppTab(b, url)
            received, http = [], []
            tab.page.on("websocket", lambda ws, r=received: ws.on(
                "framereceived", lambda p, r=r: r.append(len(p) if isinstance(p, bytes) else len(p.encode()))))
            tab.page.on("response", lambda resp, h=http: h.append(resp))
            tab.open(f"?basemap={basemap}")
            static = sum(len(r.body()) for r in http if "/app/static/" in r.url and r.status == 200)
            row(f"first load, basemap {basemap}: app messages + static files",
                f"{sum(received) / 1e3:.0f} kB + {static / 1e3:.0f} kB")
            received.clear()
            start = time.perf_counter()
            tab.page.get_by_role("combobox", name="Period").click()
            tab.page.get_by_role("option", name="September 2022 war").click()
            tab.settle()
            row(f"choose a preset, basemap {basemap}: until drawn, app messages",
                f"{(time.perf_counter() - start - 1.5) * 1000:.0f} ms, {sum(received) / 1e3:.0f} kB")
            tab.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also time the app in Chromium")
    args = parser.parse_args()
    frames = library()
    map_costs(frames)
    app_runs()
    exports(frames)
    imports(frames)
    if args.browser:
        browser()
    return 0


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", line_buffering=True)
    raise SystemExit(main())
