"""Export layers, and what each format keeps.

:data:`FORMATS` is the one table of what every format keeps and loses. The
round-trip tests are generated from it: each layer is written, read back with
geopandas, and compared after the losses the table declares (``read_back``),
so an undeclared loss fails a test. The README's format table is generated
from it too.

An export is a :class:`Bundle` of named files: the data, and for formats with
no place for metadata, a ``provenance.json`` sidecar. One file is delivered as
is; several are zipped.

>>> FORMATS["shp"].read_back["date"]
'text'
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from borderviz.errors import ExportError
from borderviz.io import provenance as provenance_module
from borderviz.io.writers import csv as csv_writer
from borderviz.io.writers import shp as shp_writer
from borderviz.io.writers import text
from borderviz.io.writers.layer import Layer, layer_of
from borderviz.io.writers.text import xml_escape as xml_text
from borderviz.model.schema import ALL_SPECS, IMPORTED_INCIDENTS

# How a column of each kind comes back when the file is read with geopandas:
#   same      equal value and type
#   float     numbers come back as floats (nullable ints; nulls as NaN)
#   datetime  dates come back as timestamps (compare the day)
#   text      comes back as text: ISO dates, numbers as written
#   json_text lists/objects come back as JSON text (json.loads gives the value)
KINDS = ("str", "int", "float", "date", "partial_date", "json", "sources")


@dataclass(frozen=True)
class Format:
    """One export format: file, where provenance goes, and what survives a round trip."""

    key: str
    label: str
    extension: str
    mime: str
    metadata: str
    read_back: Mapping[str, str]
    keeps: Mapping[str, str] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)  # column -> name a reader sees

    @property
    def note(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.keeps.items())


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format(
            "geojson", "GeoJSON (RFC 7946)", ".geojson", "application/geo+json",
            "a `borderviz` member of each FeatureCollection",
            {"str": "same", "int": "float", "float": "same", "date": "datetime", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "all kept; lists as JSON arrays (GDAL reads them back as JSON text, and whole "
                       "numbers in a column with nulls as floats)",
             "geometry": "any type, mixed kept; lon/lat, polygons wound per RFC 7946",
             "field names": "kept", "non-Latin text": "kept (UTF-8)",
             "layers": "one per file; several are zipped"},
        ),
        Format(
            "gpkg", "GeoPackage", ".gpkg", "application/geopackage+sqlite3",
            "dataset metadata (gpkg_metadata) and a `borderviz_provenance` table",
            {"str": "same", "int": "float", "float": "same", "date": "datetime", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "all kept, typed (dates as DATE fields); lists as JSON text; whole numbers in a column "
                       "with nulls read back as floats; GeoPackage 1.3, so GDAL 3.6 reads it without warnings; "
                       "QGIS opens each layer styled in the app's colours (a `layer_styles` table with QML and "
                       "SLD), dated layers with their temporal settings",
             "geometry": "one type per table (mixed tables as generic geometry); 2D",
             "field names": "kept", "non-Latin text": "kept", "layers": "several in one file"},
        ),
        Format(
            "parquet", "GeoParquet", ".parquet", "application/vnd.apache.parquet",
            "the `borderviz_provenance` key of the Parquet schema metadata",
            {"str": "same", "int": "same", "float": "same", "date": "datetime", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "all kept with their types (nullable integers stay integers, dates as date32, never "
                       "Arrow's null type); lists as JSON text. GDAL reads it only when built with Arrow "
                       "(Debian 12's GDAL 3.6 is not): use geopandas, pyarrow, DuckDB or QGIS 3.28+",
             "geometry": "any type, mixed kept (GeoParquet 1.1, WKB), with a `bbox` covering column so that "
                         "DuckDB, pyarrow or Apache Sedona skip row groups by area without reading them",
             "field names": "kept",
             "non-Latin text": "kept",
             "layers": "one per file; several are zipped"},
        ),
        Format(
            "kml", "KML (Google Earth)", ".kml", "application/vnd.google-earth.kml+xml",
            "the KML Document's description",
            {"str": "same", "int": "float", "float": "float", "date": "text", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "typed ExtendedData (Schema/SchemaData): numbers kept, dates as ISO text, lists as JSON "
                       "text; a TimeSpan on every dated feature (Google Earth's time slider); styled by event "
                       "type or status; every value escaped",
             "geometry": "2D (lon,lat); polygons wound as in GeoJSON",
             "field names": "kept, but a `name` column becomes each placemark's name (read back as "
                            "`Name`); GDAL adds about 12 KML columns (Name, description, begin, end, ...); GDAL "
                            "3.6 reads `id` and `description` as ours, newer GDAL as `id2`/`description2` unless "
                            "LIBKML_ID_FIELD and LIBKML_DESCRIPTION_FIELD name other columns",
             "non-Latin text": "kept", "layers": "several in one file (one Folder each); tables are "
                                                  "left out"},
            renames={"name": "Name"},
        ),
        Format(
            "csv", "CSV", ".csv", "text/csv",
            "a `provenance.json` file beside the CSV (the download is a zip)",
            {"str": "same", "int": "text", "float": "text", "date": "text", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "all kept as text (numbers in their shortest form: 85 for 85.0); lists as JSON text; text "
                       "starting with =, +, -, @, tab or CR gets a "
                       "leading ' so spreadsheets do not run it as a formula; every text field quoted, so line breaks "
                       "stay in their field (CRLF records, RFC 4180); a `.csvt` gives GDAL the column types and a `.vrt` opens it "
                       "with its geometry; `datapackage.json` (Frictionless) describes every column",
             "geometry": "points as latitude/longitude columns; lines and polygons as WKT, or, when some WKT "
                         "would not fit a spreadsheet cell (32,767 characters), in `<layer>.wkt.csv` (id, wkt)",
             "field names": "kept", "non-Latin text": "kept (UTF-8 with a byte order mark, for spreadsheets)",
             "layers": "one per file, zipped with the provenance"},
        ),
        Format(
            "shp", "Shapefile (zipped)", ".zip", "application/zip",
            "a `provenance.json` file in the zip",
            {"str": "same", "int": "float", "float": "same", "date": "text", "partial_date": "same",
             "json": "json_text", "sources": "json_text"},
            {"values": "whole numbers as floats; dates as ISO text; lists, and free text with any value over "
                       "254 bytes, are moved to `<layer>.text.csv` (joined by id; a CSV as above) instead of "
                       "being cut; any other text over 254 bytes makes the export fail",
             "geometry": "one type per file: mixed layers are split (`<layer>_point`, `<layer>_line`)",
             "field names": "mapped to unique names of at most 10 characters; the map is "
                            "`<layer>.fields.csv` in the zip",
             "non-Latin text": "kept (UTF-8, with a .cpg file)",
             "layers": "several in one zip; tables are left out"},
        ),
        Format(
            "html", "Standalone HTML map", ".html", "text/html",
            "a visible attribution panel and a `borderviz-provenance` JSON script element",
            {},
            {"values": "shown in popups (escaped), not as a table",
             "geometry": "drawn on the map; no tiles are needed to read it (only basemap tiles use the "
                         "network)", "layers": "all selected layers on one map"},
        ),
    )
}


# Which readers open each format, as tested (tests/test_formats.py generates the interop matrix
# from this table): "yes", or why not. "spec" is a check against the format's specification:
# RFC 7946 (GeoJSON), GeoPackage 1.3 (GDAL's validate_gpkg.py), GeoParquet 1.1 metadata, the
# OGC KML 2.2 schema, RFC 4180 and the Frictionless descriptor (CSV).
READERS = {"pyogrio": "pyogrio (GDAL 3.12)", "ogrinfo": "ogrinfo (GDAL 3.6, Debian 12)",
           "spec": "its specification"}
OPENS_IN: dict[str, dict[str, str]] = {
    "geojson": {"pyogrio": "yes", "ogrinfo": "yes", "spec": "yes"},
    "gpkg": {"pyogrio": "yes", "ogrinfo": "yes", "spec": "yes"},
    "parquet": {"pyogrio": "no: pyogrio's GDAL has no Parquet driver (use geopandas)",
                "ogrinfo": "no: Debian 12's GDAL 3.6 is built without Arrow", "spec": "yes"},
    "kml": {"pyogrio": "yes", "ogrinfo": "yes", "spec": "yes"},
    "csv": {"pyogrio": "yes", "ogrinfo": "yes", "spec": "yes"},
    "shp": {"pyogrio": "yes", "ogrinfo": "yes", "spec": "no: no machine-checkable specification"},
    "html": {"pyogrio": "no: a web page", "ogrinfo": "no: a web page", "spec": "no: a web page"},
}


# --- provenance (borderviz.io.provenance) ---------------------------------------------

ATTRIBUTION = provenance_module.ATTRIBUTION
data_version = provenance_module.data_version
provenance = provenance_module.provenance


# --- bundles ---------------------------------------------------------------------------


@dataclass
class Bundle:
    """The files of one export, by name."""

    files: dict[str, bytes]
    fmt: str

    def single(self, stem: str = "borderviz-export") -> tuple[str, bytes, str]:
        """(file name, bytes, MIME type) to hand to a user: the one file, or a zip of all."""
        if len(self.files) == 1:
            name, data = next(iter(self.files.items()))
            return name, data, FORMATS[self.fmt].mime
        return f"{stem}-{self.fmt}.zip", zip_bytes(self.files), "application/zip"


def download_name(fmt: str, layer_names: list[str], stem: str = "borderviz-export") -> str:
    """The file name :meth:`Bundle.single` will give, known before the export is built."""
    single = {"gpkg": "borderviz.gpkg", "kml": "borderviz.kml", "html": "borderviz-map.html"}
    if fmt in single:
        return single[fmt]
    if fmt in ("geojson", "parquet") and len(layer_names) == 1:
        return f"{layer_names[0]}{FORMATS[fmt].extension}"
    return f"{stem}-{fmt}.zip"


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


# --- values as each format holds them --------------------------------------------------

FORMULA_STARTS = text.FORMULA_STARTS
SPREADSHEET_CELL_LIMIT = csv_writer.SPREADSHEET_CELL_LIMIT
SHP_TEXT_LIMIT = shp_writer.SHP_TEXT_LIMIT
shapefile_names = shp_writer.shapefile_names


def defuse_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading apostrophe.

    Text that already starts with an apostrophe gets one more, so reading back
    (:func:`borderviz.io.importers.restore_formulas`) drops exactly one from any
    value starting with one and gets the original text. (The CSV writer does the
    same a column at a time: :func:`borderviz.io.writers.text.defuse`.)

    >>> [defuse_formula(v) for v in ("=1+1", "'quoted", "calm")]
    ["'=1+1", "''quoted", 'calm']
    """
    return "'" + value if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")) else value


