"""GeoPackage 1.3, written by GDAL from Arrow batches (pyogrio's ``write_arrow``).

``write(layers, prov, folder)`` writes ``borderviz.gpkg``: one table per layer
with typed columns (dates as DATE fields, lists as JSON text), the geometry in
``geom`` (2D), the provenance as dataset and layer metadata and as a
``borderviz_provenance`` table, and a ``layer_styles`` table (QML and SLD from
:mod:`borderviz.io.styling`) so QGIS opens each layer in the app's colours.
GDAL reads the stream batch by batch (``OGR_L_WriteArrowBatch``); memory
holds one batch.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyogrio
import shapely

from borderviz.io.writers.layer import BATCH_ROWS, GEOMETRY, Layer, geometries, points_xy
from borderviz.model.schema import ALL_SPECS

NAME = "borderviz.gpkg"


def _geometry_type(layer: Layer) -> str:
    types = layer.geometry_types
    return types[0] if len(types) == 1 else "Unknown"


def _renamed(layer: Layer) -> pa.RecordBatchReader:
    """The layer's batches with the geometry as 2D WKB in ``geom`` (and no borderviz field metadata)."""
    fields = [pa.field("geom" if f.name == GEOMETRY else f.name, f.type) for f in layer.schema]
    schema = pa.schema(fields)

    def batches():
        for batch in layer.reader(BATCH_ROWS):
            arrays = list(batch.columns)
            if layer.has_geometry:
                i = batch.schema.get_field_index(GEOMETRY)
                if points_xy(arrays[i]) is None:  # other shapes: 2D, as GeoPackage readers expect
                    geoms = geometries(arrays[i])
                    arrays[i] = pa.array(shapely.to_wkb(geoms, output_dimension=2), pa.binary())
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)

    return pa.RecordBatchReader.from_batches(schema, batches())


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    from borderviz.io.styling import qml, sld

    path = folder / NAME
    meta = json.dumps(prov, ensure_ascii=False)
    options = {"dataset_metadata": {"borderviz_provenance": meta}, "driver": "GPKG"}
    for i, layer in enumerate(layers):
        extra = {"dataset_options": {"VERSION": "1.3"}} if i == 0 else {"append": False}
        if layer.has_geometry:
            pyogrio.write_arrow(_renamed(layer), path, layer=layer.name, geometry_name="geom",
                                geometry_type=_geometry_type(layer), crs="EPSG:4326",
                                layer_metadata={"borderviz_provenance": meta}, **options, **extra)
        else:
            pyogrio.write_arrow(_renamed(layer), path, layer=layer.name, geometry_name=None, geometry_type=None,
                                layer_metadata={"borderviz_provenance": meta}, **options, **extra)
    provenance_table = pa.table({"key": list(prov),
                                 "value": [json.dumps(v, ensure_ascii=False) for v in prov.values()]})
    pyogrio.write_arrow(provenance_table, path, layer="borderviz_provenance", geometry_name=None,
                        geometry_type=None, **options)
    styled = [layer.name for layer in layers if layer.has_geometry]
    if styled:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        n = len(styled)
        styles = pa.table({
            "f_table_catalog": pa.array([""] * n), "f_table_schema": pa.array([""] * n),
            "f_table_name": pa.array(styled), "f_geometry_column": pa.array(["geom"] * n),
            "styleName": pa.array(styled), "styleQML": pa.array([qml(s) for s in styled]),
            "styleSLD": pa.array([sld(s) for s in styled]), "useAsDefault": pa.array([True] * n),
            "description": pa.array([f"borderviz: {ALL_SPECS[s].title}, in the app's colours" for s in styled]),
            "owner": pa.array([""] * n), "ui": pa.array([None] * n, pa.string()),
            "update_time": pa.array([now] * n, pa.timestamp("ms")),
        })
        pyogrio.write_arrow(styles, path, layer="layer_styles", geometry_name=None, geometry_type=None,
                            layer_options={"FID": "id"}, **options)
    return [NAME]
