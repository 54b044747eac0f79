"""A layer as every writer reads it: a schema and a stream of flat Arrow batches.

:class:`Layer` is the one interface between the data (a built-in layer's
GeoDataFrame, a user's import as an Arrow table, or any stream of batches) and
the writers in :mod:`borderviz.io.writers`. Its batches are *flat*: every
column is text, int64, float64, bool, date32, timestamp or binary; lists and
objects are JSON text (marked by :data:`JSON` in the field's metadata); the
geometry is WKB in :data:`GEOMETRY` (lon/lat, EPSG:4326). A writer asks
:meth:`Layer.reader` for batches of a size it chooses and holds one at a time,
so memory is bounded by the batch, not by the layer; a writer that needs two
passes (the Shapefile's checks before writing) calls it twice.

Built from:

- :func:`from_frame`: a (Geo)DataFrame, converted once, column by column;
- :func:`from_table`: an import's Arrow table (:func:`borderviz.io.mapping.finish`):
  dates, dictionaries, citations and points converted batch by batch, so a
  memory-mapped table streams from disk;
- :func:`from_batches`: any schema and iterator of flat batches (tests; future sources).

For imported layers, the fields every citation shares (the publisher, the
dataset's address) are taken out of the per-row ``sources`` and kept once in
:attr:`Layer.citation`, which the export's provenance carries.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from geopandas.array import GeometryDtype

from borderviz.io.writers.text import json_values, plain
from borderviz.model.schema import ALL_SPECS, IMPORTED_INCIDENTS, LayerSpec

BATCH_ROWS = 65_536
GEOMETRY = "geometry"
JSON = b"borderviz:json"  # field metadata: this text column holds JSON
_TYPES = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
          "partial_date": pa.string(), "json": pa.string(), "sources": pa.string()}
GEOMETRY_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
                  6: "MultiPolygon", 7: "GeometryCollection"}


@dataclass
class Layer:
    """One layer to write: its name, schema spec, flat Arrow schema and a way to stream its rows."""

    name: str
    spec: LayerSpec
    schema: pa.Schema
    batches: Callable[[int], Iterator[pa.RecordBatch]]
    num_rows: int
    geometry_types: tuple[str, ...] = ()
    citation: dict[str, Any] = field(default_factory=dict)

    def reader(self, rows: int = BATCH_ROWS) -> pa.RecordBatchReader:
        """A fresh stream of batches of at most ``rows`` rows."""
        return pa.RecordBatchReader.from_batches(self.schema, self.batches(rows))

    @property
    def has_geometry(self) -> bool:
        return GEOMETRY in self.schema.names

    @property
    def columns(self) -> list[str]:
        """The data columns in order (not the geometry)."""
        return [n for n in self.schema.names if n != GEOMETRY]

    def is_json(self, name: str) -> bool:
        meta = self.schema.field(name).metadata or {}
        return JSON in meta

    def kind(self, name: str) -> str:
        """The column's kind as in :mod:`borderviz.model.schema` (str, int, float, date, json, sources), from the
        spec for its own columns and from the Arrow type for the file's."""
        if name in self.spec.columns:
            return self.spec.field(name).kind
        return arrow_kind(self.schema.field(name).type)

    @property
    def file_columns(self) -> list[str]:
        """The columns that are not borderviz's own: an imported file's, under their own names."""
        return [n for n in self.columns if n not in self.spec.columns]

    def all_points(self) -> bool:
        return self.geometry_types == ("Point",)


def arrow_kind(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "int"
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_timestamp(kind):
        return "datetime"
    return "str"


# --- geometry -------------------------------------------------------------------------------------------


def points_wkb(x: np.ndarray, y: np.ndarray) -> pa.Array:
    """2D points as little-endian WKB (21 bytes each), built with numpy."""
    n = len(x)
    record = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])
    data = np.empty(n, dtype=record)
    data["order"], data["kind"], data["x"], data["y"] = 1, 1, x, y
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])


