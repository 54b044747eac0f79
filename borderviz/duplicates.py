"""Which imported incidents may duplicate built-in ones: within a day and 5 km.

"Within a day" means the two incidents' date ranges, each widened by a day,
overlap: a report of the last day of a four-day clash still matches. Pairs
are found with a spatial index over the (few hundred) built-in incidents,
with a search radius in degrees wide enough for 5 km at any latitude up to
80°, then kept by date overlap and true (geodesic) distance, so a million
imported rows take about a second.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from .geodesy import WGS84

DUPLICATE_DAYS = 1
DUPLICATE_KM = 5.0
_DEGREES = DUPLICATE_KM / 111.0 / np.cos(np.radians(80))


def flag_duplicates(imported: gpd.GeoDataFrame, builtin: gpd.GeoDataFrame) -> list[str | None]:
    """For each imported incident, the ids of built-in ones within a day and 5 km (comma-joined), or None."""
    n = len(imported)
    out: list[str | None] = [None] * n
    if not n or not len(builtin):
        return out
    b_points = np.asarray(builtin.geometry.values, dtype=object)
    b_points = np.where(shapely.get_type_id(b_points) == 0, b_points, shapely.point_on_surface(b_points))
    tree = shapely.STRtree(b_points)
    i_idx, b_idx = tree.query(np.asarray(imported.geometry.values, dtype=object), predicate="dwithin",
                              distance=_DEGREES)
    if not i_idx.size:
        return out
    window = np.timedelta64(DUPLICATE_DAYS, "D")
    i_start = imported["date_start"].to_numpy()
    i_end = imported["date_end"].fillna(imported["date_start"]).to_numpy()
    b_start = builtin["date_start"].to_numpy()
    b_end = builtin["date_end"].fillna(builtin["date_start"]).to_numpy()
    near = (b_start[b_idx] <= i_end[i_idx] + window) & (b_end[b_idx] >= i_start[i_idx] - window)
    i_idx, b_idx = i_idx[near], b_idx[near]
    if not i_idx.size:
        return out
    ix, iy = shapely.get_x(imported.geometry.values[i_idx]), shapely.get_y(imported.geometry.values[i_idx])
    bx, by = shapely.get_x(b_points[b_idx]), shapely.get_y(b_points[b_idx])
    _, _, metres = WGS84.inv(ix, iy, bx, by)
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