# --- the dispatch: layers to a format's writer ----------------------------------------------------

WRITERS = {"geojson": "geojson", "gpkg": "gpkg", "parquet": "parquet", "kml": "kml", "csv": "csv", "shp": "shp",
           "html": "html"}
GEOMETRY_ONLY = ("kml", "shp")


def _writer(fmt: str):
    return importlib.import_module(f"borderviz.io.writers.{WRITERS[fmt]}")


def _layers(frames: Mapping[str, Any], fmt: str) -> list[Layer]:
    layers = [layer_of(name, data) for name, data in frames.items()]
    if fmt in GEOMETRY_ONLY:
        spatial = [layer for layer in layers if layer.spec.geometry]
        if not spatial:
            raise ExportError(f"{FORMATS[fmt].label} holds only layers with geometry; "
                              f"{', '.join(frames)} {'is a table' if len(frames) == 1 else 'are tables'}. "
                              "Choose GeoJSON, GeoPackage, GeoParquet or CSV.")
        layers = spatial
    return layers


def write_files(frames: Mapping[str, Any], fmt: str, folder: Path, filters: Mapping[str, Any] | None = None,
                now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None,
                view: Any = None, context: Mapping[str, pd.DataFrame] | None = None) -> list[str]:
    """Write the files of an export of ``frames`` ({layer name: GeoDataFrame, DataFrame, an import's Arrow
    table or a :class:`~borderviz.io.writers.Layer`}) as ``fmt`` into ``folder``; their names, data file first.

    Raise ExportError if the format would lose data. Layers without geometry are included in formats
    that can hold tables (GeoJSON with null geometry, GeoPackage, GeoParquet, CSV); KML and Shapefile
    leave them out, and refuse an export of tables only. For the HTML map, ``view`` is what to draw and
    ``context`` every layer as loaded (loaded from data/ when not given) for what the selection does not include.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    unknown = [n for n in frames if n not in ALL_SPECS]
    if unknown:
        raise ExportError(f"unknown layer(s): {', '.join(unknown)}")
    prov = provenance(list(frames), filters, now, extra_attribution)
    if fmt == "html":
        return _writer(fmt).write(dict(frames), prov, folder, view, context)
    layers = _layers(frames, fmt)
    imported = {layer.name: {"citation": layer.citation, "file_columns": layer.file_columns}
                for layer in layers if layer.spec is IMPORTED_INCIDENTS}
    if imported:
        prov["imported"] = imported
        prov["imported_note"] = ("Every citation in an imported layer's `sources` also has the fields of its "
                                 "`citation` here (written once, not on every row); `file_columns` are the "
                                 "imported file's own columns, under their own names (prefixed with the "
                                 "dataset's name where they clash with borderviz's).")
    names = _writer(fmt).write(layers, prov, folder)
    if fmt in ("geojson", "parquet") and len(names) > 1:  # a zip of layers says what each file holds
        from borderviz.io.datapackage import export_package

        kinds = {layer.name: {c: layer.kind(c) for c in layer.columns} for layer in layers}
        (folder / "datapackage.json").write_bytes(export_package(names, prov, kinds=kinds))
        names.append("datapackage.json")
    return names


def export(frames: Mapping[str, Any], fmt: str, filters: Mapping[str, Any] | None = None,
           now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None, view: Any = None,
           context: Mapping[str, pd.DataFrame] | None = None) -> Bundle:
    """The export of ``frames`` as ``fmt``, as bytes in memory (what the app offers to download); see
    :func:`write_files`. For large data, :func:`export_to` writes straight to disk."""
    with tempfile.TemporaryDirectory(prefix="borderviz-export-") as tmp:
        names = write_files(frames, fmt, Path(tmp), filters, now, extra_attribution, view, context)
        files = {name: (Path(tmp) / name).read_bytes() for name in names}
    return Bundle(files, fmt)


def export_to(frames: Mapping[str, Any], fmt: str, path: Path, filters: Mapping[str, Any] | None = None,
              now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None,
              view: Any = None, context: Mapping[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write the export of ``frames`` as ``fmt`` to ``path`` as :func:`write_bundle` would, without holding its
    files in memory: written beside ``path`` and moved into place. Returns the files written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".borderviz-export-", dir=path.parent) as tmp:
        names = write_files(frames, fmt, Path(tmp), filters, now, extra_attribution, view, context)
        return _place(Path(tmp), names, fmt, path)


def write_bundle(bundle: Bundle, path: Path) -> list[Path]:
    """Write an export to ``path``. A .zip path gets a zip; otherwise the data file goes to
    ``path`` and any sidecar files beside it (``<stem>.<name>``). Returns the files written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".borderviz-export-", dir=path.parent) as tmp:
        for name, data in bundle.files.items():
            (Path(tmp) / name).write_bytes(data)
        return _place(Path(tmp), list(bundle.files), bundle.fmt, path)


