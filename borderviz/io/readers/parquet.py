"""GeoParquet (borderviz's own export, or any with WKB geometry and a known CRS), read with pyarrow.

A file is read a row group at a time. With a
:class:`~borderviz.io.readers.RegionFilter` and a GeoParquet 1.1 ``bbox``
covering column, the region's bounding box is pushed into the scan (a
pyarrow dataset filter): row groups whose statistics lie outside are never
read, nor their geometries decoded; the rows left are then tested against the
region's outline. Without a covering, each batch's geometries are decoded
(shapely, one call) and tested. Only the kept rows count toward the limit of
rows, so a worldwide file imports its region's rows in the memory they need.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pyproj
import shapely
from pyproj.exceptions import CRSError

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, RegionFilter, Table, reproject

MAGIC = b"PAR1"
BATCH = 65_536


def _magic(data: bytes | Path) -> bool:
    if isinstance(data, Path):
        with open(data, "rb") as handle:
            head = handle.read(4)
            handle.seek(max(0, data.stat().st_size - 4))
            return head == MAGIC and handle.read(4) == MAGIC
    return data.startswith(MAGIC) and data.endswith(MAGIC)


def _box_filter(covering: dict, region: RegionFilter) -> pc.Expression | None:
    """Rows whose bbox touches the region's box, or whose coordinates are unusable or swapped (those the
    mapping must see to report them)."""
    try:
        fx = {k: pc.field(*covering[k]) for k in ("xmin", "ymin", "xmax", "ymax")}
    except (KeyError, TypeError):
        return None
    west, south, east, north = region.region.bbox

    def touches(x0, y0, x1, y1):
        return (fx[x0] <= east) & (fx[x1] >= west) & (fx[y0] <= north) & (fx[y1] >= south)

    unusable = (~fx["xmin"].is_valid()) | (fx["xmin"] < -180) | (fx["xmax"] > 180) | (fx["ymin"] < -90) | \
        (fx["ymax"] > 90) | pc.is_nan(fx["xmin"]) | pc.is_nan(fx["ymin"])
    return touches("xmin", "ymin", "xmax", "ymax") | touches("ymin", "xmin", "ymax", "xmax") | unusable


def read_parquet(data: bytes | Path, file: str, max_rows: int = MAX_ROWS, region: RegionFilter | None = None) -> Table:
    if not _magic(data):
        raise InputError([Problem(file, "", "is not a PARQUET file (its content does not match its name); refused")])
    source = str(data) if isinstance(data, Path) else pa.BufferReader(pa.py_buffer(data))
    try:
        handle = pq.ParquetFile(source)
        rows = handle.metadata.num_rows
        if rows > max_rows and region is None:
            raise InputError([Problem(file, "", f"has {rows:,} rows; the limit is {max_rows:,}")])
        meta = handle.schema_arrow.metadata or {}
        geo = json.loads(meta.get(b"geo", b"null") or "null")
        own = json.loads(meta[b"borderviz_provenance"]) if b"borderviz_provenance" in meta else None
    except InputError:
        raise
    except (pa.ArrowException, OSError, ValueError, RecursionError) as exc:
        raise InputError([Problem(file, "", f"cannot be read as Parquet ({str(exc)[:200]})")]) from None
    columns = geo.get("columns") if isinstance(geo, dict) else None
    if not isinstance(columns, dict) or not columns:
        raise InputError([Problem(file, "", "has no GeoParquet 'geo' metadata, so where its rows are is unknown")])
    name = geo.get("primary_column") or next(iter(columns))
    spec = columns.get(name) if isinstance(name, str) else None
    if not isinstance(spec, dict) or str(spec.get("encoding", "WKB")).upper() != "WKB" or \
            name not in handle.schema_arrow.names:
        raise InputError([Problem(file, "", "stores its geometry in a way other than GeoParquet WKB; refused")])
    crs = None
    warnings = []
    crs_spec = spec.get("crs", "OGC:CRS84")
    if crs_spec is not None:
        try:
            crs = pyproj.CRS.from_user_input(crs_spec)
        except (CRSError, TypeError, ValueError):
            raise InputError([Problem(file, "", "declares a coordinate system that is not known; export it in "
                                                "EPSG:4326")]) from None
        if crs.to_epsg() in (4326, None) and (crs.to_epsg() is not None or "CRS84" in crs.to_string()):
            crs = None
    covering = (spec.get("covering") or {}).get("bbox") if isinstance(spec.get("covering"), dict) else None
    box = _box_filter(covering, region) if region is not None and crs is None and isinstance(covering, dict) else None
    drop = [name]
    if isinstance(covering, dict) and isinstance(covering.get("xmin"), list) and covering["xmin"]:
        drop.append(str(covering["xmin"][0]))  # the covering column: the geometry's, not the file's data
    try:
        batches = _scan(source, handle, box)
        kept, geometries, numbers, scanned = [], [], [], 0
        for batch, at in batches:
            scanned += batch.num_rows
            geoms = shapely.from_wkb(np.asarray(batch.column(name).to_numpy(zero_copy_only=False), dtype=object))
            if crs is not None:
                geoms, warning = reproject(geoms, crs, file)
                warnings[:] = [warning]
            if region is not None:
                keep = region.geometries(geoms)
                if not keep.all():
                    batch, geoms, at = batch.filter(pa.array(keep)), geoms[keep], at[keep]
            kept.append(batch.drop_columns([c for c in drop if c in batch.schema.names]))
            geometries.append(geoms)
            numbers.append(at)
            if sum(b.num_rows for b in kept) > max_rows:
                raise InputError([Problem(file, "", f"has more than {max_rows:,} rows"
                                                    f"{' in the border region' if region else ''}; the limit is "
                                                    f"{max_rows:,}")])
    except InputError:
        raise
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        raise InputError([Problem(file, "", f"geometry cannot be read ({str(exc)[:100]})")]) from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError([Problem(file, "", f"cannot be read as Parquet ({str(exc)[:200]})")]) from None
    schema = handle.schema_arrow
    schema = pa.schema([f for f in schema if f.name not in drop], metadata=schema.metadata)
    table = pa.Table.from_batches(kept, schema=schema) if kept else schema.empty_table()
    outside = 0
    if region is not None:
        region.outside += rows - scanned  # the rows the box kept out of the scan
        outside = region.outside
    dropped = region is not None and not region.keep_outside and outside
    return Table(table, geometries=np.concatenate(geometries) if geometries else np.empty(0, dtype=object),
                 warnings=warnings, row_numbers=np.concatenate(numbers) if dropped and numbers else None,
                 outside=outside, provenance=own if isinstance(own, dict) else None)


def _scan(source, handle: pq.ParquetFile, box: pc.Expression | None) -> Iterator[tuple[pa.RecordBatch, np.ndarray]]:
    """Batches of the file with each row's number (1-based). With ``box``, pyarrow's dataset prunes the row
    groups whose statistics show no row can match (those are never read); the others are read whole."""
    meta = handle.metadata
    starts = np.concatenate([[1], 1 + np.cumsum([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])])
    if box is None:
        groups = range(meta.num_row_groups)
    else:
        local = pafs.LocalFileSystem() if isinstance(source, str) else None
        fragment = ds.ParquetFileFormat().make_fragment(source, filesystem=local)
        groups = [piece.row_groups[0].id for piece in fragment.split_by_row_group(filter=box)]
    for group in groups:
        start = int(starts[group])
        for batch in handle.iter_batches(batch_size=BATCH, row_groups=[group]):
            yield batch, np.arange(start, start + batch.num_rows, dtype=np.int64)
            start += batch.num_rows
