"""Time and peak memory of importing synthetic ACLED-style CSVs and GeoJSON (no real ACLED rows).

    python scripts/import_benchmark.py acled 100000        # a 100,000-row ACLED-style CSV
    python scripts/import_benchmark.py acled-bytes 25      # an ACLED-style CSV of about 25 MB
    python scripts/import_benchmark.py geojson-bytes 25    # a GeoJSON of about 25 MB
    python scripts/import_benchmark.py gpkg-recursive      # the recursive-view GeoPackage
    nice python scripts/import_benchmark.py compare        # borderviz import beside pandas + pyogrio/pyarrow
    nice python scripts/import_benchmark.py compare --repeat 3 --app   # and the app's 100,000-row import

Each import runs as the app runs it (borderviz.io.uploads: a child process with
limits); the figures are wall time and the child's peak resident memory.
``compare`` is scripts/import_compare.py: see there.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                "fatalities", "tags", "timestamp"]
PLACES = ["Vorukh", "Kok-Tash", "Ak-Sai", "Isfara", "Batken", "Khojai Alo", "Tort-Kocho", "Samarkandyk"]
TYPES = [("Battles", "Armed clash"), ("Riots", "Mob violence"), ("Protests", "Peaceful protest"),
         ("Strategic developments", "Agreement"), ("Violence against civilians", "Attack")]


def acled_csv(rows: int, seed: int = 1, notes: str = "Synthetic row: exchange of fire near the border.") -> bytes:
    """An ACLED-shaped CSV of synthetic rows (ACLED's own rows may not be redistributed)."""
    rng = np.random.default_rng(seed)
    lat = np.round(39.7 + rng.random(rows) * 0.6, 4)
    lon = np.round(69.9 + rng.random(rows) * 1.4, 4)
    day = np.datetime64("2014-01-01") + rng.integers(0, 4000, rows)
    kinds = rng.integers(0, len(TYPES), rows)
    places = rng.integers(0, len(PLACES), rows)
    deaths = rng.integers(0, 5, rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ACLED_HEADER)
    for i in range(rows):
        kg = i % 2 == 0
        event_type, sub = TYPES[kinds[i]]
        writer.writerow([f"{'KGZ' if kg else 'TJK'}{i}", str(day[i]), str(day[i])[:4], "1", "Political violence",
                         event_type, sub, "Military Forces", "", "1", "Civilians", "", "7", "17", "", "417",
                         "Caucasus and Central Asia", "Kyrgyzstan" if kg else "Tajikistan", "Batken", "Batken", "",
                         PLACES[places[i]], lat[i], lon[i], "1", "24.kg", "National", notes, deaths[i], "",
                         "1700000000"])
    return out.getvalue().encode()


def acled_csv_of_size(megabytes: float) -> bytes:
    """A short-row ACLED-style CSV of about ``megabytes`` MB: only the columns borderviz reads, so that
    25 MB holds about 465,000 rows (the shape of the file in the hostile-input report)."""
    rng = np.random.default_rng(3)
    rows = int(megabytes * 1e6 / 54)
    lat = np.round(39.7 + rng.random(rows) * 0.6, 4)
    lon = np.round(69.9 + rng.random(rows) * 1.4, 4)
    day = np.datetime64("2014-01-01") + rng.integers(0, 4000, rows)
    lines = ["event_id_cnty,event_date,time_precision,geo_precision,iso,location,latitude,longitude,fatalities"]
    lines += [f"K{i},{day[i]},1,1,417,{PLACES[i % 8]},{lat[i]},{lon[i]},{i % 3}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def geojson_of_size(megabytes: float) -> bytes:
    rng = np.random.default_rng(2)
    per_feature = 232
    n = int(megabytes * 1e6 / per_feature)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(69.9 + rng.random() * 1.4, 5),
                                                                                  round(39.7 + rng.random() * 0.6, 5)]},
                 "properties": {"id": f"g{i}", "date": f"2022-09-{1 + i % 28:02d}", "place": PLACES[i % 8],
                                "type": "shooting", "killed": i % 3, "source": "https://example.org/r"}}
                for i in range(n)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def recursive_view_gpkg() -> bytes:
    """A GeoPackage whose gpkg_contents points at a recursive SQL view (endless rows)."""
    import sqlite3
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "evil.gpkg"
        conn = sqlite3.connect(path)
        conn.executescript("""
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
                organization_coordsys_id INTEGER, definition TEXT, description TEXT);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', '');
            CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
                description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
            CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
                srs_id INTEGER, z INTEGER, m INTEGER);
            CREATE VIEW incidents AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
                SELECT x AS fid, NULL AS geom, sqlite_version() AS date FROM c;
            INSERT INTO gpkg_contents VALUES ('incidents', 'features', 'incidents', '', '', 0, 0, 0, 0, 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('incidents', 'geom', 'POINT', 4326, 0, 0);
        """)
        conn.commit()
        conn.close()
        return path.read_bytes()


def main() -> None:
    if sys.argv[1] == "compare":
        from import_compare import main as compare

        raise SystemExit(compare(sys.argv[2:]))
    from borderviz.errors import DataError
    from borderviz.io import uploads
    from borderviz.model import layers

    kind, size = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0
    if kind == "acled":
        name, data = "acled.csv", acled_csv(int(size))
    elif kind == "acled-bytes":
        name, data = "acled.csv", acled_csv_of_size(size)
    elif kind == "geojson-bytes":
        name, data = "points.geojson", geojson_of_size(size)
    else:
        name, data = "evil.gpkg", recursive_view_gpkg()
    builtin = layers.load_all()["incidents"]
    uploads.import_upload("warm.csv", b"date,latitude,longitude\n2022-09-14,39.9,70.5\n", builtin)  # fork server
    before = rss_mb()
    started = time.perf_counter()
    try:
        result = uploads.import_upload(name, data, builtin)
        outcome = f"{len(result.frame):,} incidents, {result.frame['possible_duplicate_of'].notna().sum():,} flagged"
    except DataError as exc:
        outcome = f"refused: {str(exc).splitlines()[1].strip()[:160]}"
    seconds = time.perf_counter() - started
    rows = data.count(b"\n") - 1 if name.endswith(".csv") else "-"
    print(f"{name}: {len(data) / 1e6:.1f} MB, {rows} rows -> "
          f"{outcome}; {seconds:.2f} s; child peak {uploads.LAST_CHILD_PEAK_MB:.0f} MB; "
          f"server (parent) grew {rss_mb() - before:.0f} MB holding the result")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


if __name__ == "__main__":
    main()