def points_xy(wkb: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(x, y) of a column of 2D little-endian point WKB, read with numpy; None if it holds anything else."""
    wkb = plain(wkb)
    n = len(wkb)
    if wkb.null_count or not n:
        return None if n else (np.zeros(0), np.zeros(0))
    _, offsets, data = wkb.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[wkb.offset: wkb.offset + n + 1]
    if not (np.diff(bounds) == 21).all():
        return None
    raw = np.frombuffer(data, dtype=np.uint8)[bounds[0]: bounds[-1]].reshape(n, 21)
    if not ((raw[:, 0] == 1).all() and (raw[:, 1:5].copy().view("<u4")[:, 0] == 1).all()):
        return None
    coords = raw[:, 5:].copy().view("<f8")
    return coords[:, 0], coords[:, 1]


def geometries(wkb: pa.Array) -> np.ndarray:
    """The WKB column as shapely geometries (None for null)."""
    return shapely.from_wkb(np.asarray(plain(wkb).to_numpy(zero_copy_only=False), dtype=object))


def geometry_types(geoms: np.ndarray) -> tuple[str, ...]:
    ids = np.unique(shapely.get_type_id(np.asarray(geoms, dtype=object)))
    return tuple(GEOMETRY_NAMES[int(i)] for i in ids if int(i) in GEOMETRY_NAMES)


# --- citations --------------------------------------------------------------------------------------------


def split_citations(lists: pa.Array) -> tuple[dict[str, Any], pa.Array]:
    """({field: value} every citation shares, the citations without those fields) of a list<struct> column."""
    lists = plain(lists)
    if not (pa.types.is_list(lists.type) and pa.types.is_struct(lists.type.value_type)) or not len(lists):
        return {}, lists
    values = lists.flatten()
    kind = values.type
    fields = values.flatten()
    common, keep = {}, []
    for i, arr in enumerate(fields):
        name = kind.field(i).name
        arr = plain(arr)
        if len(arr) and arr.null_count == 0 and bool(pc.all(pc.equal(arr, arr[0])).as_py()):
            common[name] = arr[0].as_py()
        else:
            keep.append(i)
    if not common:
        return {}, lists
    struct = pa.StructArray.from_arrays([fields[i] for i in keep], [kind.field(i).name for i in keep])
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    rebuilt = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), struct,
                                       mask=lists.is_null() if lists.null_count else None)
    return common, rebuilt


def record_json(arr: pa.Array, mode: str) -> pa.Array:
    """JSON text of a :class:`borderviz.io.records.RecordArray`'s storage (struct, sparse list or JSON text)."""
    arr = plain(arr)
    if mode == "json" or pa.types.is_string(arr.type):
        return arr
    text = json_values(arr, drop_nulls=mode == "sparse")
    return pc.if_else(arr.is_valid(), text, pa.scalar(None, pa.string())) if arr.null_count else text


# --- from a DataFrame ---------------------------------------------------------------------------------------


def _python_json(values) -> pa.Array:
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        else:
            out.append(json.dumps(v, ensure_ascii=False, separators=(",", ":")))
    return pa.array(out, pa.string())


def _column(series: pd.Series, kind: str | None, citations: bool) -> tuple[pa.Array, dict[str, Any]]:
    """One column as a flat Arrow array (and the citation fields it shares, for imported sources)."""
    from borderviz.io.records import RecordArray

    values = series.array
    if isinstance(values, RecordArray):
        storage = values.storage
        if citations and values.mode == "sparse":
            common, storage = split_citations(storage)
            return record_json(storage, "sparse"), common
        return record_json(storage, values.mode), {}
    if kind in ("json", "sources"):
        return _python_json(series.tolist()), {}
    if kind == "date":
        stamps = pd.to_datetime(series, errors="coerce")
        return pa.array(stamps, from_pandas=True).cast(pa.date32()), {}
    if kind is not None:
        arr = pa.array(series, type=_TYPES[kind], from_pandas=True) if kind != "int" else \
            pa.array(series.astype("Int64"), type=pa.int64(), from_pandas=True)
        return arr, {}
    try:
        arr = plain(pa.array(series, from_pandas=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return _python_json(series.tolist()), {}
    if pa.types.is_null(arr.type):
        arr = arr.cast(pa.string())
    elif pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
        arr = arr.cast(pa.timestamp(arr.type.unit))
    elif pa.types.is_list(arr.type) or pa.types.is_struct(arr.type) or pa.types.is_large_list(arr.type):
        arr = record_json(arr, "struct")
    return arr, {}


def _field(name: str, arr: pa.Array, spec: LayerSpec) -> pa.Field:
    meta = {}
    if name in spec.columns and spec.field(name).kind in ("json", "sources"):
        meta[JSON] = b"1"
    required = name in spec.columns and spec.field(name).required
    return pa.field(name, arr.type, nullable=not required, metadata=meta or None)


def table_of_frame(name: str, frame: pd.DataFrame) -> tuple[pa.Table, dict[str, Any], tuple[str, ...]]:
    """(flat Arrow table with WKB geometry, shared citation fields, geometry types) of a layer's frame."""
    spec = ALL_SPECS[name]
    imported = spec is IMPORTED_INCIDENTS
    arrays, fields, citation = [], [], {}
    order = [f.name for f in spec.fields if f.name in frame.columns]
    order += [c for c in frame.columns if c not in spec.columns and c != "geometry"
              and not isinstance(frame[c].dtype, GeometryDtype)]
    for col in order:
        kind = spec.field(col).kind if col in spec.columns else None
        arr, common = _column(frame[col], kind, citations=imported and col == "sources")
        citation.update(common)
        arrays.append(arr)
        fields.append(_field(str(col), arr, spec))
    types: tuple[str, ...] = ()
    if spec.geometry and "geometry" in frame:
        geoms = np.asarray(frame.geometry.values, dtype=object)
        types = geometry_types(geoms)
        if types == ("Point",) and not shapely.has_z(geoms).any():
            wkb = points_wkb(shapely.get_x(geoms), shapely.get_y(geoms))
        else:
            wkb = pa.array(shapely.to_wkb(geoms), pa.binary())
        arrays.append(wkb)
        fields.append(pa.field(GEOMETRY, pa.binary()))
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields)) if fields else \
        pa.table({"_": pa.nulls(len(frame))}).drop(["_"])
    return table, citation, types


def from_frame(name: str, frame: pd.DataFrame) -> Layer:
    """A layer from its (Geo)DataFrame, converted to Arrow once, column by column."""
    table, citation, types = table_of_frame(name, frame)
    return Layer(name, ALL_SPECS[name], table.schema,
                 lambda rows: iter(table.to_batches(max_chunksize=rows)), table.num_rows, types, citation)


# --- from an import's Arrow table ---------------------------------------------------------------------------


def _flat_batch(batch: pa.RecordBatch, schema: pa.Schema, shared: set[str]) -> pa.RecordBatch:
    arrays = []
    for f in schema:
        if f.name == GEOMETRY:
            x = batch.column("_x").to_numpy(zero_copy_only=False)
            y = batch.column("_y").to_numpy(zero_copy_only=False)
            arrays.append(points_wkb(x, y))
            continue
        col = batch.column(f.name)
        source = batch.schema.field(f.name)
        if source.metadata and b"record" in source.metadata:
            storage = col
            if f.name == "sources":
                storage = _drop_fields(plain(col), shared)
            arrays.append(record_json(storage, source.metadata[b"record"].decode()))
        elif f.type == pa.date32() and pa.types.is_timestamp(col.type):
            arrays.append(plain(col).cast(pa.date32()))
        else:
            arrays.append(plain(col).cast(f.type) if plain(col).type != f.type else plain(col))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _drop_fields(lists: pa.Array, names: set[str]) -> pa.Array:
    if not names or not pa.types.is_list(lists.type):
        return lists
    values = lists.flatten()
    kind = values.type
    keep = [i for i in range(kind.num_fields) if kind.field(i).name not in names]
    parts = values.flatten()
    struct = pa.StructArray.from_arrays([parts[i] for i in keep], [kind.field(i).name for i in keep])
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    return pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), struct,
                                    mask=lists.is_null() if lists.null_count else None)


