"""The country of an imported incident whose file gives none (or one borderviz does not know), from its place.

A row's point is looked up in the countries layer (``data/countries.geojson``: Kyrgyzstan, Tajikistan and
Uzbekistan from OpenStreetMap, in its 2017 and its 2024 version): the country whose polygon holds it in
both versions; ``disputed`` where the two versions disagree (the land changed hands between them on the
map, or one version puts it outside the three countries); nothing where both put it outside (the row keeps
``other``). Without this a point plainly inside Kyrgyzstan would be ``other``, and the app's country filter
would drop it. :func:`fill` does it for a mapped import's columns and says what it did, for the import's
summary. Points are tested with :func:`shapely.contains_xy` on prepared polygons, all rows at once, and only
the rows that need it.

>>> place([70.58, 72.79], [39.86, 40.93])  # Vorukh (a Tajik exclave), Osh
['TJ', 'KG']
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from borderviz.model.schema import COUNTRIES

KNOWN = (*COUNTRIES, "disputed")


@functools.lru_cache(maxsize=1)
def _polygons() -> dict[int, list[tuple[str, object]]]:
    """{vintage: [(country, prepared polygon)]} from the countries layer (read once per process)."""
    from borderviz.model.layers import read_layer

    frame = read_layer("countries")
    out: dict[int, list[tuple[str, object]]] = {}
    for country, vintage, geom in zip(frame["country"], frame["vintage"], frame.geometry, strict=True):
        shapely.prepare(geom)
        out.setdefault(int(vintage), []).append((str(country), geom))
    return out


def _in_vintage(polygons: list[tuple[str, object]], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    found = np.full(len(x), None, dtype=object)
    for country, geom in polygons:
        inside = shapely.contains_xy(geom, x, y)
        found[inside & (found == None)] = country  # noqa: E711 (element-wise)
    return found


def place(x, y) -> list[str | None]:
    """The country of each point: KG, TJ or UZ where both versions agree, ``disputed`` where they do not,
    None where both put it outside the three countries."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    versions = [_in_vintage(polygons, x, y) for _, polygons in sorted(_polygons().items())]
    first, *others = versions
    out = first.copy()
    for other in others:
        differ = (out != other) & ~((out == None) & (other == None))  # noqa: E711
        out[differ] = "disputed"
    return out.tolist()


def fill(country: pa.Array, x: np.ndarray, y: np.ndarray) -> tuple[pa.Array, dict[str, int]]:
    """The country column with every ``other`` (no country, or one unknown) taken from the point where it lies
    in a country; and {country: rows so placed}, for the summary."""
    country = country.cast(pa.string()) if not pa.types.is_string(country.type) else country
    unknown = pc.fill_null(pc.equal(country, "other"), True).to_numpy(zero_copy_only=False)
    usable = unknown & np.isfinite(x) & np.isfinite(y)
    rows = np.flatnonzero(usable)
    if not len(rows):
        return country, {}
    found = np.asarray(place(x[rows], y[rows]), dtype=object)
    hit = found != None  # noqa: E711
    if not hit.any():
        return country, {}
    values = np.asarray(country.to_numpy(zero_copy_only=False), dtype=object)
    values[rows[hit]] = found[hit]
    counts = {c: int((found[hit] == c).sum()) for c in KNOWN if (found[hit] == c).any()}
    return pa.array(values, pa.string()), counts


def note(counts: dict[str, int], file: str) -> str:
    """One sentence for the import summary ('' when no row was placed)."""
    if not counts:
        return ""
    total = sum(counts.values())
    parts = ", ".join(f"{c} {n}" for c, n in counts.items())
    disputed = " (disputed: the two versions disagree there)" if "disputed" in counts else ""
    return (f"{file}: {total:,} row{'s' if total != 1 else ''} without a known country got one from where "
            f"{'they lie' if total != 1 else 'it lies'} in the OpenStreetMap countries of 2017 and 2024: "
            f"{parts}{disputed}")
