"""Which imported incidents may duplicate built-in ones: within a day and 5 km.

"Within a day" means the two incidents' date ranges, each widened by a day,
overlap: a report of the last day of a four-day clash still matches.
Candidates are found on a grid of cells at least 5 km wide around the
(few hundred) built-in incidents, a column at a time; only pairs in
neighbouring cells are compared by date and by true (geodesic) distance, so
a million imported rows take well under a second.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from borderviz.model.geodesy import WGS84

DUPLICATE_DAYS = 1
DUPLICATE_KM = 5.0
KM_PER_DEGREE = 110.5  # a degree of latitude is at least this long


def _cells(x: np.ndarray, y: np.ndarray, size_x: float, size_y: float) -> tuple[np.ndarray, np.ndarray]:
    return np.floor(x / size_x).astype(np.int64), np.floor(y / size_y).astype(np.int64)


def flag_duplicates(imported: gpd.GeoDataFrame, builtin: gpd.GeoDataFrame) -> list[str | None]:
    """For each imported incident, the ids of built-in ones within a day and 5 km (comma-joined), or None."""
    geoms = imported.geometry.values
    return duplicates_of(shapely.get_x(geoms), shapely.get_y(geoms), imported["date_start"].to_numpy(),
                         imported["date_end"].fillna(imported["date_start"]).to_numpy(), builtin)


def duplicates_of(ix: np.ndarray, iy: np.ndarray, i_start: np.ndarray, i_end: np.ndarray,
                  builtin: gpd.GeoDataFrame) -> list[str | None]:
    """:func:`flag_duplicates` on columns: longitudes, latitudes, first and last days (datetime64)."""
    n = len(ix)
    out: list[str | None] = [None] * n
    if not n or not len(builtin):
        return out
    b_geoms = np.asarray(builtin.geometry.values, dtype=object)
    b_geoms = np.where(shapely.get_type_id(b_geoms) == 0, b_geoms, shapely.point_on_surface(b_geoms))
    bx, by = shapely.get_x(b_geoms), shapely.get_y(b_geoms)
    size_y = DUPLICATE_KM / KM_PER_DEGREE
    widest = min(89.0, float(np.nanmax(np.abs(by))) + 2 * size_y)
    size_x = size_y / np.cos(np.radians(widest))
    bcx, bcy = _cells(bx, by, size_x, size_y)
    icx, icy = _cells(np.nan_to_num(ix, nan=1e9), np.nan_to_num(iy, nan=1e9), size_x, size_y)
    key = lambda cx, cy: cx * 1_000_003 + cy  # noqa: E731
    near = pd.DataFrame({"cell": np.concatenate([key(bcx + dx, bcy + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]),
                         "b": np.tile(np.arange(len(builtin)), 9)})
    cells = key(icx, icy)
    candidates = np.flatnonzero(np.isin(cells, near["cell"].to_numpy()))
    if not candidates.size:
        return out
    pairs = pd.DataFrame({"cell": cells[candidates], "i": candidates}).merge(near, on="cell")
    i_idx, b_idx = pairs["i"].to_numpy(), pairs["b"].to_numpy()
    window = np.timedelta64(DUPLICATE_DAYS, "D")
    b_start = builtin["date_start"].to_numpy()
    b_end = builtin["date_end"].fillna(builtin["date_start"]).to_numpy()
    close = (b_start[b_idx] <= i_end[i_idx] + window) & (b_end[b_idx] >= i_start[i_idx] - window)
    i_idx, b_idx = i_idx[close], b_idx[close]
    if not i_idx.size:
        return out
    _, _, metres = WGS84.inv(ix[i_idx], iy[i_idx], bx[b_idx], by[b_idx])
    keep = metres <= DUPLICATE_KM * 1000
    i_idx, b_idx = i_idx[keep], b_idx[keep]
    order = np.lexsort((b_idx, i_idx))
    ids = builtin["id"].to_numpy()
    hits: dict[int, list[str]] = {}
    for i, b in zip(i_idx[order], b_idx[order], strict=True):
        hits.setdefault(int(i), []).append(str(ids[b]))
    for i, found in hits.items():
        out[i] = ", ".join(found)
    return out
