"""The drawn enclave polygons are compared with the published areas, in plain words."""

from __future__ import annotations

import pytest

from borderviz.model.enclaves import area_sentence, area_text

KROGH = {"km2": 130, "qualifier": "exact", "publisher": "Krogh"}
RUWIKI = {"km2": 85, "qualifier": "exact", "publisher": "Wikipedia (ru)"}
OFFICIAL_35_HA = {"km2": 0.35, "qualifier": "exact", "publisher": "24.kg", "official": True}

# (drawn km², published, text the sentence must hold)
CASES = [
    (33.21, [RUWIKI, KROGH], "61% less than the smallest published area (85 km², Wikipedia (ru))"),
    (97.69, [RUWIKI, KROGH], "within the published range"),
    (400.0, [RUWIKI, KROGH], "3.1 times the largest published area (130 km², Krogh)"),
    (1.0, [OFFICIAL_35_HA, {"km2": 1.0, "qualifier": "up_to", "publisher": "X"}],
     "2.9 times the official area (35 ha, 24.kg); other published figures: up to 1 km², X"),
    (43.29, [{"km2": 38.2, "qualifier": "exact", "publisher": "Krogh"}],
     "1.1 times the published area (38.2 km², Krogh)"),
    (234.57, [{"km2": 220, "publisher": "A"}, {"km2": 228.8, "publisher": "Krogh"}], "close to the published range"),
    (2.85, [], "no published area is recorded"),
    (2.85, None, "no published area is recorded"),
]


@pytest.mark.parametrize(("drawn", "published", "expected"), CASES)
def test_area_sentence_says_how_the_drawn_area_compares(drawn, published, expected):
    text = area_sentence(drawn, 2024, published)
    assert text.startswith(f"Drawn here: {area_text(drawn)} (OSM 2024 polygon)")
    assert expected in text


def test_the_layer_carries_published_areas_with_sources(frames):
    enclaves = frames["enclaves"].set_index("id")
    vorukh = enclaves.loc["vorukh-2024"]
    assert vorukh["published_area_min_km2"] == 85 and vorukh["published_area_max_km2"] == 380
    assert all(p["url"].startswith("http") for p in vorukh["published_areas"])
    assert "less than the smallest published area" in vorukh["area_comparison"]
    assert "35 ha" in enclaves.loc["kayragach-2024", "area_comparison"]