def _place(folder: Path, names: list[str], fmt: str, path: Path) -> list[Path]:
    """Move an export's files from ``folder`` to ``path`` (and beside it), or zip them to a .zip path."""
    if path.suffix.lower() == ".zip" or fmt == "shp":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(names):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(folder / name, "rb") as source, zf.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        return [path]
    data = [n for n in names if n.endswith(FORMATS[fmt].extension) and not n.endswith(".wkt.csv")]
    if len(data) != 1:
        raise ExportError(f"{len(data)} files in this export ({', '.join(sorted(data))}); "
                          f"give an output path ending in .zip")
    os.replace(folder / data[0], path)
    written = [path]
    stem = data[0][: -len(FORMATS[fmt].extension)]
    for name in names:
        if name == data[0]:
            continue
        # The layer's own sidecars (incidents.csvt, incidents.vrt) take the output's name, as GDAL
        # looks for them; the others are prefixed with it. Files that name others are retargeted.
        own = name.startswith(stem + ".")
        side = path.with_name(path.stem + name[len(stem):] if own else f"{path.stem}.{name}")
        if name.endswith((".vrt", "datapackage.json")):
            renames = {n: path.stem + n[len(stem):] for n in names if n == data[0] or n.startswith(stem + ".")}
            side.write_bytes(_retarget(name, (folder / name).read_bytes(), renames))
        else:
            os.replace(folder / name, side)
        written.append(side)
    return written


