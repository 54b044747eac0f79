"""Which tools open each export format, and what each makes of it, as measured here.

:data:`OPENS_IN` is the table: for each format of :data:`borderviz.io.formats.FORMATS` and each tool of
:data:`READERS`, ``"yes: ..."`` (it opens the file; what it reads), ``"no: ..."`` (it does not; why) or
``"n/a"`` (not that kind of tool for that kind of file; not tested). Each cell is asserted by a test
generated from this table: tests/test_formats.py (pyogrio, ogrinfo, the specifications),
tests/test_qgis.py (PyQGIS), tests/test_r_sf.py (R), tests/test_libreoffice.py and tests/test_duckdb.py.
Those that need a tool fail in CI when it is missing (scripts/install-system-deps installs them) and
are skipped elsewhere. The README's tables are generated from it (``python scripts/update_docs.py``).

>>> OPENS_IN["parquet"]["qgis"].startswith("no:")
True
"""

from __future__ import annotations

READERS = {
    "pyogrio": "pyogrio 0.13 (GDAL 3.12)",
    "ogrinfo": "ogrinfo (GDAL 3.6, Debian 12)",
    "qgis": "QGIS 3.22 (Debian 12)",
    "r_sf": "R sf 1.0-9 (GDAL 3.6)",
    "libreoffice": "LibreOffice 7.4 (Debian 12)",
    "duckdb": "DuckDB 2.0 (core, no extensions)",
    "spec": "its specification",
    "borderviz": "borderviz import",
}

_QGIS_OFF = ("its temporal settings are read but left off as loaded (QGIS 3.22: qgis/QGIS#42223; Layer "
             "Properties > Symbology > Style > Load Style switches them on)")
_NO_SPATIAL = "no: needs DuckDB's spatial extension, which installs from the network"

