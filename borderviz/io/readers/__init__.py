"""Readers of the files a user imports, one module per kind of file.

Each reader turns untrusted bytes into columns (an Arrow table, plus points
or geometries) without evaluating anything the file contains: no SQL, no XML
entities, no links. Each is bounded in rows (:data:`MAX_ROWS`, counted after
the region filter) and reads in time that grows linearly with the file.
Problems are raised as :class:`borderviz.errors.InputError` naming the file,
the row or feature and the problem.

A :class:`RegionFilter` given to a reader drops the rows that lie outside the
border region (:mod:`borderviz.model.region`) as they are read, and counts
them: a CSV is filtered batch by batch as it streams, a GeoParquet file by its
bbox columns' statistics, other files as soon as their geometries are decoded.
Rows whose coordinates cannot be used are kept, so that the mapping names them.
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
MAX_COLUMNS = 1000
# A GeoJSON document parsed whole takes about this many times its size in memory; past what memory allows,
# a file is streamed through GDAL instead (borderviz.io.readers.geojson).
GEOJSON_PARSE_FACTOR = 12


def memory_budget() -> int:
    """Bytes this process may still allocate: under an address-space limit (the import child has one), what
    is left of it; else half the machine's memory."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        try:
            with open("/proc/self/status") as status:
                used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        except (OSError, StopIteration, ValueError):
            used = 0
        return max(0, soft - used)
    import os

    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


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
    row_numbers: np.ndarray | None = None  # each row's number in the file, when rows were left out
    outside: int = 0  # rows that lay outside the region (left out unless the filter keeps them)
    provenance: dict | None = None  # a borderviz export's provenance, when the file carries one

    def numbers(self) -> np.ndarray:
        """Each row's number in the file (its feature or CSV row number)."""
        if self.row_numbers is not None:
            return self.row_numbers
        return np.arange(self.first_row, self.first_row + self.columns.num_rows, dtype=np.int64)


class RegionFilter:
    """Keeps the rows in a region, and those whose coordinates cannot be used; counts the rest.

    With ``keep_outside`` it keeps every row and only counts. Rows whose
    latitude and longitude, swapped, fall in the region are kept too: the
    mapping reports them as swapped instead of losing them.
    """

    def __init__(self, region, keep_outside: bool = False):
        self.region = region
        self.keep_outside = keep_outside
        self.outside = 0

    def points(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Which rows to keep, given their coordinates in degrees (NaN where not a number)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        with np.errstate(invalid="ignore"):
            usable = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        inside = self.region.contains(lon, lat) | self.region.contains(lat, lon)
        return self._count(~usable | inside)

    def geometries(self, geoms: np.ndarray) -> np.ndarray:
        """Which rows to keep, given their geometries (missing, empty or out of range: kept)."""
        geoms = np.asarray(geoms, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if usable.any():
            bounds = shapely.bounds(geoms[usable])
            with np.errstate(invalid="ignore"):
                usable[usable] = np.isfinite(bounds).all(axis=1) & (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) \
                    & (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)
        return self._count(~usable | self.region.intersects(geoms))

    def _count(self, keep: np.ndarray) -> np.ndarray:
        self.outside += int((~keep).sum())
        return np.ones(len(keep), dtype=bool) if self.keep_outside else keep

    def table(self, table: Table) -> Table:
        """A read table with the rows outside left out (a reader that decodes all its geometries first)."""
        if table.geometries is None:
            return table
        keep = self.geometries(table.geometries)
        table.outside = self.outside
        if keep.all():
            return table
        numbers = table.numbers()[keep]
        return Table(table.columns.filter(pa.array(keep)), table.row_kind, table.first_row,
                     table.geometries[keep], table.warnings, table.own_export, numbers, table.outside,
                     table.provenance)


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
