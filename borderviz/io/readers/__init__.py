"""Readers of the files a user imports, one module per kind of file.

Each reader turns untrusted bytes into columns (an Arrow table, plus points
or geometries) without evaluating anything the file contains: no SQL, no XML
entities, no links. Each is bounded in rows (:data:`MAX_ROWS`) and reads in
time that grows linearly with the file. Problems are raised as
:class:`borderviz.errors.InputError` naming the file, the row or feature and
the problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyproj
import shapely
from pyproj.exceptions import ProjError

from borderviz.errors import InputError, Problem

# The one place the import bounds are set (the app's uploader reads MAX_BYTES
# too: keep `[server] maxUploadSize` in .streamlit/config.toml equal to it in MB).
MAX_BYTES = 500 * 1024 * 1024
MAX_ROWS = 2_000_000
MAX_GEOJSON_BYTES = 200 * 1024 * 1024
MAX_COLUMNS = 1000


@dataclass
class Table:
    """What a reader gives: columns, and where each row is (points or other geometries).

    ``columns`` holds the file's own fields. Either ``x``/``y`` (degrees,
    EPSG:4326) or ``geometries`` (shapely, EPSG:4326) locate the rows; a
    CSV has neither and names its coordinate columns instead.
    """

    columns: pa.Table
    row_kind: str = "feature"
    first_row: int = 1
    geometries: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    own_export: bool = False


def reproject(geoms: np.ndarray, crs: pyproj.CRS, file: str) -> tuple[np.ndarray, str]:
    """Geometries in ``crs`` to EPSG:4326 (lon/lat), and the warning that says so."""
    try:
        transformer = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        moved = shapely.transform(geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
    except (ProjError, ValueError) as exc:
        raise InputError([Problem(file, "", f"declares the coordinate system {crs.name[:60]!r}, which cannot be "
                                            f"converted to EPSG:4326 ({str(exc)[:80]})")]) from None
    return moved, f"{file}: reprojected from {crs.to_string()} to EPSG:4326"


def check_columns(names: list[str], file: str) -> None:
    """Refuse a table with more columns than any incident file has (each costs memory in every row)."""
    if len(names) > MAX_COLUMNS:
        raise InputError([Problem(file, "", f"has {len(names):,} columns; the limit is {MAX_COLUMNS:,}")])
