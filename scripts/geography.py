"""Derive the border geography from the OSM country polygons in data/sources/osm.

Pure functions from source polygons to the border_lines, enclaves and
vintage_differences layers. Nothing here simplifies geometry: the sources are
already simplified to about 10 m, and every derived line and polygon is built
from the same source rings, so neighbours keep one shared edge.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import linemerge, unary_union

from borderviz.model.geodesy import area_km2, length_km

VINTAGE_FILES = {2017: "osm_2017_kgz_tjk_uzb.geojson", 2024: "osm_2024_kgz_tjk_uzb.geojson"}
ISO3_TO_2 = {"KGZ": "KG", "TJK": "TJ", "UZB": "UZ"}

# Patches where the vintages disagree smaller than this are left out of the
# layer (they are strips along the whole line from the two sources' different
# simplification); their number and total area are recorded in each note.
MIN_DIFFERENCE_KM2 = 0.1


@dataclass(frozen=True)
class Vintage:
    """The three countries' territories in one OSM vintage, as valid (multi)polygons.

    ``KG`` has the enclaves of its neighbours cut out (the 2017 source has no
    holes for them).
    """

    year: int
    countries: dict[str, BaseGeometry]


def _polygons(geom: BaseGeometry) -> list[BaseGeometry]:
    out: list[BaseGeometry] = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "GeometryCollection":
            out += _polygons(part)
        elif part.geom_type in ("Polygon", "MultiPolygon"):
            out += list(shapely.get_parts(part))
    return out


def load_vintage(osm_dir: Path, year: int) -> Vintage:
    """Read one vintage, repair it with make_valid, and resolve the overlaps.

    The 2017 polygons have no holes where a neighbour's exclave lies (KG has
    none for Vorukh or Sokh, UZ none for Barak or Sarvan). Every part of a
    country other than its largest (its mainland) is cut out of the other
    two; then TJ and UZ are cut out of KG, whose 2017 outline also overlaps
    their mainlands slightly.
    """
    fc = json.loads((osm_dir / VINTAGE_FILES[year]).read_text(encoding="utf-8"))
    parts = {}
    for feat in fc["features"]:
        iso2 = ISO3_TO_2[feat["properties"]["iso_a3"]]
        parts[iso2] = _polygons(shapely.make_valid(shape(feat["geometry"])))
    outlying = {}
    for iso2, polys in parts.items():
        mainland = max(polys, key=lambda p: p.area)
        outlying[iso2] = unary_union([p for p in polys if p is not mainland])
    countries = {
        iso2: unary_union(polys).difference(
            unary_union([outlying[other] for other in parts if other != iso2])
        )
        for iso2, polys in parts.items()
    }
    countries["KG"] = countries["KG"].difference(countries["TJ"]).difference(countries["UZ"])
    return Vintage(year, countries)


def shared_line(a: BaseGeometry, b: BaseGeometry) -> list[BaseGeometry]:
    """The edges two neighbouring territories share, merged into connected lines.

    The sources share vertices along common borders, so the exact intersection
    of the two boundaries is the border itself (checked: it equals the length
    of the boundary within 1 m of the neighbour to 0.002 km).
    """
    common = a.boundary.intersection(b.boundary)
    lines = [g for g in shapely.get_parts(common) if g.geom_type in ("LineString", "MultiLineString")]
    merged = linemerge(unary_union(lines))
    return list(shapely.get_parts(merged))


@dataclass(frozen=True)
class EnclaveAnchor:
    """A published point inside an enclave, used to find its polygon in each vintage."""

    enclave: str
    owner: str
    host: str
    lon: float
    lat: float


def find_enclave(vintage: Vintage, anchor: EnclaveAnchor) -> BaseGeometry | None:
    """The owner's polygon containing the anchor, if it lies inside the host's outline."""
    point = shapely.Point(anchor.lon, anchor.lat)
    host_outline = unary_union([shapely.Polygon(p.exterior) for p in _polygons(vintage.countries[anchor.host])])
    for poly in _polygons(vintage.countries[anchor.owner]):
        if poly.contains(point) and host_outline.buffer(1e-6).contains(poly):
            return poly
    return None


def main_and_perimeters(vintage: Vintage) -> tuple[BaseGeometry, list[BaseGeometry]]:
    """Split the KG–TJ shared line into the main line and the closed exclave perimeters."""
    parts = shared_line(vintage.countries["KG"], vintage.countries["TJ"])
    closed = [p for p in parts if p.is_ring]
    open_ = [p for p in parts if not p.is_ring]
    if len(open_) != 1:
        raise ValueError(f"{vintage.year}: expected one open main line, found {len(open_)}")
    return start_at_uzbek_tripoint(open_[0], vintage.countries["UZ"]), closed


def start_at_uzbek_tripoint(line: BaseGeometry, uzbekistan: BaseGeometry) -> BaseGeometry:
    """Orient the main line to run from the KG–TJ–UZ tripoint to the Chinese tripoint."""
    first, last = shapely.Point(line.coords[0]), shapely.Point(line.coords[-1])
    return line if first.distance(uzbekistan) <= last.distance(uzbekistan) else shapely.reverse(line)


def vintage_differences(old: Vintage, new: Vintage) -> list[tuple[str, str, BaseGeometry]]:
    """Land one vintage gives to KG and the other to TJ: (in_old, in_new, polygon) patches."""
    patches = []
    for in_old, in_new in (("KG", "TJ"), ("TJ", "KG")):
        overlap = old.countries[in_old].intersection(new.countries[in_new])
        patches += [(in_old, in_new, p) for p in _polygons(overlap)]
    return patches


def split_by_size(
    patches: list[tuple[str, str, BaseGeometry]],
) -> tuple[list[tuple[str, str, BaseGeometry, float]], int, float]:
    """Keep patches of at least MIN_DIFFERENCE_KM2; count and sum the slivers left out."""
    kept, dropped, dropped_km2 = [], 0, 0.0
    for in_old, in_new, poly in patches:
        area = area_km2(poly)
        if area >= MIN_DIFFERENCE_KM2:
            kept.append((in_old, in_new, poly, area))
        else:
            dropped += 1
            dropped_km2 += area
    kept.sort(key=lambda p: (-p[3], p[2].representative_point().x))
    return kept, dropped, dropped_km2


__all__ = [
    "EnclaveAnchor",
    "MIN_DIFFERENCE_KM2",
    "Vintage",
    "area_km2",
    "find_enclave",
    "length_km",
    "load_vintage",
    "main_and_perimeters",
    "shared_line",
    "split_by_size",
    "vintage_differences",
]
