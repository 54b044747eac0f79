"""The border region: which rows of an imported file borderviz keeps.

Analysts import whole exports: ACLED for a region, the worldwide UCDP GED.
borderviz maps the Kyrgyzstan–Tajikistan border, so an import keeps the rows
in the **border region** and says how many lay outside it; ``borderviz import
--keep-outside`` and the app's checkbox keep those too. A row without usable
coordinates is never dropped here: the import names it as a problem.

The region is, as data:

- Kyrgyzstan and Tajikistan, whole (the conflict's displaced people, its
  reprisals and its politics reach far from the line);
- the Uzbek part of the Fergana valley, which the three borders cut through:
  Uzbekistan's territory in :data:`FERGANA_BOX` (east of 70.3° E and south of
  41.6° N), with the Sokh and Shakhimardan exclaves;
- and a margin of :data:`MARGIN_KM` around them, so that a point placed on the
  far side of the line by the imprecision of "near a town", or at the far end
  of a crossing, still counts.

The shapes are the 2024 OpenStreetMap country polygons in
``data/sources/osm`` (© OpenStreetMap contributors, ODbL 1.0), buffered in an
equidistant projection centred on the region and simplified to
:data:`SIMPLIFY_KM`; the outline (about 200 vertices) is
:data:`borderviz.model.region_outline.OUTLINE`, written by
``scripts/build_region.py`` and checked against the sources by
``tests/test_region.py``.

How the test runs: first the bounding box, which the readers push into the
scan (a filter on each batch of a streamed CSV, the row-group statistics of a
GeoParquet file's bbox columns), then the exact outline on the rows the box
kept: a grid of :data:`CELL_DEGREES` cells says at once for a point in a cell
wholly inside or outside the outline, and :func:`shapely.contains_xy` decides
the points in the cells the outline crosses.

>>> bool(REGION.contains([70.6], [39.9])[0]), bool(REGION.contains([2.35], [48.85])[0])
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

from borderviz.model.region_outline import OUTLINE

VINTAGE = 2024
FERGANA_BOX = (70.3, 39.8, 73.2, 41.6)  # lon/lat: Uzbekistan's part of the Fergana valley lies in it
MARGIN_KM = 25.0
SIMPLIFY_KM = 2.0
CELL_DEGREES = 0.25
_OUT, _IN, _EDGE = 0, 1, 2


@dataclass(frozen=True)
class Region:
    """An extent in lon/lat (EPSG:4326): a polygon and its bounding box."""

    key: str
    label: str
    outline: tuple[tuple[float, float], ...]

    @cached_property
    def polygon(self) -> shapely.Polygon:
        shape = shapely.Polygon(self.outline)
        shapely.prepare(shape)
        return shape

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        xs, ys = zip(*self.outline, strict=True)
        return min(xs), min(ys), max(xs), max(ys)

    @cached_property
    def grid(self) -> np.ndarray:
        """Per cell of the bounding box (rows south to north, columns west to east): wholly outside the
        outline (0), wholly inside (1) or crossed by it (2)."""
        west, south, east, north = self.bbox
        nx, ny = int(np.ceil((east - west) / CELL_DEGREES)), int(np.ceil((north - south) / CELL_DEGREES))
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
        x0, y0 = west + ix.ravel() * CELL_DEGREES, south + iy.ravel() * CELL_DEGREES
        cells = shapely.box(x0, y0, x0 + CELL_DEGREES, y0 + CELL_DEGREES)
        state = np.full(len(cells), _EDGE, dtype=np.uint8)
        state[shapely.contains_properly(self.polygon, cells)] = _IN
        state[~shapely.intersects(self.polygon, cells)] = _OUT
        return state.reshape(ny, nx)

    def in_box(self, lon, lat) -> np.ndarray:
        """True where (lon, lat) lies in the bounding box (NaN: False)."""
        x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        west, south, east, north = self.bbox
        with np.errstate(invalid="ignore"):
            return (x >= west) & (x <= east) & (y >= south) & (y <= north)

    def contains(self, lon, lat) -> np.ndarray:
        """True where (lon, lat) lies in the region (NaN: False); the box first, the outline on what it kept."""
        x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out = self.in_box(x, y)
        if not out.any():
            return out
        west, south = self.bbox[:2]
        grid = self.grid
        ix = np.clip(((x[out] - west) / CELL_DEGREES).astype(np.int64), 0, grid.shape[1] - 1)
        iy = np.clip(((y[out] - south) / CELL_DEGREES).astype(np.int64), 0, grid.shape[0] - 1)
        state = grid[iy, ix]
        decided = state == _IN
        edge = state == _EDGE
        if edge.any():
            decided[edge] = shapely.contains_xy(self.polygon, x[out][edge], y[out][edge])
        out[out] = decided
        return out

    def intersects(self, geometries) -> np.ndarray:
        """True where a geometry (shapely, EPSG:4326) touches the region; None or empty: False."""
        geoms = np.asarray(geometries, dtype=object)
        out = np.zeros(len(geoms), dtype=bool)
        present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if present.any():
            out[present] = shapely.intersects(self.polygon, geoms[present])
        return out


REGION = Region(
    key="kg-tj-fergana",
    label=f"the border region (Kyrgyzstan, Tajikistan and the Fergana valley, with {MARGIN_KM:g} km around them)",
    outline=OUTLINE,
)
