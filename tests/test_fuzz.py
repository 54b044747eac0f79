"""Fuzzing the CSV and GeoJSON readers with Hypothesis: any input is imported or refused with an InputError.

Bounded (a fixed number of examples, no deadline on a shared machine), and
derandomised so CI runs the same examples every time.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borderviz.errors import InputError
from borderviz.io import importers

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["2022-09-14", "14 April 2016", "9999-12-31", "1e20",
                                                         "-1", "1,000", "nan", "39.9", "70.5", "", " ", '"', "\r"]),
                  st.floats(allow_nan=True).map(str), st.integers().map(str))
HEADERS = st.lists(st.sampled_from(["id", "date", "Date", "latitude", "longitude", "lat", "lon", "killed",
                                    "place", "event_type", "source", "end", "x", ""]), min_size=1, max_size=7)


def outcome(name: str, data: bytes, builtin):
    try:
        result = importers.import_file(name, data, builtin)
    except InputError as exc:
        assert exc.problems and all(p.file == name for p in exc.problems)
        return None
    assert len(result.frame) >= 1 and result.frame["id"].is_unique
    return result


@pytest.fixture(scope="module")
def builtin(frames):
    return frames["incidents"]


@FUZZ
@given(header=HEADERS, rows=st.lists(st.lists(CELLS, min_size=1, max_size=8), max_size=6),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-16", "cp1251"]))
def test_fuzzed_csv_is_imported_or_refused(builtin, header, rows, delimiter, encoding):
    text = "\n".join(delimiter.join(r) for r in [header, *rows])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    outcome("fuzz.csv", data, builtin)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzzed_bytes_as_csv_are_imported_or_refused(builtin, raw):
    outcome("fuzz.csv", b"date,latitude,longitude\n" + raw, builtin)


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                           lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                   st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                           max_leaves=12)
GEOMETRIES = st.one_of(
    JSON_VALUES,
    st.builds(lambda t, c: {"type": t, "coordinates": c},
              st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "GeometryCollection", "Nope"]),
              JSON_VALUES),
    st.builds(lambda x, y: {"type": "Point", "coordinates": [x, y]}, st.floats(), st.floats()))
FEATURES = st.builds(
    lambda props, geom, kind: {"type": kind, "properties": props, "geometry": geom},
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["id", "date", "place", "killed", "source", "x"]),
                                         st.one_of(JSON_VALUES, st.sampled_from(["2022-09-14", "9999-12-31"])),
                                         max_size=5)),
    GEOMETRIES, st.sampled_from(["Feature", "Feature", "Feature", "Other"]))


@FUZZ
@given(features=st.lists(FEATURES, max_size=5), crs=st.one_of(st.none(), JSON_VALUES))
def test_fuzzed_geojson_is_imported_or_refused(builtin, features, crs):
    doc = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        doc["crs"] = crs
    outcome("fuzz.geojson", json.dumps(doc).encode(), builtin)


@FUZZ
@given(doc=JSON_VALUES)
def test_fuzzed_json_documents_are_imported_or_refused(builtin, doc):
    outcome("fuzz.geojson", json.dumps(doc).encode(), builtin)
