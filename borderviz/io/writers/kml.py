"""KML 2.2 for Google Earth, GDAL and R, each placemark's markup built from whole columns, every value escaped.

``write(layers, prov, folder)`` writes ``borderviz.kml``: a Folder of
Placemarks per layer with geometry (tables are left out), a typed Schema and
SchemaData per placemark, a TimeSpan on every dated feature (Google Earth's
time slider), a style by event type or status (:mod:`borderviz.io.styling`,
every style of the layer declared once at the top) and 2D coordinates;
provenance in the Document's description.

No XML library builds the markup and no template sees the data: each value
enters the document only through :func:`borderviz.io.writers.text.xml_text`
(a column at a time) or :func:`xml_text` (names), so no text (an id such as
``a"/><NetworkLink>...``) can open, close or add an element. Text XML 1.0
cannot hold at all (control characters) refuses the export, naming the
feature. Points are written from their coordinates; lines and polygons (the
built-in layers) through :func:`kml_geometry`, one shape at a time.

>>> xml_text('a"/><NetworkLink>')
'a&quot;/&gt;&lt;NetworkLink&gt;'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from borderviz.errors import ExportError
from borderviz.io.styling import end_inclusive, kml_style, layer_style
from borderviz.io.writers.layer import GEOMETRY, Layer, geometries, points_xy
from borderviz.io.writers.text import contiguous, join, json_values, plain, xml_escape, xml_forbidden
from borderviz.io.writers.text import xml_text as xml_column

NAME = "borderviz.kml"
ROWS = 16_384
_KML_TYPES = {"int": "int", "float": "double"}
LABEL_COLUMNS = ("place_reported", "name", "name_en", "title", "id")


def xml_text(value: Any) -> str:
    """Text for XML content or a quoted attribute: &, <, >, quotes and CR escaped, so no value
    can open, close or add an element."""
    return xml_escape(str(value))


def _kml_coords(coords) -> str:
    return " ".join(f"{float(x)!r},{float(y)!r}" for x, y, *_ in coords)


def kml_geometry(geom) -> str:
    """2D KML geometry (lon,lat); polygons wound as in GeoJSON (outer ring counter-clockwise)."""
    kind = geom.geom_type
    if kind == "Point":
        return f"<Point><coordinates>{_kml_coords(geom.coords)}</coordinates></Point>"
    if kind == "LineString":
        coords = _kml_coords(geom.coords)
        return f"<LineString><tessellate>1</tessellate><coordinates>{coords}</coordinates></LineString>"
    if kind == "Polygon":
        geom = shapely.orient_polygons(geom)
        inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{_kml_coords(r.coords)}</coordinates>"
                        "</LinearRing></innerBoundaryIs>" for r in geom.interiors)
        return (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{_kml_coords(geom.exterior.coords)}"
                f"</coordinates></LinearRing></outerBoundaryIs>{inner}</Polygon>")
    if kind.startswith("Multi") or kind == "GeometryCollection":
        return "<MultiGeometry>" + "".join(kml_geometry(g) for g in geom.geoms) + "</MultiGeometry>"
    raise ExportError(f"KML cannot hold a {kind}")


def _geometry(wkb: pa.Array) -> pa.Array:
    xy = points_xy(wkb)
    if xy is not None:
        x, y = (json_values(pa.array(v, pa.float64())) for v in xy)
        return join("<Point><coordinates>", x, ",", y, "</coordinates></Point>")
    return pa.array([kml_geometry(g) for g in geometries(wkb)], pa.string())


def _value_text(layer: Layer, name: str, arr: pa.Array) -> pa.Array:
    arr = plain(arr)
    if pa.types.is_string(arr.type):
        return arr
    if pa.types.is_date(arr.type):
        return pc.strftime(arr, format="%Y-%m-%d")
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_floating(arr.type):
        return pc.if_else(pc.is_finite(arr), arr.cast(pa.string()), pa.scalar(None, pa.string()))
    if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        return pa.array([None if v is None else v.hex() for v in arr.to_pylist()], pa.string())
    return arr.cast(pa.string())


def _nonempty(arr: pa.Array) -> pa.Array:
    arr = plain(arr)
    if not pa.types.is_string(arr.type):
        return pa.nulls(len(arr), pa.string())
    return pc.if_else(pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False), arr, pa.scalar(None, pa.string()))


def _titles(layer: Layer, batch: pa.RecordBatch) -> pa.Array:
    names = batch.schema.names
    label = pc.coalesce(*[_nonempty(batch.column(c)) for c in LABEL_COLUMNS if c in names],
                        pa.scalar(None, pa.string())) if any(c in names for c in LABEL_COLUMNS) else \
        pa.nulls(batch.num_rows, pa.string())
    if layer.name == "incidents" and "date_start" in names:
        label = join(pc.strftime(batch.column("date_start"), format="%Y-%m-%d"), " ", label)
    label = pc.fill_null(label, layer.name)
    if "name" in names and pa.types.is_string(plain(batch.column("name")).type):
        label = pc.coalesce(plain(batch.column("name")), label)
    return label


def _timespans(layer: Layer, batch: pa.RecordBatch) -> pa.Array | str:
    spec = layer.spec
    if not spec.interval or not all(c in batch.schema.names for c in spec.interval):
        return ""
    start, end = (plain(batch.column(c)) for c in spec.interval)
    if end_inclusive(layer.name):
        end = pc.add(end.cast(pa.int32()), pa.scalar(1, pa.int32())).cast(pa.date32())
    begin = pc.fill_null(join("<begin>", pc.strftime(start, format="%Y-%m-%d"), "</begin>"), "")
    stop = pc.fill_null(join("<end>", pc.strftime(end, format="%Y-%m-%d"), "</end>"), "")
    dated = pc.or_(start.is_valid(), end.is_valid())
    return pc.if_else(dated, join("<TimeSpan>", begin, stop, "</TimeSpan>"), "")


def _styles(layer: Layer, batch: pa.RecordBatch) -> pa.Array | str:
    style = layer_style(layer.name)
    if style.column is None or style.column not in batch.schema.names:
        return f"#{xml_text(style.default.key)}"
    encoded = plain(batch.column(style.column)).dictionary_encode()
    keys = [f"#{xml_text(style.symbols.get(v, style.default).key)}" for v in encoded.dictionary.to_pylist()]
    return pc.fill_null(pa.DictionaryArray.from_arrays(encoded.indices, pa.array(keys, pa.string()))
                        .cast(pa.string()), f"#{xml_text(style.default.key)}")


def _problems(layer: Layer, batch: pa.RecordBatch) -> list[str]:
    out = []
    ids = plain(batch.column(layer.spec.id_field)) if layer.spec.id_field in batch.schema.names else None
    for name in batch.schema.names:
        if name == GEOMETRY:
            continue
        arr = plain(batch.column(name))
        bad = xml_forbidden(arr)
        for i in np.flatnonzero(bad):
            value = arr[int(i)].as_py()
            char = next(c for c in value if ord(c) < 32 and c not in "\t\n\r" or c in "\ufffe\uffff")
            ident = ids[int(i)].as_py() if ids is not None else int(i)
            out.append(f"{layer.name}, id {ident!r}: {name} holds the control character U+{ord(char):04X}, which "
                       "XML (KML) cannot hold")
    return out


def placemarks(layer: Layer, batch: pa.RecordBatch, fields: list[str]) -> pa.Array:
    """The batch's rows as Placemark elements."""
    schema_url = f'<SchemaData schemaUrl="#schema-{xml_text(layer.name)}">'
    data = []
    for name in fields:
        text = xml_column(_value_text(layer, name, batch.column(name)))
        data.append(pc.fill_null(join(f'<SimpleData name="{xml_text(name)}">', text, "</SimpleData>"), ""))
    return join("<Placemark><name>", xml_column(_titles(layer, batch)), "</name>", _timespans(layer, batch),
                "<styleUrl>", _styles(layer, batch), "</styleUrl><ExtendedData>", schema_url, *data,
                "</SchemaData></ExtendedData>", _geometry(batch.column(GEOMETRY)), "</Placemark>")


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    spatial = [layer for layer in layers if layer.has_geometry]
    description = ("borderviz export. " + " · ".join(a["text"] for a in prov["attribution"]) +
                   "\nProvenance: " + json.dumps(prov, ensure_ascii=False))
    styles = {}
    schemas = []
    fields = {}
    for layer in spatial:
        for symbol in layer_style(layer.name).all_symbols():
            styles.setdefault(symbol.key, kml_style(symbol))
        fields[layer.name] = [c for c in layer.columns if c != "name"]
        schemas.append(f'<Schema name="{xml_text(layer.name)}" id="schema-{xml_text(layer.name)}">' + "".join(
            f'<SimpleField type="{_KML_TYPES.get(layer.kind(c), "string")}" name="{xml_text(c)}"/>'
            for c in fields[layer.name]) + "</Schema>")
    problems: list[str] = []
    with open(folder / NAME, "wb") as out:
        out.write(('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
                   f"<Document><name>borderviz export</name><description>{xml_text(description)}</description>"
                   + "".join(styles.values()) + "".join(schemas)).encode("utf-8"))
        for layer in spatial:
            out.write(f"<Folder><name>{xml_text(layer.name)}</name>".encode())
            for batch in layer.reader(ROWS):
                if not batch.num_rows:
                    continue
                problems += _problems(layer, batch)
                if not problems:
                    out.write(contiguous(placemarks(layer, batch, fields[layer.name])))
            out.write(b"</Folder>")
        out.write(b"</Document></kml>\n")
    if problems:
        raise ExportError("KML export refused:\n  " + "\n  ".join(problems))
    return [NAME]
