"""``borderviz import FILE -o OUT`` beside pandas + pyogrio/pyarrow doing the same read and write.

    nice python scripts/import_benchmark.py compare                # every row of the table, 3 runs each
    nice python scripts/import_benchmark.py compare --repeat 5 --app   # and the app's 100,000-row import
    nice python scripts/import_benchmark.py compare --quick        # smaller files, 1 run (a smoke test)

Rows of the table (generated data only: ACLED's rows are never used):

- an ACLED-like CSV of about 25 MB (ACLED's 31 columns, synthetic values; the
  generator of scripts/import_benchmark.py) to GeoJSON, GeoPackage, CSV and GeoParquet;
- 1,000,000 such rows to GeoParquet;
- a worldwide UCDP-GED-like CSV (GED's columns), 300,000 rows of which 300 lie in
  the border region, to GeoParquet.

Each command runs in its own process tree, started here; every 10 ms the tree's
processes are read from /proc: CPU is the sum over every process of its user +
system time (as last seen, so at most 10 ms per process is missed), peak memory
the largest sum over the tree of each process's proportional set size (PSS: a
page shared by a forked child and its parent counts once). Figures are medians
of ``--repeat`` runs; ratios are borderviz's over the anchor's.

The anchor is what a user would write with pandas 3 and geopandas/pyogrio::

    df = pd.read_csv(path)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)
    gdf.to_parquet(out)                                  # GeoParquet
    pyogrio.write_dataframe(gdf, out, driver="GeoJSON")  # or "GPKG"
    df.to_csv(out, index=False)                          # CSV

and for the worldwide file, the same read, the rows in the region's outline kept
(``shapely.contains_xy``), and ``to_parquet``. borderviz does more in the same
call: it checks every row, maps it onto its schema, flags duplicates of the
built-in incidents, keeps the file's columns typed and writes the provenance.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from import_benchmark import ACLED_HEADER, PLACES, TYPES  # noqa: E402

_SCRIPT = Path(sys.executable).with_name("borderviz")
BORDERVIZ = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "borderviz.cli"]
REGIONS = ("Africa", "Americas", "Asia", "Europe", "Middle East")
UCDP_HEADER = ["id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_new_id",
               "conflict_name", "dyad_new_id", "dyad_name", "side_a_new_id", "side_a", "side_b_new_id", "side_b",
               "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
               "source_original", "where_prec", "gwnoa", "gwnob", "where_coordinates", "where_description",
               "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id",
               "region", "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
               "deaths_civilians", "deaths_unknown", "best", "high", "low"]


# --- generated files ----------------------------------------------------------------------------------------


def acled_file(path: Path, rows: int, seed: int = 1) -> Path:
    """An ACLED-shaped CSV of ``rows`` synthetic rows around Batken, Isfara and Vorukh, written in chunks."""
    rng = np.random.default_rng(seed)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ACLED_HEADER)
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            lat = np.round(39.7 + rng.random(n) * 0.6, 4)
            lon = np.round(69.9 + rng.random(n) * 1.4, 4)
            day = np.datetime64("2014-01-01") + rng.integers(0, 4000, n)
            kinds = rng.integers(0, len(TYPES), n)
            places = rng.integers(0, len(PLACES), n)
            deaths = rng.integers(0, 5, n)
            for k in range(n):
                i = start + k
                kg = i % 2 == 0
                event_type, sub = TYPES[kinds[k]]
                writer.writerow([f"{'KGZ' if kg else 'TJK'}{i}", str(day[k]), str(day[k])[:4], "1",
                                 "Political violence", event_type, sub, "Military Forces", "", "1", "Civilians", "",
                                 "7", "17", "", "417", "Caucasus and Central Asia",
                                 "Kyrgyzstan" if kg else "Tajikistan", "Batken", "Batken", "", PLACES[places[k]],
                                 lat[k], lon[k], "1", "24.kg", "National",
                                 "Synthetic row: exchange of fire near the border.", deaths[k], "", "1700000000"])
    return path


def ucdp_world_file(path: Path, rows: int = 300_000, in_region: int = 300, seed: int = 5) -> Path:
    """A UCDP-GED-shaped CSV of synthetic rows around the world; ``in_region`` of them near Batken."""
    from borderviz.model.region import REGION

    rng = np.random.default_rng(seed)
    lon = rng.uniform(-180, 180, rows * 2)
    lat = rng.uniform(-55, 70, rows * 2)
    far = ~REGION.in_box(lon, lat) & ~REGION.in_box(lat, lon)
    lon, lat = lon[far][:rows].round(4), lat[far][:rows].round(4)
    inside = rng.choice(rows, in_region, replace=False)
    lon[inside] = (69.9 + rng.random(in_region) * 1.4).round(4)
    lat[inside] = (39.7 + rng.random(in_region) * 0.6).round(4)
    day = np.datetime64("1989-01-01") + rng.integers(0, 12_000, rows)
    deaths = rng.integers(0, 20, rows)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(UCDP_HEADER)
        for i in range(rows):
            when = f"{day[i]} 00:00:00.000"
            writer.writerow([
                100000 + i, f"SYN-{str(day[i])[:4]}-1-{i}", str(day[i])[:4], "TRUE", "Clear", 1 + i % 3, 400 + i % 90,
                f"Synthetic conflict {i % 90}", 500 + i % 150, f"Government of A{i % 90} - Group B{i % 150}",
                100 + i % 90, f"Government of A{i % 90}", 200 + i % 150, f"Group B{i % 150}", 1 + i % 4,
                f'"Synthetic wire report {i}",{day[i]}', "Synthetic Office", f"{day[i]}",
                f"Clashes reported near synthetic town {i % 2000}", "Local sources", 1 + i % 7, 700 + i % 90, "",
                f"Synthetic town {i % 2000}", f"Synthetic town {i % 2000} village", f"Province {i % 300}",
                f"District {i % 1200}", lat[i], lon[i], f"POINT ({lon[i]} {lat[i]})", 100000 + i % 250000,
                f"Country {i % 90}", 700 + i % 90, REGIONS[i % 5], 1, 1 + i % 5, when, when,
                deaths[i] // 2, deaths[i] - deaths[i] // 2, 0, 0, deaths[i], deaths[i] + 2, deaths[i]])
    return path


# --- the anchor --------------------------------------------------------------------------------------------


def anchor(fmt: str, source: str, out: str, region: bool) -> None:
    """pandas + geopandas/pyogrio doing the same read and write (run as its own process)."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio
    import shapely

    df = pd.read_csv(source)
    if region:
        from borderviz.model.region import REGION

        df = df[shapely.contains_xy(REGION.polygon, df["longitude"].to_numpy(), df["latitude"].to_numpy())]
    if fmt == "csv":
        df.to_csv(out, index=False)
        return
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326)
    if fmt == "parquet":
        gdf.to_parquet(out)
    else:
        pyogrio.write_dataframe(gdf, out, driver={"geojson": "GeoJSON", "gpkg": "GPKG"}[fmt])