def _retarget(name: str, content: bytes, renames: Mapping[str, str]) -> bytes:
    """Point a VRT or datapackage.json at the files' names as written: a VRT's SrcDataSource and
    SrcLayer, a data package's resource paths; nothing else in them changes."""
    if name.endswith(".json"):
        package = json.loads(content)
        for resource in package.get("resources", []):
            resource["path"] = renames.get(resource.get("path"), resource.get("path"))
        return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    text = content.decode("utf-8")
    for old, new in renames.items():
        text = text.replace(f"<SrcDataSource relativeToVRT=\"1\">{xml_text(old)}</SrcDataSource>",
                            f"<SrcDataSource relativeToVRT=\"1\">{xml_text(new)}</SrcDataSource>")
        if old.endswith(".csv"):
            text = text.replace(f"<SrcLayer>{xml_text(old[:-4])}</SrcLayer>",
                                f"<SrcLayer>{xml_text(new[:-4])}</SrcLayer>")
    return text.encode("utf-8")


# --- reading an export back (borderviz.io.readback) -------------------------------------------------

KML_READ_CONFIG = {"LIBKML_ID_FIELD": "kml_id", "LIBKML_DESCRIPTION_FIELD": "kml_description"}


def read_back(bundle: Bundle) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The layers of an export read with geopandas/pandas, as a user would (:mod:`borderviz.io.readback`)."""
    from borderviz.io import readback

    return readback.read_back(bundle)


def provenance_of(bundle: Bundle) -> dict[str, Any]:
    """The provenance an export carries, read from wherever its format keeps it (:mod:`borderviz.io.readback`)."""
    from borderviz.io import readback

    return readback.provenance_of(bundle)


def formats_markdown() -> str:
    """The README's table of what each format keeps, from FORMATS."""
    aspects = ("values", "geometry", "field names", "non-Latin text", "layers")
    lines = ["| format | file | provenance | " + " | ".join(aspects) + " | opens in (tested) |",
             "|---" * (4 + len(aspects)) + "|"]
    for f in FORMATS.values():
        cells = [f.keeps.get(a, "") for a in aspects]
        opens = ", ".join(READERS[r] for r, v in OPENS_IN[f.key].items() if v == "yes")
        lines.append(f"| {f.label} (`{f.key}`) | `{f.extension}` | {f.metadata} | " + " | ".join(cells)
                     + f" | {opens} |")
    return "\n".join(lines) + "\n"