OPENS_IN: dict[str, dict[str, str]] = {
    "geojson": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: every feature, dates as dates, Cyrillic kept; one plain symbol (GeoJSON holds no style) and "
                "no temporal settings: for those open the GeoPackage's project or the .qgz",
        "r_sf": "yes: dates as Date, ids as text, Cyrillic kept",
        "libreoffice": "n/a", "duckdb": _NO_SPATIAL, "spec": "yes",
        "borderviz": "yes: the incidents layer (a zip of several: the incidents file, the others named and left)",
    },
    "gpkg": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: each layer styled in the app's colours (`layer_styles`); " + _QGIS_OFF + ". The project "
                "stored in the file (the GeoPackage's `borderviz` project in the Browser, or Project > Open From "
                "> GeoPackage) opens every layer styled, temporal on and day-exact, the time controller on the "
                "exported period",
        "r_sf": "yes: dates as Date, ids as text, Cyrillic kept",
        "libreoffice": "n/a", "duckdb": "no: needs DuckDB's spatial or sqlite extension, which installs from the "
                                        "network", "spec": "yes",
        "borderviz": "yes: the incidents layer, the others named and left",
    },
    "parquet": {
        "pyogrio": "no: pyogrio's GDAL has no Parquet driver (use geopandas)",
        "ogrinfo": "no: Debian 12's GDAL 3.6 is built without Arrow",
        "qgis": "no: QGIS 3.22 reads through Debian 12's GDAL 3.6, built without Arrow: the layer is invalid (not "
                "a supported file format); it does not crash",
        "r_sf": "no: sf reads through Debian 12's GDAL 3.6, built without Arrow",
        "libreoffice": "n/a",
        "duckdb": "yes: typed columns (dates as DATE), the geometry as GEOMETRY, and a filter on the `bbox` "
                  "covering columns skips row groups by their statistics; but DuckDB 2.0.1 applies only the first "
                  "of two conditions on `bbox` fields (`bbox.xmin >= a AND bbox.xmax <= b`) on a file of several "
                  "row groups: `SET disabled_optimizers = 'filter_pushdown'` gives the right rows",
        "spec": "yes",
        "borderviz": "yes: the incidents layer (a zip of several: the incidents file, the others named and left)",
    },
    "kml": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: drawn with the file's own KML styles; dates as text, so no temporal settings",
        "r_sf": "yes: ids as text, Cyrillic kept; dates as text",
        "libreoffice": "n/a", "duckdb": _NO_SPATIAL, "spec": "yes",
        "borderviz": "yes: the incidents folder, the others named and left",
    },
    "csv": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: the `.vrt`, or the `.csv` by Add Delimited Text Layer (the `.csvt` gives it the types: ids "
                "stay text, dates are dates; lines and polygons from `wkt`), styled by the `.qml` beside it; "
                + _QGIS_OFF,
        "r_sf": "yes: the `.csv` typed by its `.csvt` (lines and polygons with their geometry from `wkt`, points as "
                "a table), the `.vrt` with points; dates as Date, Cyrillic kept",
        "libreoffice": "no: its default import ignores the byte order mark and reads UTF-8 as Windows-1252 "
                       "(Ворух comes out as Ð’Ð¾Ñ€ÑƒÑ…); choose UTF-8 in its import dialog, or open the XLSX",
        "duckdb": "yes: `read_csv` types the columns (ids text, dates DATE), Cyrillic kept",
        "spec": "yes",
        "borderviz": "yes: the zip, its incidents CSV (formulas restored), the others named and left",
    },
    "shp": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: styled by the `.qml` beside each file (on the short field names); dates as text; " + _QGIS_OFF,
        "r_sf": "yes: short field names (`<layer>.fields.csv` maps them), dates as text, Cyrillic kept",
        "libreoffice": "n/a", "duckdb": _NO_SPATIAL,
        "spec": "no: no machine-checkable specification",
        "borderviz": "yes: the zip, its incidents Shapefile with its text and field-name sidecars, the others "
                     "named and left",
    },
    "xlsx": {
        "pyogrio": "yes", "ogrinfo": "yes",
        "qgis": "yes: a table per sheet (no geometry), dates as dates, ids as text",
        "r_sf": "yes: a table per sheet, dates as Date, ids as text, Cyrillic kept",
        "libreoffice": "yes: dates as dates, numbers as numbers, ids and all text as text, Cyrillic kept, no formula",
        "duckdb": "no: needs DuckDB's excel extension, which installs from the network",
        "spec": "n/a",
        "borderviz": "no: a spreadsheet is for reading; import the CSV, GeoPackage or GeoParquet export",
    },
    "qgz": {
        "pyogrio": "n/a", "ogrinfo": "n/a",
        "qgis": "yes: every layer valid and styled, each dated layer's temporal settings on and day-exact, the "
                "project's time range the exported period in steps of a day",
        "r_sf": "n/a", "libreoffice": "n/a", "duckdb": "n/a", "spec": "n/a",
        "borderviz": "yes: the zip of the project and its GeoPackage (the .qgz alone holds no data)",
    },
    "html": {**{reader: "n/a" for reader in READERS},
             "borderviz": "no: a map page holds no rows to import; import a CSV, GeoPackage or GeoParquet export"},
}


def opens(fmt: str, reader: str) -> bool:
    return OPENS_IN[fmt][reader].startswith("yes")


def tested(fmt: str) -> list[str]:
    """The tools a format is tested with (every cell but n/a)."""
    return [r for r, v in OPENS_IN[fmt].items() if v != "n/a"]


def tools_markdown(labels: dict[str, str]) -> str:
    """The README's table of what each tool does with each format (``labels``: format key -> its label)."""
    tools = [r for r in READERS if r not in ("pyogrio", "spec")]  # (pyogrio: the first table's last column)
    lines = ["| format | " + " | ".join(READERS[r] for r in tools) + " |", "|---" * (1 + len(tools)) + "|"]
    for key, label in labels.items():
        cells = []
        for reader in tools:
            value = OPENS_IN[key][reader]
            cells.append("—" if value == "n/a" else "**yes**" + value[3:] if value.startswith("yes")
                         else "**no**" + value[2:])
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
