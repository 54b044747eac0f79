"""Frictionless Data Package descriptors (``datapackage.json``), generated from :mod:`borderviz.model.schema`.

Two uses: in every CSV export and every zip of GeoJSON or GeoParquet files (the files, their column types,
vocabularies and licences, and the export's provenance), and for ``data/``
itself (``python -m borderviz.io.datapackage`` rewrites ``data/datapackage.json``;
a test keeps the committed file equal to a fresh one).

>>> field_descriptor(LAYERS["incidents"].field("killed_total"))["type"]
'integer'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from borderviz.model.schema import ALL_SPECS, LAYERS, Field, LayerSpec

_TYPES = {"str": "string", "int": "integer", "float": "number", "date": "date", "partial_date": "string",
          "json": "any", "sources": "array"}

LICENSES = {
    "ODbL-1.0": {"name": "ODbL-1.0", "title": "Open Data Commons Open Database License 1.0",
                 "path": "https://opendatacommons.org/licenses/odbl/1-0/"},
    "CC-BY-4.0": {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                  "path": "https://creativecommons.org/licenses/by/4.0/"},
}
# Layers derived from OpenStreetMap's border polygons (data/README.md): ODbL, attribution required.
OSM_DERIVED = frozenset({"countries", "border_lines", "enclaves", "vintage_differences", "border_status"})
SOURCES = [
    {"title": "OpenStreetMap contributors", "path": "https://www.openstreetmap.org/copyright"},
    {"title": "Who's On First (CC0) and GeoNames (CC BY 4.0)", "path": "https://www.geonames.org/"},
    {"title": "borderviz research: the publications cited in each record's sources (bibliography.csv)"},
]


def field_descriptor(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": _TYPES[f.kind], "description": f.doc}
    if f.kind in ("json", "sources"):
        out["description"] += " (JSON text)"
    if f.kind == "partial_date":
        out["description"] += " (YYYY-MM-DD, YYYY-MM or YYYY)"
    constraints: dict[str, Any] = {}
    if f.required:
        constraints["required"] = True
    if f.choices:
        constraints["enum"] = [str(c) if f.kind == "str" else c for c in f.choices]
    if f.minimum is not None:
        constraints["minimum"] = f.minimum
    if f.maximum is not None:
        constraints["maximum"] = f.maximum
    if constraints:
        out["constraints"] = constraints
    return out


_FILE_TYPES = {"int": "integer", "float": "number", "date": "date", "bool": "boolean", "datetime": "datetime",
               "str": "string"}


def table_schema(spec: LayerSpec, columns: list[str] | None = None,
                 kinds: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A Table Schema for ``spec``'s columns (in ``columns``' order, with the CSV's geometry columns).

    Columns the schema does not know (an imported file's own) are typed by ``kinds`` (column: kind).
    """
    extra = {
        "latitude": {"name": "latitude", "type": "number", "description": "WGS 84 latitude (EPSG:4326)."},
        "longitude": {"name": "longitude", "type": "number", "description": "WGS 84 longitude (EPSG:4326)."},
        "wkt": {"name": "wkt", "type": "string", "description": "Geometry as WKT, WGS 84 lon/lat (EPSG:4326)."},
    }
    by_name = {f.name: field_descriptor(f) for f in spec.fields}
    names = columns if columns is not None else [f.name for f in spec.fields]
    kinds = kinds or {}

    def own(name: str) -> dict[str, Any]:
        return {"name": name, "type": _FILE_TYPES.get(kinds.get(name, "str"), "string"),
                "description": "A column of the imported file, as the file has it."}

    fields = [by_name.get(c) or extra.get(c) or own(c) for c in names]
    return {"fields": fields, "primaryKey": [spec.id_field], "missingValues": [""]}


def _licenses(layer: str) -> list[dict[str, str]]:
    keys = ["ODbL-1.0", "CC-BY-4.0"] if layer in OSM_DERIVED else ["CC-BY-4.0"]
    return [LICENSES[k] for k in keys]


