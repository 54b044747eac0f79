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
import functools
import hashlib
import io
import json
import math
import re
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import shapely
from defusedxml import ElementTree as safe_xml

from borderviz import __version__
from borderviz.errors import ExportError
from borderviz.io.kml import xml_text
from borderviz.maps.mapview import MAP_LAYER_OF, to_json
from borderviz.maps.popups import export_panel_html
from borderviz.model.layers import data_dir, dump_geojson, load_all, record_values
from borderviz.model.schema import ALL_SPECS, LAYERS, LayerSpec

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
             "geometry": "any type, mixed kept (GeoParquet 1.1, WKB)", "field names": "kept",
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
            {"values": "all kept as text; lists as JSON text; text starting with =, +, -, @, tab or CR gets a "
                       "leading ' so spreadsheets do not run it as a formula; fields with line breaks quoted "
                       "(CRLF records, RFC 4180); a `.csvt` gives GDAL the column types and a `.vrt` opens it "
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


# --- provenance ---------------------------------------------------------------------

ATTRIBUTION = {
    "OpenStreetMap": ("Map data © OpenStreetMap contributors, ODbL 1.0",
                      "https://www.openstreetmap.org/copyright"),
    "GeoNames": ("Places from Who's On First (CC0) and GeoNames (CC BY 4.0)", "https://www.geonames.org/"),
    "borderviz": ("Researched records © borderviz, CC BY 4.0; cite the sources listed on each record",
                  "https://creativecommons.org/licenses/by/4.0/"),
}


def data_version(directory: Path | None = None) -> str:
    """A short hash of the layer files, so an export says exactly which data it came from.

    Cached by each file's size and modification time: the files are only read
    again when they change.
    """
    folder = directory or data_dir()
    stamps = tuple((spec.file, st.st_size, st.st_mtime_ns) for spec in LAYERS.values()
                   if (st := (folder / spec.file).stat() if (folder / spec.file).exists() else None))
    return _hash_files(str(folder), stamps)


@functools.lru_cache(maxsize=8)
def _hash_files(folder: str, stamps: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _mtime in stamps:
        digest.update(name.encode())
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()[:12]


def provenance(layer_names: list[str], filters: Mapping[str, Any] | None = None,
               now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None,
               version: str | None = None) -> dict[str, Any]:
    """What an export says about itself: layers, filters, time, data version, licences."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return {
        "generator": f"borderviz {__version__}",
        "exported_at": stamp.isoformat().replace("+00:00", "Z"),
        "data_version": version or data_version(),
        "layers": list(layer_names),
        "filters": dict(filters or {}),
        "crs": "EPSG:4326",
        "attribution": [{"text": t, "url": u} for t, u in ATTRIBUTION.values()] + list(extra_attribution or []),
        "sources": "Each feature's `sources` lists the publications it rests on; data/bibliography.csv "
                   "in the borderviz repository lists them all.",
    }


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


def _json_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def flat_frame(frame: gpd.GeoDataFrame | pd.DataFrame, spec: LayerSpec, *, dates_as_text: bool,
               everything_text: bool = False) -> gpd.GeoDataFrame | pd.DataFrame:
    """The frame with lists as JSON text, and dates (or all values) as text when asked."""
    out = frame.copy()
    for f in spec.fields:
        if f.name not in out:
            continue
        col = out[f.name]
        if f.kind in ("json", "sources"):
            out[f.name] = pd.Series([_json_text(v) for v in col], index=out.index, dtype=object)
        elif f.kind == "date" and (dates_as_text or everything_text):
            out[f.name] = pd.Series([None if pd.isna(v) else f"{v:%Y-%m-%d}" for v in col],
                                    index=out.index, dtype=object)
        elif everything_text and f.kind in ("int", "float"):
            out[f.name] = pd.Series([None if pd.isna(v) else str(v) for v in col],
                                    index=out.index, dtype=object)
    return out


def _scratch(folder: Path, name: str) -> Path:
    """A fresh subfolder of the export's temporary folder, and a file path in it."""
    sub = folder / f"{len(list(folder.iterdir())):03d}"
    sub.mkdir()
    return sub / name


# --- writers ------------------------------------------------------------------------------


def _geojson(frames, prov, folder: Path) -> dict[str, bytes]:
    files = {}
    for name, frame in frames.items():
        spec = ALL_SPECS[name]
        rows = [record_values(spec, r) for r in frame.to_dict("records")]
        geoms = [shapely.orient_polygons(g) for g in frame.geometry] if spec.geometry else []
        if spec.geometry is None:
            geoms = [None] * len(rows)
        text = dump_geojson(spec, rows, geoms, extra={"borderviz": prov})
        files[f"{name}.geojson"] = text.encode("utf-8")
    return files


_ARROW_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
                "partial_date": pa.string(), "json": pa.string(), "sources": pa.string()}


def arrow_table(frame: pd.DataFrame, spec: LayerSpec) -> pa.Table:
    """The layer's columns (not its geometry) as Arrow, each with the type its kind has in the
    schema: dates as date32 (not timestamps), integers as int64 with nulls, lists as JSON text,
    and never Arrow's ``null`` type, even for a column that is empty in this export."""
    flat = flat_frame(frame, spec, dates_as_text=False)
    columns, fields = [], []
    for f in spec.fields:
        if f.name not in flat:
            continue
        values = flat[f.name]
        if f.kind == "date":
            values = [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]
        elif f.kind in ("int", "float"):
            values = [None if pd.isna(v) else v for v in values]
        else:
            values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]
        columns.append(pa.array(values, type=_ARROW_TYPES[f.kind]))
        fields.append(pa.field(f.name, _ARROW_TYPES[f.kind], nullable=not f.required))
    for name in flat.columns:  # a column the schema does not know is kept, as Arrow infers it
        if name in spec.columns or name == "geometry" or isinstance(flat[name].dtype, gpd.array.GeometryDtype):
            continue
        array = pa.array(flat[name], from_pandas=True)
        if pa.types.is_null(array.type):
            array = array.cast(pa.string())
        columns.append(array)
        fields.append(pa.field(str(name), array.type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def _geometry_type(geoms) -> str:
    kinds = set(shapely.get_type_id(geoms))
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}
    return names[kinds.pop()] if len(kinds) == 1 and next(iter(kinds)) in names else "Unknown"


def _gpkg(frames, prov, folder: Path) -> dict[str, bytes]:
    """A GeoPackage 1.3 (read without warnings by GDAL 3.6): typed columns with DATE fields, the
    provenance as metadata and as a table, and a QGIS ``layer_styles`` table (QML and SLD)."""
    from borderviz.io.styling import qml, sld

    path = _scratch(folder, "borderviz.gpkg")
    meta = json.dumps(prov, ensure_ascii=False)
    options = {"dataset_metadata": {"borderviz_provenance": meta}, "driver": "GPKG"}
    for i, (name, frame) in enumerate(frames.items()):
        spec = ALL_SPECS[name]
        table = arrow_table(frame, spec)
        extra = {"dataset_options": {"VERSION": "1.3"}} if i == 0 else {"append": False}
        if spec.geometry:
            geoms = frame.geometry.to_numpy()
            table = table.append_column("geom", pa.array(shapely.to_wkb(geoms, output_dimension=2), pa.binary()))
            pyogrio.write_arrow(table, path, layer=name, geometry_name="geom", geometry_type=_geometry_type(geoms),
                                crs="EPSG:4326", layer_metadata={"borderviz_provenance": meta}, **options, **extra)
        else:
            pyogrio.write_arrow(table, path, layer=name, geometry_name=None, geometry_type=None,
                                layer_metadata={"borderviz_provenance": meta}, **options, **extra)
    provenance_table = pa.table({"key": list(prov),
                                 "value": [json.dumps(v, ensure_ascii=False) for v in prov.values()]})
    pyogrio.write_arrow(provenance_table, path, layer="borderviz_provenance", geometry_name=None,
                        geometry_type=None, **options)
    styled = [n for n in frames if ALL_SPECS[n].geometry]
    if styled:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        styles = pa.table({
            "f_table_catalog": pa.array([""] * len(styled)), "f_table_schema": pa.array([""] * len(styled)),
            "f_table_name": pa.array(styled), "f_geometry_column": pa.array(["geom"] * len(styled)),
            "styleName": pa.array(styled), "styleQML": pa.array([qml(n) for n in styled]),
            "styleSLD": pa.array([sld(n) for n in styled]), "useAsDefault": pa.array([True] * len(styled)),
            "description": pa.array([f"borderviz: {ALL_SPECS[n].title}, in the app's colours" for n in styled]),
            "owner": pa.array([""] * len(styled)), "ui": pa.array([None] * len(styled), pa.string()),
            "update_time": pa.array([now] * len(styled), pa.timestamp("ms")),
        })
        pyogrio.write_arrow(styles, path, layer="layer_styles", geometry_name=None, geometry_type=None,
                            layer_options={"FID": "id"}, **options)
    return {"borderviz.gpkg": path.read_bytes()}


def _parquet(frames, prov, folder: Path) -> dict[str, bytes]:
    """GeoParquet 1.1 with the schema's types (dates as date32, no Arrow null columns)."""
    files = {}
    for name, frame in frames.items():
        spec = ALL_SPECS[name]
        path = _scratch(folder, f"{name}.parquet")
        typed = arrow_table(frame, spec)
        if spec.geometry is None:
            table = typed
        else:
            flat = flat_frame(frame, spec, dates_as_text=False)
            flat.to_parquet(path, index=False, schema_version="1.1.0")
            written = pq.read_table(path)
            table = typed.append_column(written.schema.field("geometry"), written.column("geometry"))
            table = table.replace_schema_metadata(written.schema.metadata)
        meta = dict(table.schema.metadata or {})
        meta[b"borderviz_provenance"] = json.dumps(prov, ensure_ascii=False).encode("utf-8")
        pq.write_table(table.replace_schema_metadata(meta), path)
        files[f"{name}.parquet"] = path.read_bytes()
    return files


def _label(row: Mapping[str, Any], name: str) -> str:
    for col in ("place_reported", "name", "name_en", "title", "id"):
        if col in row and isinstance(row[col], str) and row[col]:
            prefix = f"{row['date_start']:%Y-%m-%d} " if name == "incidents" else ""
            return prefix + row[col]
    return name


def _spatial_only(frames, fmt: str) -> dict:
    """The layers a geometry-only format can hold; refuse an export that would hold none."""
    spatial = {n: f for n, f in frames.items() if ALL_SPECS[n].geometry}
    if not spatial:
        raise ExportError(f"{FORMATS[fmt].label} holds only layers with geometry; "
                          f"{', '.join(frames)} {'is a table' if len(frames) == 1 else 'are tables'}. "
                          "Choose GeoJSON, GeoPackage, GeoParquet or CSV.")
    return spatial


def _kml(frames, prov, folder: Path) -> dict[str, bytes]:
    from borderviz.io.kml import document

    return {"borderviz.kml": document(_spatial_only(frames, "kml"), prov, _label)}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The most characters a spreadsheet cell holds (Excel, LibreOffice); longer text is cut.
SPREADSHEET_CELL_LIMIT = 32_767


def defuse_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading apostrophe.

    Text that already starts with an apostrophe gets one more, so reading back
    (:func:`borderviz.io.importers.restore_formulas`) drops exactly one from any
    value starting with one and gets the original text.

    >>> [defuse_formula(v) for v in ("=1+1", "'quoted", "calm")]
    ["'=1+1", "''quoted", 'calm']
    """
    return "'" + value if isinstance(value, str) and value.startswith((*FORMULA_STARTS, "'")) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The one way borderviz writes a CSV file (exports and their sidecars alike).

    UTF-8 with a byte order mark (so spreadsheets read Cyrillic right),
    records ended by CRLF (RFC 4180), every field holding a CR, LF, quote or
    comma quoted (so no value starts a record), and text a spreadsheet would
    run as a formula defused (:func:`defuse_formula`), headers included.
    """
    safe = pd.DataFrame(frame).copy()
    for col in safe.columns:
        if safe[col].dtype == object:
            safe[col] = safe[col].map(defuse_formula)
    safe.columns = [defuse_formula(str(c)) for c in safe.columns]
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


_CSVT = {"str": "String", "int": "Integer", "float": "Real", "date": "Date", "partial_date": "String",
         "json": "String", "sources": "String"}


def csvt(columns: list[str], spec: LayerSpec) -> bytes:
    """GDAL's column types for a CSV (``<name>.csvt``): numbers, dates and point coordinates typed."""
    extra = {"latitude": "CoordY", "longitude": "CoordX", "wkt": "WKT"}
    kinds = {f.name: f.kind for f in spec.fields}
    return (",".join(f'"{extra.get(c) or _CSVT.get(kinds.get(c, "str"), "String")}"' for c in columns)
            + "\r\n").encode("ascii")


def csv_vrt(layer: str, csv_name: str, geometry: str) -> bytes:
    """An OGR VRT that opens ``csv_name`` as a layer with geometry in EPSG:4326 (GDAL, QGIS).

    ``layer`` and ``csv_name`` are our own names (layer keys), never data.
    """
    field = ('<GeometryField encoding="PointFromColumns" x="longitude" y="latitude"/>' if geometry == "point"
             else '<GeometryField encoding="WKT" field="wkt"/>')
    stem = csv_name.rsplit(".", 1)[0]
    return (f'<OGRVRTDataSource><OGRVRTLayer name="{xml_text(layer)}">'
            f'<SrcDataSource relativeToVRT="1">{xml_text(csv_name)}</SrcDataSource>'
            f"<SrcLayer>{xml_text(stem)}</SrcLayer><LayerSRS>EPSG:4326</LayerSRS>{field}"
            "</OGRVRTLayer></OGRVRTDataSource>\n").encode()


def _csv(frames, prov, folder: Path) -> dict[str, bytes]:
    """One CSV per layer with its ``.csvt`` and ``.vrt``; a line or polygon layer whose WKT would
    not fit in a spreadsheet cell gets its geometry in ``<layer>.wkt.csv`` (id, wkt) instead."""
    from borderviz.io.datapackage import export_package

    files = {"provenance.json": json.dumps(prov, ensure_ascii=False, indent=2).encode("utf-8")}
    for name, frame in frames.items():
        spec = ALL_SPECS[name]
        flat = pd.DataFrame(flat_frame(frame, spec, dates_as_text=True))
        if spec.geometry:
            geoms = frame.geometry
            flat = flat.drop(columns="geometry")
            if set(geoms.geom_type) == {"Point"}:
                flat["latitude"] = [round(g.y, 7) for g in geoms]
                flat["longitude"] = [round(g.x, 7) for g in geoms]
                files[f"{name}.vrt"] = csv_vrt(name, f"{name}.csv", "point")
            else:
                wkt = pd.DataFrame({spec.id_field: flat[spec.id_field], "wkt": [g.wkt for g in geoms]})
                if wkt["wkt"].str.len().max() > SPREADSHEET_CELL_LIMIT:
                    files[f"{name}.wkt.csv"] = csv_bytes(wkt)
                    files[f"{name}.wkt.csvt"] = csvt(list(wkt.columns), spec)
                    files[f"{name}.wkt.vrt"] = csv_vrt(name, f"{name}.wkt.csv", "wkt")
                else:
                    flat["wkt"] = wkt["wkt"].to_numpy()
                    files[f"{name}.vrt"] = csv_vrt(name, f"{name}.csv", "wkt")
        files[f"{name}.csv"] = csv_bytes(flat)
        files[f"{name}.csvt"] = csvt(list(flat.columns), spec)
    files["datapackage.json"] = export_package(files, prov)
    return files


SHP_TEXT_LIMIT = 254


def shapefile_names(columns: list[str]) -> dict[str, str]:
    """Unique field names of at most 10 characters for ``columns`` (order-stable).

    >>> shapefile_names(["displaced_kg", "displaced_tj", "id"])
    {'displaced_kg': 'displace01', 'displaced_tj': 'displace02', 'id': 'id'}
    """
    clash: dict[str, list[str]] = {}
    for col in columns:
        clash.setdefault(col[:10].lower(), []).append(col)
    out = {col: col[:10] for col in columns if len(clash[col[:10].lower()]) == 1}
    taken = {name.lower() for name in out.values()}
    counter = 0
    for col in columns:
        if col in out:
            continue
        while True:
            counter += 1
            digits = str(counter)
            candidate = f"{col[:10 - max(2, len(digits))]}{counter:02d}"
            if candidate.lower() not in taken:
                break
        out[col] = candidate
        taken.add(candidate.lower())
    return {col: out[col] for col in columns}


def _shp(frames, prov, folder: Path) -> dict[str, bytes]:
    files = {"provenance.json": json.dumps(prov, ensure_ascii=False, indent=2).encode("utf-8")}
    prepared, problems = [], []
    for name, frame in _spatial_only(frames, "shp").items():
        spec = ALL_SPECS[name]
        flat = flat_frame(frame, spec, dates_as_text=True)
        # Lists always move to the sidecar; long free text only when some value would not fit.
        moved = [f.name for f in spec.fields if f.name in flat and (f.kind in ("json", "sources") or (
            f.long_text and flat[f.name].map(lambda v: isinstance(v, str)
                                             and len(v.encode("utf-8")) > SHP_TEXT_LIMIT).any()))]
        text = pd.DataFrame(flat[[spec.id_field, *moved]])
        flat = flat.drop(columns=moved)
        for col in flat.columns:
            if col == "geometry" or flat[col].dtype != object:
                continue
            for ident, value in zip(flat[spec.id_field], flat[col], strict=True):
                if isinstance(value, str) and len(value.encode("utf-8")) > SHP_TEXT_LIMIT:
                    problems.append(f"{name}, id {ident!r}: {col} is {len(value.encode('utf-8'))} bytes; "
                                    f"a Shapefile field holds {SHP_TEXT_LIMIT}")
        prepared.append((name, flat, text))
    if problems:  # refuse before writing anything
        raise ExportError("Shapefile export refused: text would be cut.\n  " + "\n  ".join(problems))
    kinds = {"Point": "point", "MultiPoint": "point", "LineString": "line", "MultiLineString": "line",
             "Polygon": "polygon", "MultiPolygon": "polygon"}
    for name, flat, text in prepared:
        names = shapefile_names([c for c in flat.columns if c != "geometry"])
        mapping = pd.DataFrame({"shapefile_field": list(names.values()), "column": list(names)})
        files[f"{name}.fields.csv"] = csv_bytes(mapping)
        files[f"{name}.text.csv"] = csv_bytes(text)
        flat = flat.rename(columns=names)
        groups = flat.geometry.geom_type.map(kinds)
        for kind in sorted(groups.unique()):
            part = flat[groups == kind]
            stem = name if groups.nunique() == 1 else f"{name}_{kind}"
            path = _scratch(folder, f"{stem}.shp")
            pyogrio.write_dataframe(part, path, driver="ESRI Shapefile", encoding="UTF-8",
                                    promote_to_multi=kind != "point")
            for sibling in path.parent.iterdir():
                files[f"{stem}{sibling.suffix}"] = sibling.read_bytes()
    return files


def _html(frames, prov, view=None, context=None) -> dict[str, bytes]:
    """A map of exactly the exported layers, with the brush, Play and popups working from disk.

    ``view`` (an :class:`borderviz.maps.engine.MapState`) gives the opening window,
    filters and basemap; otherwise the export's own dates. Incidents travel
    as packets (never through a template); the provenance panel is built
    after folium has rendered, from escaped text.
    """
    from borderviz.maps.engine import MapState, build_map, html_document
    from borderviz.model.schema import RECORD_START

    context = context if context is not None else load_all()
    base = {**context, **{name: frame for name, frame in frames.items() if name in LAYERS}}
    base["incidents"] = frames.get("incidents", context["incidents"].iloc[0:0])
    wanted = tuple(dict.fromkeys(MAP_LAYER_OF[n] if n != "imported_incidents" else "incidents"
                                 for n in frames if n in MAP_LAYER_OF or n == "imported_incidents"))
    if view is None:
        start = dt.date.fromisoformat(prov["filters"].get("from") or RECORD_START.isoformat())
        end = dt.date.fromisoformat(prov["filters"].get("to") or dt.date.today().isoformat())
        view = MapState(start=start, end=end, basemap="none")
    state = MapState(**{**view.__dict__, "layers": wanted})
    imported = [frames["imported_incidents"]] if "imported_incidents" in frames else []
    m = build_map(base, state, imported, layers=wanted, last=max(dt.date.today(), state.end))
    html = html_document(m)
    html = html.replace("</body>", f'{export_panel_html(prov)}<script type="application/json" '
                                   f'id="borderviz-provenance">{to_json(prov)}</script></body>', 1)
    return {"borderviz-map.html": html.encode("utf-8")}


_WRITERS = {"geojson": _geojson, "gpkg": _gpkg, "parquet": _parquet, "kml": _kml, "csv": _csv,
            "shp": _shp}


def export(frames: Mapping[str, gpd.GeoDataFrame | pd.DataFrame], fmt: str,
           filters: Mapping[str, Any] | None = None, now: dt.datetime | None = None,
           extra_attribution: list[dict[str, str]] | None = None, view: Any = None,
           context: Mapping[str, pd.DataFrame] | None = None) -> Bundle:
    """Write ``frames`` ({layer name: frame}) as ``fmt``; raise ExportError if it would lose data.

    Layers without geometry are included in formats that can hold tables
    (GeoJSON with null geometry, GeoPackage, GeoParquet, CSV); KML and
    Shapefile leave them out, and refuse an export of tables only. For the
    HTML map, ``view`` is what to draw and ``context`` every layer as loaded
    (loaded from data/ when not given) for what the selection does not include.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    unknown = [n for n in frames if n not in ALL_SPECS]
    if unknown:
        raise ExportError(f"unknown layer(s): {', '.join(unknown)}")
    prov = provenance(list(frames), filters, now, extra_attribution)
    if fmt == "html":
        return Bundle(_html(dict(frames), prov, view, context), fmt)
    # GDAL writes to disk: in a folder that is gone when the export returns.
    with tempfile.TemporaryDirectory(prefix="borderviz-export-") as tmp:
        files = _WRITERS[fmt](dict(frames), prov, Path(tmp))
    if fmt in ("geojson", "parquet") and len(files) > 1:  # a zip of layers says what each file holds
        from borderviz.io.datapackage import export_package

        files["datapackage.json"] = export_package(files, prov)
    return Bundle(files, fmt)


def write_bundle(bundle: Bundle, path: Path) -> list[Path]:
    """Write an export to ``path``. A .zip path gets a zip; otherwise the data file goes to
    ``path`` and any sidecar files beside it (``<stem>.<name>``). Returns the files written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".zip" or (bundle.fmt == "shp"):
        path.write_bytes(zip_bytes(bundle.files))
        return [path]
    data = [n for n in bundle.files if n.endswith(FORMATS[bundle.fmt].extension) and not n.endswith(".wkt.csv")]
    if len(data) != 1:
        raise ExportError(f"{len(data)} files in this export ({', '.join(sorted(data))}); "
                          f"give an output path ending in .zip")
    written = [path]
    path.write_bytes(bundle.files[data[0]])
    stem = data[0][: -len(FORMATS[bundle.fmt].extension)]
    for name, content in bundle.files.items():
        if name == data[0]:
            continue
        # The layer's own sidecars (incidents.csvt, incidents.vrt) take the output's name, as GDAL
        # looks for them; the others are prefixed with it. Files that name others are retargeted.
        own = name.startswith(stem + ".")
        side = path.with_name(path.stem + name[len(stem):] if own else f"{path.stem}.{name}")
        if name.endswith((".vrt", "datapackage.json")):
            content = _retarget(name, content, {n: path.stem + n[len(stem):] for n in bundle.files
                                                if n == data[0] or n.startswith(stem + ".")})
        side.write_bytes(content)
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


# How borderviz reads a KML back: GDAL's own Placemark id and description go to other columns.
KML_READ_CONFIG = {"LIBKML_ID_FIELD": "kml_id", "LIBKML_DESCRIPTION_FIELD": "kml_description"}


# --- reading an export back (round trips, and opening our own files) -----------------------


def read_back(bundle: Bundle) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Read the layers of an export with geopandas/pandas, as a user would.

    Columns the format table says a reader sees under another name
    (``Format.renames``) are given their own names back.
    """
    with tempfile.TemporaryDirectory(prefix="borderviz-read-") as tmp:
        return _read_back(bundle, Path(tmp))


def _read_back(bundle: Bundle, folder: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    for name, data in bundle.files.items():
        (folder / name).write_bytes(data)
    out: dict[str, Any] = {}
    if bundle.fmt in ("gpkg", "kml"):
        path = folder / next(iter(bundle.files))
        # GDAL's own KML columns would take the names `id` and `description` from ours (newer GDAL).
        config = KML_READ_CONFIG if bundle.fmt == "kml" else {}
        saved = {k: pyogrio.get_gdal_config_option(k) for k in config}
        pyogrio.set_gdal_config_options(config)
        try:
            for layer, _geom in pyogrio.list_layers(path):
                if layer not in ("borderviz_provenance", "layer_styles"):
                    out[layer] = gpd.read_file(path, layer=layer)
        finally:
            pyogrio.set_gdal_config_options(saved)
    elif bundle.fmt == "geojson":
        for name in bundle.files:
            if name.endswith(".geojson"):
                out[Path(name).stem] = gpd.read_file(folder / name)
    elif bundle.fmt == "parquet":
        for name in (n for n in bundle.files if n.endswith(".parquet")):
            spec = ALL_SPECS[Path(name).stem]
            out[spec.name] = gpd.read_parquet(folder / name) if spec.geometry else pd.read_parquet(folder / name)
    elif bundle.fmt == "csv":
        for name in bundle.files:
            if name.endswith(".csv"):
                out[name[:-4]] = pd.read_csv(folder / name, dtype=str, keep_default_na=False,
                                             na_values=[""], encoding="utf-8-sig")
    elif bundle.fmt == "shp":
        for name in bundle.files:
            if name.endswith(".shp"):
                out[Path(name).stem] = gpd.read_file(folder / name)
            elif name.endswith((".fields.csv", ".text.csv")):
                out[name[:-4]] = pd.read_csv(folder / name, dtype=str, keep_default_na=False, na_values=[""],
                                             encoding="utf-8-sig")
    renames = FORMATS[bundle.fmt].renames
    for layer, frame in out.items():
        spec = ALL_SPECS.get(layer)
        back = {seen: own for own, seen in renames.items() if spec is not None and own in spec.columns}
        if back:
            out[layer] = frame.drop(columns=[c for c in back.values() if c in frame]).rename(columns=back)
    return out


def provenance_of(bundle: Bundle) -> dict[str, Any]:
    """The provenance an export carries, read from wherever its format keeps it."""
    files = bundle.files
    if "provenance.json" in files:
        return json.loads(files["provenance.json"])
    name, data = next(iter(files.items()))
    if bundle.fmt == "geojson":
        return json.loads(data)["borderviz"]
    if bundle.fmt == "parquet":
        return json.loads(pq.read_schema(io.BytesIO(data)).metadata[b"borderviz_provenance"])
    if bundle.fmt == "gpkg":
        with tempfile.TemporaryDirectory(prefix="borderviz-read-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            info = pyogrio.read_info(path, layer="borderviz_provenance")
        return json.loads(info["dataset_metadata"]["borderviz_provenance"])
    if bundle.fmt == "kml":
        root = safe_xml.fromstring(data)
        for element in root.iter():
            if element.tag.endswith("Document"):
                for child in element:
                    if child.tag.endswith("description") and "Provenance: " in (child.text or ""):
                        return json.loads(child.text.split("Provenance: ", 1)[1])
        return {}
    if bundle.fmt == "html":
        match = re.search(r'<script type="application/json" id="borderviz-provenance">(.*?)</script>',
                          data.decode("utf-8"), re.S)
        return json.loads(match.group(1)) if match else {}
    raise ExportError(f"no provenance found in {name}")


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