# --- measuring a process tree ---------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float


def measure(command: list[str], cwd: Path) -> Run:
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cpu: dict[int, float] = {}
    peak = 0
    while proc.poll() is None:
        tree, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += _children(pid)
        total = 0
        for pid in tree:
            seen = _cpu(pid)
            if seen is not None:
                cpu[pid] = max(cpu.get(pid, 0.0), seen)
            total += _pss_kb(pid)
        peak = max(peak, total)
        time.sleep(0.01)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-2000:]}")
    return Run(wall, sum(cpu.values()), peak / 1024)


@dataclass
class Cell:
    runs: list[Run] = field(default_factory=list)
    size: int = 0

    def median(self, what: str) -> float:
        return statistics.median(getattr(r, what) for r in self.runs)


def _uptime() -> str:
    with open("/proc/loadavg") as f:
        return "load average " + ", ".join(f.read().split()[:3])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="import_benchmark.py compare")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small files, one run: checks the script runs")
    parser.add_argument("--app", action="store_true", help="also the app's import of 100,000 rows (Chromium)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the generated files (default: temp)")
    parser.add_argument("--only", default="", help="run only these rows: acled, million, world (comma-separated)")
    if argv and argv[0] == "anchor":
        anchor(argv[1], argv[2], argv[3], "--region" in argv)
        return 0
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    work = args.work or Path(tempfile.mkdtemp(prefix="borderviz-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    acled_rows, million, world = (20_000, 50_000, 30_000) if args.quick else (93_283, 1_000_000, 300_000)
    print(f"# borderviz import vs pandas + pyogrio/pyarrow; {repeat} run(s) each; {_uptime()} at the start")
    files = {
        "acled": work / f"acled-{acled_rows}.csv", "million": work / f"acled-{million}.csv",
        "world": work / f"ucdp-world-{world}.csv",
    }
    if not files["acled"].exists():
        acled_file(files["acled"], acled_rows)
    if not files["million"].exists():
        acled_file(files["million"], million, seed=2)
    if not files["world"].exists():
        ucdp_world_file(files["world"], world, 300 if not args.quick else 30)
    cases = [(f"ACLED-like CSV, {files['acled'].stat().st_size / 1e6:.1f} MB ({acled_rows:,} rows)", "acled", fmt)
             for fmt in ("geojson", "gpkg", "csv", "parquet")]
    cases += [(f"{million:,} ACLED-like rows ({files['million'].stat().st_size / 1e6:.0f} MB)", "million", "parquet"),
              (f"worldwide UCDP-GED-like CSV, {world:,} rows ({files['world'].stat().st_size / 1e6:.0f} MB), "
               f"{300 if not args.quick else 30} in the region", "world", "parquet")]
    if args.only:
        cases = [c for c in cases if c[1] in args.only.split(",")]
    results: dict[tuple[str, str, str], Cell] = {}
    for label, key, fmt in cases:
        source = files[key]
        for tool in ("borderviz", "anchor"):
            cell = results.setdefault((label, fmt, tool), Cell())
            for k in range(repeat):
                out = work / f"out-{tool}-{key}-{k}.{fmt}"
                if tool == "borderviz":
                    command = ["nice", *BORDERVIZ, "-q", "import", str(source), "-o", str(out)]
                else:
                    command = ["nice", sys.executable, str(Path(__file__)), "anchor", fmt, str(source), str(out),
                               *(["--region"] if key == "world" else [])]
                cell.runs.append(measure(command, work))
                cell.size = sum(p.stat().st_size for p in work.glob(f"out-{tool}-{key}-{k}*"))
                for p in work.glob(f"out-{tool}-{key}-{k}*"):
                    p.unlink()
            run = cell.runs[-1]
            print(f"  {label} -> {fmt}, {tool}: {cell.median('cpu'):.2f} s CPU, {cell.median('wall'):.2f} s wall, "
                  f"{cell.median('peak_mb'):.0f} MB; file {cell.size / 1e6:.1f} MB (last: {run.cpu:.2f} s)",
                  flush=True)
    print(f"\n{_uptime()} at the end\n")
    print("| work | borderviz: CPU, wall, peak memory | file (× input) | anchor: CPU, wall, peak memory "
          "| file | CPU ratio |")
    print("|---|---|---|---|---|---|")
    for label, key, fmt in cases:
        ours, theirs = results[(label, fmt, "borderviz")], results[(label, fmt, "anchor")]
        size_in = files[key].stat().st_size
        print(f"| {label} → {fmt} | {ours.median('cpu'):.2f} s, {ours.median('wall'):.2f} s, "
              f"{ours.median('peak_mb'):,.0f} MB | {ours.size / 1e6:,.1f} MB ({ours.size / size_in:.1f}×) | "
              f"{theirs.median('cpu'):.2f} s, {theirs.median('wall'):.2f} s, {theirs.median('peak_mb'):,.0f} MB | "
              f"{theirs.size / 1e6:,.1f} MB | {ours.median('cpu') / theirs.median('cpu'):.2f}× |")
    if args.app:
        _app(repeat)
    return 0


def _app(repeat: int) -> None:
    """The app's import of a 100,000-row ACLED CSV, upload to drawn (scripts/benchmark.py's measurement)."""
    import benchmark

    csv_bytes = benchmark.acled_csv(benchmark.acled_points(100_000, seed=11))
    with benchmark.app_and_browser() as (url, browser):
        res = benchmark.app_import(browser, url, csv_bytes, 100_000, repeat, timeout_s=240)
    stat = res["import"]
    print(f"\napp: import of a 100,000-row ACLED CSV ({len(csv_bytes) / 1e6:.1f} MB) to drawn: "
          f"{stat.text('s')}; websocket {res['import_bytes'].text('B')}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