def from_table(table: pa.Table, name: str = "imported_incidents") -> Layer:
    """A layer from an import's Arrow table (points in ``_x``/``_y``), converted batch by batch."""
    spec = ALL_SPECS[name]
    citation: dict[str, Any] = {}
    if "sources" in table.column_names:
        citation, _ = split_citations(plain(table.column("sources")))
    fields = []
    for f in table.schema:
        if f.name in ("_x", "_y"):
            continue
        kind = spec.field(f.name).kind if f.name in spec.columns else None
        if (f.metadata and b"record" in f.metadata) or kind in ("json", "sources"):
            kind_type = pa.string()
        elif kind == "date" or (kind is None and pa.types.is_date(f.type)):
            kind_type = pa.date32()
        elif kind is not None:
            kind_type = _TYPES[kind]
        else:
            kind_type = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
            kind_type = pa.string() if pa.types.is_large_string(kind_type) or pa.types.is_null(kind_type) \
                else kind_type
        fields.append(_field(f.name, pa.nulls(0, kind_type), spec))
    fields.append(pa.field(GEOMETRY, pa.binary()))
    schema = pa.schema(fields)
    shared = set(citation)

    def batches(rows: int) -> Iterator[pa.RecordBatch]:
        for batch in table.to_batches(max_chunksize=rows):
            yield _flat_batch(batch, schema, shared)

    return Layer(name, spec, schema, batches, table.num_rows, ("Point",), citation)


def from_batches(name: str, schema: pa.Schema, batches: Callable[[int], Iterator[pa.RecordBatch]],
                 num_rows: int, types: tuple[str, ...] = ()) -> Layer:
    """A layer from any stream of flat batches (each call of ``batches(rows)`` starts again)."""
    return Layer(name, ALL_SPECS[name], schema, batches, num_rows, types)


def layer_of(name: str, data: Any) -> Layer:
    """A :class:`Layer` from whatever an export is given: a Layer, an Arrow table or a (Geo)DataFrame."""
    if isinstance(data, Layer):
        return data
    if isinstance(data, pa.Table):
        if "_x" in data.column_names:
            return from_table(data, name)
        return Layer(name, ALL_SPECS[name], data.schema, lambda rows: iter(data.to_batches(max_chunksize=rows)),
                     data.num_rows)
    return from_frame(name, data)
