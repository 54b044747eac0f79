"""Shapefiles (zipped), written by GDAL from Arrow batches, refusing to cut anything.

``write(layers, prov, folder)`` writes per layer with geometry (tables are
left out): ``<layer>.shp`` and its parts (one file per geometry kind when a
layer mixes points and lines: ``<layer>_point``, ``<layer>_line``), with field
names mapped to unique names of at most 10 characters (the map is
``<layer>.fields.csv``), and ``<layer>.text.csv`` (id and the columns a DBF
cannot hold: lists, and free text with a value over 254 bytes; an imported
file's own text counts as free text). Any other text over 254 bytes refuses
the export before a file is written. Dates are ISO text (a DBF date holds no
nulls as GDAL writes it); UTF-8 with a ``.cpg``. Two passes over each layer:
the checks, then the writing; memory holds one batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely

from borderviz.errors import ExportError
from borderviz.io.writers.csv import csv_bytes_of, write_csv
from borderviz.io.writers.layer import BATCH_ROWS, GEOMETRY, Layer, geometries, points_xy
from borderviz.io.writers.text import plain

SHP_TEXT_LIMIT = 254
KINDS = {0: "point", 4: "point", 1: "line", 5: "line", 3: "polygon", 6: "polygon"}
SHAPES = {"point": "Point", "line": "MultiLineString", "polygon": "MultiPolygon"}


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


def _kinds(wkb: pa.Array) -> np.ndarray:
    if points_xy(wkb) is not None:
        return np.full(len(wkb), "point", dtype=object)
    ids = shapely.get_type_id(geometries(wkb))
    return np.array([KINDS.get(int(i), "other") for i in ids], dtype=object)


def _survey(layer: Layer) -> tuple[dict[str, int], set[str], bool, list[str]]:
    """(longest value in bytes per text column, geometry kinds, any MultiPoint, problems) in one pass."""
    text = [n for n in layer.columns if not layer.is_json(n) and pa.types.is_string(layer.schema.field(n).type)]
    longest = dict.fromkeys(text, 0)
    kinds: set[str] = set()
    multipoint = False
    problems: list[str] = []
    spec = layer.spec
    short = {f.name for f in spec.fields if f.kind in ("str", "partial_date") and not f.long_text}
    for batch in layer.reader(BATCH_ROWS):
        for name in text:
            sizes = pc.binary_length(plain(batch.column(name)))
            top = pc.max(sizes).as_py() or 0
            longest[name] = max(longest[name], top)
            if name in short and top > SHP_TEXT_LIMIT:
                over = np.flatnonzero(pc.fill_null(pc.greater(sizes, SHP_TEXT_LIMIT), False).to_numpy(
                    zero_copy_only=False))
                ids = plain(batch.column(spec.id_field)).take(pa.array(over)).to_pylist()
                problems += [f"{layer.name}, id {ident!r}: {name} is {sizes[int(i)].as_py()} bytes; a Shapefile "
                             f"field holds {SHP_TEXT_LIMIT}" for ident, i in zip(ids, over, strict=True)]
        wkb = batch.column(GEOMETRY)
        kinds |= set(_kinds(wkb))
        if points_xy(wkb) is None:
            multipoint |= bool((shapely.get_type_id(geometries(wkb)) == 4).any())
    return longest, kinds - {"other"}, multipoint, problems


def _dbf_batches(layer: Layer, kept: list[str], names: dict[str, str], kind: str | None,
                 schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for batch in layer.reader(BATCH_ROWS):
        if kind is not None:
            batch = batch.filter(pa.array(_kinds(batch.column(GEOMETRY)) == kind))
        arrays = []
        for col in kept:
            arr = plain(batch.column(col))
            if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
                arr = pc.strftime(arr, format="%Y-%m-%d" if pa.types.is_date(arr.type) else "%Y-%m-%dT%H:%M:%S")
            arrays.append(arr)
        arrays.append(batch.column(GEOMETRY))
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    (folder / "provenance.json").write_bytes(json.dumps(prov, ensure_ascii=False, indent=2).encode("utf-8"))
    surveys, problems = [], []
    for layer in layers:
        survey = _survey(layer)
        problems += survey[3]
        surveys.append(survey)
    if problems:  # refuse before writing anything
        raise ExportError("Shapefile export refused: text would be cut.\n  " + "\n  ".join(problems))
    written = ["provenance.json"]
    for layer, (longest, kinds, multipoint, _) in zip(layers, surveys, strict=True):
        spec = layer.spec
        moved = [c for c in layer.columns if c != spec.id_field and
                 (layer.is_json(c) or longest.get(c, 0) > SHP_TEXT_LIMIT)]
        kept = [c for c in layer.columns if c not in moved]
        names = shapefile_names(kept)
        mapping = pa.table({"shapefile_field": list(names.values()), "column": list(names)})
        (folder / f"{layer.name}.fields.csv").write_bytes(csv_bytes_of(mapping))
        write_csv(folder / f"{layer.name}.text.csv",
                  (pa.RecordBatch.from_arrays([b.column(c) for c in (spec.id_field, *moved)],
                                              names=[spec.id_field, *moved]) for b in layer.reader(BATCH_ROWS)))
        written += [f"{layer.name}.fields.csv", f"{layer.name}.text.csv"]
        fields = []
        for col in kept:
            kind = layer.schema.field(col).type
            kind = pa.string() if pa.types.is_date(kind) or pa.types.is_timestamp(kind) else kind
            fields.append(pa.field(names[col], kind))
        schema = pa.schema([*fields, pa.field(GEOMETRY, pa.binary())])
        for kind in sorted(kinds) or ["point"]:
            stem = layer.name if len(kinds) <= 1 else f"{layer.name}_{kind}"
            sub = folder / f"{len(written):03d}"
            sub.mkdir()
            shape = "MultiPoint" if kind == "point" and multipoint else SHAPES[kind]
            reader = pa.RecordBatchReader.from_batches(
                schema, _dbf_batches(layer, kept, names, kind if len(kinds) > 1 else None, schema))
            pyogrio.write_arrow(reader, sub / f"{stem}.shp", driver="ESRI Shapefile", geometry_name=GEOMETRY,
                                geometry_type=shape, crs="EPSG:4326", encoding="UTF-8")
            for part in sorted(sub.iterdir()):
                target = f"{stem}{part.suffix}"
                part.rename(folder / target)
                written.append(target)
            sub.rmdir()
    return written
