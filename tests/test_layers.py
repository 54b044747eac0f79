"""Loading validates rows, geometry and files, and reports every problem at once."""

from __future__ import annotations

import json

import pytest
import shapely
from conftest import incident

from borderviz.errors import DataError
from borderviz.model import layers
from borderviz.model.schema import LAYERS


def _write(folder, features, **extra):
    fc = {"type": "FeatureCollection", "features": features, **extra}
    (folder / "incidents.geojson").write_text(json.dumps(fc), encoding="utf-8")


def _feature(geometry=None, **overrides):
    return {"type": "Feature", "properties": incident(**overrides),
            "geometry": geometry or {"type": "Point", "coordinates": [70.5, 39.9]}}


def test_a_valid_layer_loads_with_typed_columns(tmp_path):
    _write(tmp_path, [_feature()])
    frame = layers.read_layer("incidents", tmp_path)
    assert str(frame["date_start"].dtype).startswith("datetime64")
    assert str(frame["killed_tj"].dtype) == "Int64" and frame["killed_tj"].isna().all()
    assert frame.crs.to_epsg() == 4326
    assert frame["sources"].iloc[0][0]["publisher"] == "Test outlet"


def test_every_problem_is_reported_together_naming_file_feature_and_field(tmp_path):
    _write(tmp_path, [
        _feature(id="a", event_type="bombing"),
        _feature(id="b", date_start="29/04/2021"),
        _feature(id="c", killed_kg=-1, sources=[]),
        _feature(id="d", date_start="2021-05-02", date_end="2021-05-01"),
        _feature(id="a"),
    ])
    with pytest.raises(DataError) as caught:
        layers.read_layer("incidents", tmp_path)
    text = str(caught.value)
    assert "incidents.geojson, feature 1 (id 'a'): event_type 'bombing' is not one of" in text
    assert "feature 2 (id 'b'): date_start '29/04/2021' is not a date" in text
    assert "feature 3 (id 'c'): killed_kg -1 is below the minimum 0" in text
    assert "feature 3 (id 'c'): sources must be a non-empty list" in text
    assert "feature 4 (id 'd'): date_end 2021-05-01 is before date_start 2021-05-02" in text
    assert "id 'a': id is not unique" in text
    assert len(caught.value.problems) == 6


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [1000, 39.9]}, "coordinates out of range"),
        ({"type": "Point", "coordinates": [70.5, 1e308 * 10]}, "non-finite"),
        ({"type": "LineString", "coordinates": [[70, 39], [71, 40]]}, "geometry is a LineString, expected Point"),
        ({"type": "Polygon", "coordinates": [[[70, 39], [71, 40]]]}, "geometry cannot be read"),
    ],
)
def test_bad_geometry_is_named(tmp_path, geometry, message):
    _write(tmp_path, [_feature(geometry=geometry)])
    with pytest.raises(DataError, match=message):
        layers.read_layer("incidents", tmp_path)


def test_invalid_polygon_gives_the_reason(tmp_path):
    bowtie = shapely.Polygon([(70, 39), (71, 40), (71, 39), (70, 40)])
    spec = LAYERS["enclaves"]
    _frame, problems = layers.build_frame(spec, [{"id": "x"}], [bowtie], "enclaves.geojson")
    assert any("geometry is invalid (Self-intersection" in str(p) for p in problems)


def test_other_crs_and_unknown_columns_are_refused(tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32642"}}
    feature = _feature()
    feature["properties"]["colour"] = "red"
    _write(tmp_path, [feature], crs=crs)
    with pytest.raises(DataError) as caught:
        layers.read_layer("incidents", tmp_path)
    assert "declares CRS 'urn:ogc:def:crs:EPSG::32642'" in str(caught.value)
    assert "unexpected column(s): colour" in str(caught.value)


def test_malformed_json_names_line_and_column(tmp_path):
    (tmp_path / "incidents.geojson").write_text('{"type": "FeatureCollection", "features": [\n{oops}]}')
    with pytest.raises(DataError, match=r"line 2 column 2: not valid JSON"):
        layers.read_layer("incidents", tmp_path)


def test_missing_file_is_a_problem_not_a_crash(tmp_path):
    frame, problems = layers.load_layer("incidents", tmp_path)
    assert frame.empty and "file not found" in str(problems[0])


@pytest.mark.parametrize(("value", "ok"), [("2021", True), ("2021-04", True), ("2021-04-29", True),
                                           ("2021-13", False), ("late 2024", False)])
def test_partial_dates(value, ok):
    field = LAYERS["casualty_reports"].field("reported_on")
    if ok:
        assert layers.parse_value(field, value) == value
    else:
        with pytest.raises(ValueError):
            layers.parse_value(field, value)


def test_dump_geojson_is_deterministic_and_reads_back(tmp_path, make_incidents):
    frame = make_incidents([incident(place_reported="Ворух `x`")])
    spec = LAYERS["incidents"]
    rows = frame.drop(columns="geometry").to_dict("records")
    text = layers.dump_geojson(spec, rows, list(frame.geometry))
    assert text == layers.dump_geojson(spec, rows, list(frame.geometry))
    (tmp_path / "incidents.geojson").write_text(text, encoding="utf-8")
    back = layers.read_layer("incidents", tmp_path)
    assert back["place_reported"].iloc[0] == "Ворух `x`"