def _csv_dialect() -> dict[str, Any]:
    return {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}


def export_package(names: Iterable[str], prov: Mapping[str, Any], headers: Mapping[str, list[str]] | None = None,
                   kinds: Mapping[str, Mapping[str, str]] | None = None) -> bytes:
    """``datapackage.json`` for the CSV, GeoJSON or GeoParquet files of an export (each described
    by its layer's schema). ``headers`` gives each CSV file's header as written; ``kinds`` each layer's
    column kinds (for an imported file's own columns)."""
    headers, kinds = headers or {}, kinds or {}
    resources = []
    for name in sorted(names):
        stem, _, suffix = name.rpartition(".")
        if suffix in ("geojson", "parquet") and stem in ALL_SPECS:
            spec = ALL_SPECS[stem]
            columns = list(kinds[stem]) if stem in kinds else None
            resources.append({
                "name": stem, "path": name, "format": suffix, "title": spec.title, "description": spec.doc,
                "mediatype": "application/geo+json" if suffix == "geojson" else "application/vnd.apache.parquet",
                "schema": table_schema(spec, columns, kinds.get(stem)), "licenses": _licenses(stem),
            })
            continue
        if suffix != "csv":
            continue
        layer = stem.removesuffix(".wkt")
        spec = ALL_SPECS.get(layer)
        if spec is None:
            continue
        header = headers[name]
        resources.append({
            "name": stem.lower(), "path": name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8-sig", "title": spec.title,
            "description": spec.doc + (" Geometry of each feature, by id." if stem.endswith(".wkt") else "")
                           + " Text starting with =, +, -, @, tab or CR has a leading ' (spreadsheet formulas).",
            "dialect": _csv_dialect(), "schema": table_schema(spec, header, kinds.get(layer)),
            "licenses": _licenses(layer),
        })
    tabular = all(r.get("profile") == "tabular-data-resource" for r in resources)
    descriptor = {
        "profile": "tabular-data-package" if tabular else "data-package", "name": "borderviz-export",
        "title": "borderviz export: the Kyrgyzstan–Tajikistan border conflict",
        "created": prov.get("exported_at"), "version": prov.get("data_version"),
        "licenses": [LICENSES["ODbL-1.0"], LICENSES["CC-BY-4.0"]], "sources": SOURCES,
        "borderviz": dict(prov), "resources": resources,
    }
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def data_package() -> str:
    """``data/datapackage.json``: every layer file of data/ with its schema and licence."""
    resources = []
    for spec in LAYERS.values():
        geo = spec.file.endswith(".geojson")
        resource: dict[str, Any] = {
            "name": spec.name, "path": spec.file, "title": spec.title, "description": spec.doc,
            "format": "geojson" if geo else "csv", "mediatype": "application/geo+json" if geo else "text/csv",
            "encoding": "utf-8", "licenses": _licenses(spec.name),
        }
        if geo:
            resource["description"] += (" A GeoJSON FeatureCollection (RFC 7946, EPSG:4326); the schema "
                                        "describes each feature's properties.")
        else:
            resource["profile"] = "tabular-data-resource"
            resource["dialect"] = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True}
        resource["schema"] = table_schema(spec)
        resources.append(resource)
    descriptor = {
        "profile": "data-package", "name": "borderviz-data",
        "title": "borderviz: a sourced record of the Kyrgyzstan–Tajikistan border conflict",
        "description": "Layers of borderviz, documented column by column in README.md. Every feature carries "
                       "its sources and how precisely it is placed.",
        "licenses": [LICENSES["ODbL-1.0"], LICENSES["CC-BY-4.0"]], "sources": SOURCES, "resources": resources,
    }
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m borderviz.io.datapackage [path]
    import sys
    from pathlib import Path

    from borderviz.model.layers import data_dir

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else data_dir() / "datapackage.json"
    target.write_text(data_package(), encoding="utf-8")
    print(f"wrote {target}")
