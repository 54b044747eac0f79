"""Incidents to columns: days, places, codes and text tables, sorted for the browser's window search."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from conftest import incident

from borderviz.maps import packet, points


def _decode(blob):
    return packet.unpack(blob)


def test_builtin_incidents_carry_their_sources_and_figures(frames):
    header, cols = _decode(points.encode(frames["incidents"]))
    assert header["n"] == len(frames["incidents"]) and header["origin"] == "builtin"
    assert (cols["d0"][1:] >= cols["d0"][:-1]).all()  # sorted by first day
    row = header["rows"][0]
    assert row["sources"] and all("url" in s or "file" in s for s in row["sources"])
    assert set(header["ids"]) == set(frames["incidents"]["id"])
    assert header["maxSpan"] >= 0 and (cols["d1"] >= cols["d0"]).all()


def test_days_types_and_killed_are_coded(make_incidents):
    inc = make_incidents([incident(id="a", date_start="2022-09-14", date_end="2022-09-16", killed_total=None,
                                   killed_kg=None, figures=[]),
                          incident(id="b", date_start="2021-04-29", event_type="shooting")])
    header, cols = _decode(points.encode(inc))
    assert header["ids"] == ["b", "a"]
    assert cols["d0"].tolist() == [18746, 19249] and cols["d1"].tolist() == [18746, 19251]
    assert [header["types"][t] for t in cols["t"]] == ["shooting", "armed_clash"]
    assert cols["k"].tolist() == [2, -1]  # -1: not reported


def test_imported_rows_keep_their_text_literally():
    hostile = "{{ 7*191 }} <img src=x onerror=alert(1)> {% for x in y %}"
    frame = gpd.GeoDataFrame({"id": ["x1", "x2"], "date_start": pd.to_datetime(["2022-09-16", "2022-09-17"]),
                              "event_type": ["something new", "armed_clash"], "place_reported": [hostile, None],
                              "location_precision": ["settlement", "district"], "killed_total": [1e20, 3],
                              "possible_duplicate_of": [None, "2022-09-16-x"], "description": [hostile, ""]},
                             geometry=gpd.points_from_xy([70.9, 70.8], [39.9, 39.8]), crs=4326)
    header, cols = _decode(points.encode(frame, origin="imported", dataset="csv", file="{{ 7*7 }}.csv"))
    assert header["places"][cols["place"][0]] == hostile and header["file"] == "{{ 7*7 }}.csv"
    assert header["descriptions"][0] == hostile and header["duplicates"] == {"1": "2022-09-16-x"}
    assert "something new" in header["types"]  # an unknown type extends the vocabulary, never lost
    assert cols["k"].tolist() == [-1, 3]  # out-of-range figures are not drawn as numbers


def test_large_imports_leave_descriptions_to_the_table():
    n = points.FULL_DETAILS_MAX_ROWS + 1
    frame = gpd.GeoDataFrame({"id": [str(i) for i in range(n)], "date_start": pd.Timestamp("2020-01-01"),
                              "event_type": "armed_clash", "place_reported": "p", "location_precision": "district",
                              "description": "long text"},
                             geometry=gpd.points_from_xy([70.0] * n, [40.0] * n), crs=4326)
    header, cols = _decode(points.encode(frame, origin="imported"))
    assert "descriptions" not in header and len(cols["x"]) == n
