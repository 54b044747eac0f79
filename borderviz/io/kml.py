"""KML 2.2 for Google Earth, GDAL and R: written element by element, every value escaped.

No XML library builds the markup and no template sees the data: each value
enters the document only through :func:`xml_text`, so no text (an id such as
``a"/><NetworkLink>...``) can open, close or add an element. Text XML 1.0
cannot hold at all (control characters) is refused, naming the feature.

>>> xml_text('a"/><NetworkLink>')
'a&quot;/&gt;&lt;NetworkLink&gt;'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import shapely

from borderviz.errors import ExportError
from borderviz.io.styling import end_inclusive, kml_style, layer_style
from borderviz.model.schema import ALL_SPECS, LayerSpec


def _json_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Characters XML 1.0 cannot hold at all, even escaped (C0 controls other than tab, LF, CR).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: Any) -> str:
    """Text for XML content or a quoted attribute: &, <, >, quotes and CR escaped, so no value
    can open, close or add an element (the only way data enters a KML file)."""
    text = str(value)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;").replace("\r", "&#13;"))


def _xml_problems(layer: str, ident: Any, row: Mapping[str, Any]) -> list[str]:
    out = []
    for col, value in row.items():
        if isinstance(value, str) and (bad := _XML_FORBIDDEN.search(value)):
            out.append(f"{layer}, id {ident!r}: {col} holds the control character U+{ord(bad.group()):04X}, "
                       "which XML (KML) cannot hold")
    return out


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


_KML_TYPES = {"int": "int", "float": "double"}


def _kml_value(kind: str, value: Any) -> str | None:
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if kind in ("json", "sources"):
        return _json_text(value)
    if kind == "date":
        return f"{value:%Y-%m-%d}"
    if kind == "int":
        return str(int(value))
    if kind == "float":
        return repr(float(value))
    return str(value)


def _timespan(row: Mapping[str, Any], spec: LayerSpec, inclusive: bool) -> str:
    """A TimeSpan for a dated row: begin is the first day; end the first day it no longer holds."""
    if not spec.interval:
        return ""
    start, end = (row.get(c) for c in spec.interval)
    begin = None if start is None or pd.isna(start) else f"{pd.Timestamp(start):%Y-%m-%d}"
    stop = None
    if end is not None and not pd.isna(end):
        stop = f"{pd.Timestamp(end) + pd.Timedelta(days=1 if inclusive else 0):%Y-%m-%d}"
    if begin is None and stop is None:
        return ""
    return ("<TimeSpan>" + (f"<begin>{begin}</begin>" if begin else "") + (f"<end>{stop}</end>" if stop else "")
            + "</TimeSpan>")


def document(frames: Mapping[str, pd.DataFrame], prov: Mapping[str, Any],
             label: Callable[[Mapping[str, Any], str], str]) -> bytes:
    """KML 2.2 written element by element: valid against the OGC schema, every value escaped.

    Each layer is a Folder of Placemarks with a Schema (typed columns) and
    SchemaData, a TimeSpan on every dated feature (Google Earth's time slider),
    a style by event type or status (:mod:`borderviz.io.styling`), and 2D
    coordinates. Placemarks carry no XML id (ours need not be XML names): the
    row's id is the ``id`` column of its ExtendedData. ``label(row, layer)``
    names a placemark whose layer has no ``name`` column.
    """
    description = ("borderviz export. " + " · ".join(a["text"] for a in prov["attribution"]) +
                   "\nProvenance: " + json.dumps(prov, ensure_ascii=False))
    styles: dict[str, str] = {}
    schemas, folders, problems = [], [], []
    for name, frame in frames.items():
        spec = ALL_SPECS[name]
        style = layer_style(name)
        inclusive = end_inclusive(name) if spec.interval else False
        fields = [f for f in spec.fields if f.name in frame.columns and f.name != "name"]
        schemas.append(f'<Schema name="{xml_text(name)}" id="schema-{xml_text(name)}">' + "".join(
            f'<SimpleField type="{_KML_TYPES.get(f.kind, "string")}" name="{xml_text(f.name)}"/>' for f in fields)
            + "</Schema>")
        placemarks = []
        for row in frame.to_dict("records"):
            problems += _xml_problems(name, row.get(spec.id_field), row)
            symbol = style.symbol_for(row)
            styles.setdefault(symbol.key, kml_style(symbol))
            title = row["name"] if isinstance(row.get("name"), str) else label(row, name)
            data = "".join(f'<SimpleData name="{xml_text(f.name)}">{xml_text(v)}</SimpleData>'
                           for f in fields if (v := _kml_value(f.kind, row.get(f.name))) is not None)
            placemarks.append(f"<Placemark><name>{xml_text(title)}</name>{_timespan(row, spec, inclusive)}"
                              f"<styleUrl>#{xml_text(symbol.key)}</styleUrl><ExtendedData>"
                              f'<SchemaData schemaUrl="#schema-{xml_text(name)}">{data}</SchemaData></ExtendedData>'
                              f"{kml_geometry(row['geometry'])}</Placemark>")
        folders.append(f"<Folder><name>{xml_text(name)}</name>{''.join(placemarks)}</Folder>")
    if problems:
        raise ExportError("KML export refused:\n  " + "\n  ".join(problems))
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document><name>borderviz export</name><description>{xml_text(description)}</description>"
            + "".join(styles.values()) + "".join(schemas) + "".join(folders) + "</Document></kml>\n")
    return text.encode("utf-8")
