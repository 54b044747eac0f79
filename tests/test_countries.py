"""Imports without a (known) country take it from where each point lies: the countries layer, disputed where
its 2017 and 2024 versions disagree; the import's summary says so."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import shapely

from borderviz.io import countries, importers

# Batken town (KG), Isfara (TJ), Vorukh (a Tajik exclave inside Kyrgyzstan), Osh (KG): no country column.
TOWNS = (b"id,date,latitude,longitude,place\n"
         b"t1,2022-09-14,40.0600,70.8200,Batken town\n"
         b"t2,2022-09-15,40.2700,70.5700,Isfara\n"
         b"t3,2022-09-16,39.8560,70.5840,Vorukh\n"
         b"t4,2022-09-16,40.53,72.80,Osh\n")


def test_points_get_the_country_they_lie_in(frames):
    result = importers.import_file("towns.csv", TOWNS, frames["incidents"])
    assert dict(zip(result.table.column("id").to_pylist(), result.table.column("country").to_pylist(),
                    strict=True)) == {"file-t1": "KG", "file-t2": "TJ", "file-t3": "TJ", "file-t4": "KG"}
    facts = importers.summary(result)
    assert facts["placed"] == {"KG": 2, "TJ": 2}
    assert "4 rows without a known country got one" in facts["placed_note"] and "KG 2, TJ 2" in facts["placed_note"]


def test_a_country_the_file_gives_is_kept_and_an_unknown_one_is_placed(frames):
    data = TOWNS.replace(b"id,date,latitude,longitude,place", b"id,date,latitude,longitude,place,country")
    lines = data.split(b"\n")
    lines[1] += b",TJ"  # wrong, but the file's own word: kept
    lines[2] += b",Atlantis"  # unknown: placed
    lines[3] += b","
    lines[4] += b",Kyrgyzstan"
    result = importers.import_file("towns.csv", b"\n".join(lines), frames["incidents"])
    assert result.table.column("country").to_pylist() == ["TJ", "TJ", "TJ", "KG"]
    assert result.placed == {"TJ": 2}


def test_disputed_where_the_two_versions_disagree(frames):
    differences = frames["vintage_differences"]
    points = [shapely.get_coordinates(shapely.point_on_surface(g))[0] for g in differences.geometry[:5]]
    x, y = np.array([p[0] for p in points]), np.array([p[1] for p in points])
    placed = countries.place(x, y)
    assert set(placed) == {"disputed"}, placed
    filled, counts = countries.fill(pa.array(["other"] * len(x)), x, y)
    assert filled.to_pylist() == ["disputed"] * len(x) and counts == {"disputed": len(x)}


def test_points_outside_the_three_countries_stay_other():
    filled, counts = countries.fill(pa.array(["other", None]), np.array([2.35, np.nan]), np.array([48.85, 40.0]))
    assert filled.to_pylist() == ["other", None] and counts == {}
