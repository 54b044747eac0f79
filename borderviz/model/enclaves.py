"""How a drawn enclave polygon compares with the areas published for it.

The polygons come from OpenStreetMap in two vintages and often disagree with
each other and with published figures (Vorukh: 97.7 km² in 2017, 33.2 km² in
2024; 85–380 km² published). :func:`area_sentence` says so in one plain
sentence for a popup; it never picks a "true" area.

>>> text = area_sentence(33.21, 2024, [{"km2": 85, "publisher": "Wikipedia (ru)"},
...                                    {"km2": 130, "publisher": "Krogh"}])
>>> text.split("; ")[0]
'Drawn here: 33.2 km² (OSM 2024 polygon), 61% less than the smallest published area (85 km², Wikipedia (ru))'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "about": "about ", "up_to": "up to "}


def area_text(km2: float) -> str:
    """An area as a reader says it: '97.7 km²', '35 ha' below 1 km²."""
    if km2 < 1:
        return f"{km2 * 100:.3g} ha"
    return f"{km2:,.1f}".rstrip("0").rstrip(".") + " km²"


def _figure(p: dict[str, Any]) -> str:
    return f"{QUALIFIER_WORDS.get(p.get('qualifier') or 'exact', '')}{area_text(float(p['km2']))}, {p['publisher']}"


def _range(lo: float, hi: float) -> str:
    return f"published areas range from {area_text(lo)} to {area_text(hi)}"


def _compare(area_km2: float, figure: dict[str, Any], what: str) -> str:
    """'61% less than the smallest published area (85 km², …)' and the like."""
    km2 = float(figure["km2"])
    if area_km2 < km2 * 0.95:
        return f"{round(100 * (1 - area_km2 / km2))}% less than {what} ({_figure(figure)})"
    if area_km2 > km2 * 1.05:
        return f"{area_km2 / km2:.1f} times {what} ({_figure(figure)})"
    return f"about {what} ({_figure(figure)})"


def area_sentence(area_km2: float, vintage: int, published: Sequence[dict[str, Any]] | None) -> str:
    """One sentence comparing the drawn polygon's area with the published ones.

    ``published`` holds dicts with ``km2``, ``qualifier`` (exact / about /
    up_to / at_least), ``publisher`` and optionally ``official`` (a figure
    given by a government), as in the enclaves layer's ``published_areas``.
    An official figure is the one compared with; otherwise the published range.
    """
    drawn = f"Drawn here: {area_text(area_km2)} (OSM {vintage} polygon)"
    figures = [p for p in published or [] if p.get("km2") is not None]
    if not figures:
        return f"{drawn}; no published area is recorded for it."
    official = [p for p in figures if p.get("official")]
    others = [p for p in figures if not p.get("official")]
    if official:
        tail = f"; other published figures: {'; '.join(_figure(p) for p in others)}" if others else ""
        return f"{drawn}, {_compare(area_km2, official[-1], 'the official area')}{tail}."
    low = min(figures, key=lambda p: float(p["km2"]))
    high = max(figures, key=lambda p: float(p["km2"]))
    lo, hi = float(low["km2"]), float(high["km2"])
    if lo == hi:
        return f"{drawn}, {_compare(area_km2, low, 'the published area')}."
    spread = _range(lo, hi)
    if area_km2 < lo * 0.95:
        return f"{drawn}, {_compare(area_km2, low, 'the smallest published area')}; {spread}."
    if area_km2 > hi * 1.05:
        return f"{drawn}, {_compare(area_km2, high, 'the largest published area')}; {spread}."
    where = "within" if lo <= area_km2 <= hi else "close to"
    nearest = min(figures, key=lambda p: abs(float(p["km2"]) - area_km2))
    return f"{drawn}, {where} the published range; nearest is {_figure(nearest)}. {spread[0].upper()}{spread[1:]}."
