"""Lengths and areas on the WGS84 ellipsoid.

Degrees are not distances: a degree of longitude at 40° N is 85 km, a degree
of latitude 111 km. Everything borderviz reports in km or km² is computed
here, geodesically, with :class:`pyproj.Geod`.

>>> from shapely import LineString
>>> round(length_km(LineString([(70.0, 40.0), (71.0, 40.0)])), 1)
85.4
"""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

WGS84 = Geod(ellps="WGS84")


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length in km of a (multi)line, or of a polygon's boundary."""
    return WGS84.geometry_length(geom) / 1000.0


def area_km2(geom: BaseGeometry) -> float:
    """Geodesic area in km² of a (multi)polygon, whatever its ring orientation."""
    area, _perimeter = WGS84.geometry_area_perimeter(geom)
    return abs(area) / 1e6
