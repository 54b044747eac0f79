"""GeoParquet 1.1, written by pyarrow a row group per batch, with a bbox covering column.

``write(layers, prov, folder)`` writes ``<layer>.parquet`` per layer: the
layer's typed columns (nullable integers stay integers, dates date32, lists
JSON text), the geometry as WKB, and a ``bbox`` struct column (xmin, ymin,
xmax, ymax) declared as the geometry's *covering* (GeoParquet 1.1): a reader
that filters by area (DuckDB, pyarrow datasets, Apache Sedona, geopandas'
``read_parquet(bbox=...)``) skips row groups by their statistics without
decoding a geometry. The ``geo`` metadata gets the layer's bounds when the
last batch is written; the provenance is the ``borderviz_provenance`` key.
Each batch of :data:`ROWS` rows is one row group (zstd; statistics on the
bbox, dates and numbers, where readers filter); memory holds one batch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely

from borderviz.io.writers.layer import GEOMETRY, Layer, geometries, points_xy

ROWS = 65_536
BBOX = "bbox"
_BBOX_TYPE = pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])


def _bounds(wkb: pa.Array) -> np.ndarray:
    xy = points_xy(wkb)
    if xy is not None:
        return np.column_stack([xy[0], xy[1], xy[0], xy[1]])
    return shapely.bounds(geometries(wkb))


def geo_metadata(layer: Layer, bbox: list[float] | None) -> dict[str, Any]:
    column: dict[str, Any] = {
        "encoding": "WKB", "geometry_types": list(layer.geometry_types),
        "crs": pyproj.CRS.from_epsg(4326).to_json_dict(),
        "covering": {BBOX: {k: [BBOX, k] for k in ("xmin", "ymin", "xmax", "ymax")}},
    }
    if bbox is not None:
        column["bbox"] = bbox
    return {"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def pandas_metadata(schema: pa.Schema) -> bytes:
    """The ``pandas`` metadata pandas itself would write, so that pandas and geopandas read whole numbers
    with nulls back as nullable integers (``Int64``), not floats."""
    import pandas as pd

    dtypes = {}
    for f in schema:
        if pa.types.is_integer(f.type):
            dtypes[f.name] = "Int64"
        elif pa.types.is_floating(f.type):
            dtypes[f.name] = "float64"
        elif pa.types.is_boolean(f.type):
            dtypes[f.name] = "boolean"
        else:
            dtypes[f.name] = "object"
    empty = pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in dtypes.items()})
    return pa.Schema.from_pandas(empty, preserve_index=False).metadata[b"pandas"]


def write_layer(layer: Layer, prov: dict[str, Any], path: Path) -> None:
    fields = [pa.field(f.name, f.type, nullable=f.nullable) for f in layer.schema]
    if layer.has_geometry:
        fields.append(pa.field(BBOX, _BBOX_TYPE))
    meta = {"borderviz_provenance": json.dumps(prov, ensure_ascii=False),
            "pandas": pandas_metadata(pa.schema(fields)).decode()}
    schema = pa.schema(fields)
    low, high = np.full(2, np.inf), np.full(2, -np.inf)
    # Statistics where a reader filters (the bbox, dates, numbers), not on free text; zstd compression.
    stats = [f"{BBOX}.{k}" for k in ("xmin", "ymin", "xmax", "ymax")] if layer.has_geometry else []
    stats += [f.name for f in fields if pa.types.is_date(f.type) or pa.types.is_integer(f.type)
              or pa.types.is_floating(f.type) or pa.types.is_timestamp(f.type)]
    # No stored Arrow schema: the file's metadata is written once, at the end, when the bounds are known (a
    # stored schema would keep a second 'geo' without them); every type here is a plain Parquet type.
    with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=stats or False,
                          store_schema=False) as writer:
        for batch in layer.reader(ROWS):
            arrays = list(batch.columns)
            if layer.has_geometry:
                bounds = _bounds(batch.column(GEOMETRY))
                arrays.append(pa.StructArray.from_arrays([pa.array(bounds[:, i]) for i in range(4)],
                                                         fields=list(_BBOX_TYPE)))
                if len(bounds):
                    with np.errstate(invalid="ignore"):
                        low = np.fmin(low, np.nanmin(bounds[:, :2], axis=0))
                        high = np.fmax(high, np.nanmax(bounds[:, 2:], axis=0))
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        if layer.has_geometry:
            bbox = [float(low[0]), float(low[1]), float(high[0]), float(high[1])] if np.isfinite(low).all() \
                else None
            meta["geo"] = json.dumps(geo_metadata(layer, bbox))
        writer.add_key_value_metadata(meta)


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    names = []
    for layer in layers:
        name = f"{layer.name}.parquet"
        write_layer(layer, prov, folder / name)
        names.append(name)
    return names
