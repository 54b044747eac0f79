"""GeoParquet (borderviz's own export, or any with WKB points and a known CRS), read with pyarrow.

The row count is in the file's footer, so an oversized file is refused
before any row is read; geometry is WKB decoded by shapely in one call.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import shapely
from pyproj.exceptions import CRSError

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, Table, reproject

MAGIC = b"PAR1"


def read_parquet(data: bytes, file: str, max_rows: int = MAX_ROWS) -> Table:
    if not (data.startswith(MAGIC) and data.endswith(MAGIC)):
        raise InputError([Problem(file, "", "is not a PARQUET file (its content does not match its name); refused")])
    try:
        handle = pq.ParquetFile(io.BytesIO(data))
        rows = handle.metadata.num_rows
        if rows > max_rows:
            raise InputError([Problem(file, "", f"has {rows:,} rows; the limit is {max_rows:,}")])
        geo = json.loads((handle.schema_arrow.metadata or {}).get(b"geo", b"null") or "null")
        table = handle.read()
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
            name not in table.column_names:
        raise InputError([Problem(file, "", "stores its geometry in a way other than GeoParquet WKB; refused")])
    try:
        geoms = shapely.from_wkb(np.asarray(table.column(name).to_pylist(), dtype=object))
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        raise InputError([Problem(file, "", f"geometry cannot be read ({str(exc)[:100]})")]) from None
    warnings = []
    crs_spec = spec.get("crs", "OGC:CRS84")
    if crs_spec is not None:
        try:
            crs = pyproj.CRS.from_user_input(crs_spec)
        except (CRSError, TypeError, ValueError):
            raise InputError([Problem(file, "", "declares a coordinate system that is not known; export it in "
                                                "EPSG:4326")]) from None
        if crs.to_epsg() not in (4326, None) or (crs.to_epsg() is None and "CRS84" not in crs.to_string()):
            geoms, warning = reproject(geoms, crs, file)
            warnings.append(warning)
    return Table(table.drop([name]), geometries=geoms, warnings=warnings)
