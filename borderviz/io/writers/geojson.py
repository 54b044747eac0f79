"""GeoJSON (RFC 7946), written a batch at a time, each feature's text built from whole columns.

``write(layers, prov, folder)`` writes ``<layer>.geojson`` per layer: one
FeatureCollection, one feature per line; the export's provenance as a
``borderviz`` member before the features (RFC 7946 section 6.1), so a reader
finds it in the first bytes. Properties follow the layer's column order with
nulls written out; lists are JSON arrays, dates ``"YYYY-MM-DD"``; geometry in
lon/lat with polygons wound per RFC 7946 (exterior counter-clockwise). Points
are written straight from their coordinates; other shapes through
:func:`shapely.to_geojson`. Memory holds one batch of :data:`ROWS` features.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from borderviz.io.writers.layer import GEOMETRY, Layer, geometries, points_xy
from borderviz.io.writers.text import contiguous, join, json_object, json_values

ROWS = 16_384


def geometry_json(wkb: pa.Array) -> pa.Array:
    """Each WKB geometry as GeoJSON text (``null`` for a missing one)."""
    xy = points_xy(wkb)
    if xy is not None:
        x, y = (json_values(pa.array(v, pa.float64())) for v in xy)
        return join('{"type":"Point","coordinates":[', x, ",", y, "]}")
    geoms = geometries(wkb)
    present = ~shapely.is_missing(geoms)
    geoms[present] = shapely.orient_polygons(geoms[present])
    text = np.full(len(geoms), None, dtype=object)
    text[present] = shapely.to_geojson(geoms[present])
    return pc.fill_null(pa.array(text, pa.string()), "null")


def features(layer: Layer, batch: pa.RecordBatch) -> pa.Array:
    """The batch's features as GeoJSON text, one per row."""
    names = layer.columns
    props = json_object(names, [batch.column(n) for n in names], raw=[layer.is_json(n) for n in names])
    geometry = geometry_json(batch.column(GEOMETRY)) if layer.has_geometry else "null"
    return join('{"type":"Feature","properties":', props, ',"geometry":', geometry, "}")


def write_layer(layer: Layer, prov: dict[str, Any], path: Path) -> None:
    head = json.dumps({"type": "FeatureCollection", "name": layer.name, "borderviz": prov}, ensure_ascii=False)
    with open(path, "wb") as out:
        out.write(head[:-1].encode("utf-8") + b', "features": [')
        first = True
        for batch in layer.reader(ROWS):
            if not batch.num_rows:
                continue
            text = join(",\n", features(layer, batch))
            data = contiguous(text)
            out.write(data[1:] if first else data)  # no comma before the first feature
            first = False
        out.write(b"\n]}\n")


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    names = []
    for layer in layers:
        name = f"{layer.name}.geojson"
        write_layer(layer, prov, folder / name)
        names.append(name)
    return names
