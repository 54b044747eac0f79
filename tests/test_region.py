"""The border region: its outline from the sources, and the filter an import pushes into its read.

Files are built here in code; the region's own shapes come from data/sources/osm (OpenStreetMap).
"""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import pytest
import shapely
from typer.testing import CliRunner

from borderviz.cli import app
from borderviz.errors import InputError
from borderviz.io import formats, importers
from borderviz.model import region
from borderviz.model.region import REGION

LOCAL = "+proj=aeqd +lat_0=40 +lon_0=72 +datum=WGS84 +units=m +no_defs"


@pytest.fixture(scope="module")
def core(repo):
    import build_region

    return build_region.core(repo / "data" / "sources" / "osm")


@pytest.fixture(scope="module")
def builtin(frames):
    return frames["incidents"]


def _local(geom):
    to = pyproj.Transformer.from_crs(4326, LOCAL, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(to.transform(xy[:, 0], xy[:, 1])))


def _lonlat(geom):
    back = pyproj.Transformer.from_crs(LOCAL, 4326, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def test_the_committed_outline_is_the_one_the_sources_give(repo):
    import build_region

    assert tuple(map(tuple, build_region.outline(repo / "data" / "sources" / "osm"))) == region.OUTLINE


def test_the_region_holds_both_countries_and_the_fergana_valley_with_its_margin(core):
    assert REGION.polygon.contains(core)
    margin = _lonlat(_local(core).buffer(region.MARGIN_KM * 1000))
    assert REGION.polygon.contains(shapely.simplify(margin, 0.001).buffer(-0.005))  # the margin, to ~500 m
    beyond = _lonlat(_local(core).buffer((region.MARGIN_KM + 2 * region.SIMPLIFY_KM + 1) * 1000))
    assert beyond.contains(REGION.polygon)  # and not much more


def test_points_just_inside_and_well_outside_the_margin(core):
    grown = _local(core)
    near = _lonlat(shapely.Polygon(grown.buffer(region.MARGIN_KM * 1000 - 3000).exterior))
    far = _lonlat(shapely.Polygon(grown.buffer((region.MARGIN_KM + 20) * 1000).exterior))
    x, y = shapely.get_coordinates(near).T
    assert REGION.contains(x, y).all()
    x, y = shapely.get_coordinates(far).T
    assert not REGION.contains(x, y).any()


def test_the_grid_decides_as_the_outline_does():
    rng = np.random.default_rng(1)
    west, south, east, north = REGION.bbox
    x, y = rng.uniform(west - 1, east + 1, 200_000), rng.uniform(south - 1, north + 1, 200_000)
    x[:5], y[:5] = np.nan, [0, np.inf, 40, np.nan, 40]
    expected = shapely.contains_xy(REGION.polygon, x, y)
    assert (REGION.contains(x, y) == expected).all()


# --- the filter in the read ---------------------------------------------------------------------------------

HEADER = "id,date,latitude,longitude,place\n"
INSIDE = ["in1,2022-09-14,39.95,70.55,Vorukh", "in2,2022-09-15,40.28,69.62,Khujand",
          "in3,2022-09-16,40.78,72.34,Fergana valley"]
OUTSIDE = ["out1,2022-09-14,48.85,2.35,Paris", "out2,2022-09-14,-33.87,151.21,Sydney",
           "out3,2022-09-14,36.0,66.0,south-west of the margin"]


def _csv(lines: list[str]) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def _ids(result) -> list[str]:
    return sorted(result.table.column("source_id").to_pylist())


def test_a_csv_keeps_exactly_the_region_rows_and_counts_the_rest(builtin):
    mixed = [OUTSIDE[0], INSIDE[0], OUTSIDE[1], INSIDE[1], INSIDE[2], OUTSIDE[2]]
    result = importers.import_file("mixed.csv", _csv(mixed), builtin)
    assert _ids(result) == ["in1", "in2", "in3"]
    assert result.outside == 3 and not result.kept_outside
    assert "3 rows of mixed.csv lay outside the border region" in result.outside_note()
    everything = importers.import_file("mixed.csv", _csv(mixed), builtin, keep_outside=True)
    assert _ids(everything) == sorted(["in1", "in2", "in3", "out1", "out2", "out3"])
    assert everything.outside == 3 and "kept" in everything.outside_note()


def test_rows_left_out_do_not_renumber_the_file(builtin):
    """A problem names the row as the file numbers it, however many rows before it lay outside."""
    lines = [*OUTSIDE, INSIDE[0], "bad,2022-13-40,39.9,70.5,Vorukh"]
    with pytest.raises(InputError) as err:
        importers.import_file("x.csv", _csv(lines), builtin)
    assert any(p.where.startswith("row 6 ") and "not a date" in p.message for p in err.value.problems), err.value


def test_swapped_or_unusable_coordinates_are_reported_not_dropped(builtin):
    lines = [*OUTSIDE, INSIDE[0], "swap,2022-09-14,70.55,39.95,Vorukh", "none,2022-09-14,,,Vorukh"]
    with pytest.raises(InputError) as err:
        importers.import_file("x.csv", _csv(lines), builtin)
    messages = " ".join(p.message for p in err.value.problems)
    assert "appear swapped" in messages and "has no coordinates" in messages


def test_a_file_with_no_row_in_the_region_says_so(builtin):
    with pytest.raises(InputError, match=r"has no rows in the border region \(.*\): all 3 lie outside it"):
        importers.import_file("far.csv", _csv(OUTSIDE), builtin)


def test_a_geoparquet_file_is_filtered_by_its_bbox_statistics(builtin, tmp_path):
    """A worldwide GeoParquet (the export of an import that kept everything) is read back with the row groups
    outside the region skipped by their statistics, and the rest tested against the outline."""
    world = importers.import_file("mixed.csv", _csv([*INSIDE, *OUTSIDE]), builtin, keep_outside=True)
    (path,) = formats.export_to({"imported_incidents": world.table}, "parquet", tmp_path / "world.parquet")
    geo = json.loads(pq.read_metadata(path).metadata[b"geo"])
    assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    back = importers.import_file("world.parquet", path.read_bytes(), builtin)
    assert _ids(back) == ["in1", "in2", "in3"] and back.outside == 3
    assert "bbox" not in back.table.column_names  # the covering is the geometry's, not the file's data
    streamed = importers.import_file("world.parquet", path, builtin)
    assert _ids(streamed) == ["in1", "in2", "in3"] and streamed.outside == 3


def test_row_groups_outside_the_box_are_never_read(builtin, tmp_path):
    """With one row group per row, the scan reads only those whose bbox statistics touch the region's box."""
    from borderviz.io.readers import RegionFilter, parquet

    world = importers.import_file("mixed.csv", _csv([*INSIDE, *OUTSIDE]), builtin, keep_outside=True)
    (path,) = formats.export_to({"imported_incidents": world.table}, "parquet", tmp_path / "world.parquet")
    one_per_row = tmp_path / "groups.parquet"
    table = pq.read_table(path)
    pq.write_table(table, one_per_row, row_group_size=1)
    meta = pq.read_metadata(path).metadata
    rewritten = pq.read_table(one_per_row).replace_schema_metadata(meta)
    pq.write_table(rewritten, one_per_row, row_group_size=1)
    read = []
    original = pq.ParquetFile.iter_batches

    def spy(self, *args, row_groups=None, **kwargs):
        read.extend(row_groups or [])
        return original(self, *args, row_groups=row_groups, **kwargs)

    pq.ParquetFile.iter_batches = spy
    try:
        found = parquet.read_parquet(one_per_row, "groups.parquet", region=RegionFilter(REGION))
    finally:
        pq.ParquetFile.iter_batches = original
    assert found.columns.num_rows == 3 and found.outside == 3
    assert len(read) == 3, read  # the three far rows' groups were skipped unread


def test_vector_files_are_filtered_once_decoded(builtin):
    features = [{"type": "Feature", "properties": {"id": line.split(",")[0], "date": "2022-09-14"},
                 "geometry": {"type": "Point", "coordinates": [float(line.split(",")[3]), float(line.split(",")[2])]}}
                for line in [*INSIDE, *OUTSIDE]]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = importers.import_file("mixed.geojson", data, builtin)
    assert _ids(result) == ["in1", "in2", "in3"] and result.outside == 3


def test_a_geojson_too_large_to_parse_whole_streams_through_gdal(builtin, tmp_path, monkeypatch):
    """Past what memory allows, a GeoJSON is read by GDAL in batches: the same rows, values and problems."""
    from borderviz.io import readers
    from borderviz.io.readers import geojson

    world = importers.import_file("mixed.csv", _csv([*INSIDE, *OUTSIDE]), builtin, keep_outside=True)
    (path,) = formats.export_to({"imported_incidents": world.table}, "geojson", tmp_path / "world.geojson")
    whole = importers.import_file("world.geojson", path, builtin)
    monkeypatch.setattr(readers, "GEOJSON_PARSE_FACTOR", 10**12)
    monkeypatch.setattr(geojson, "GEOJSON_PARSE_FACTOR", 10**12)
    assert not geojson.parsed_whole(path.stat().st_size)
    streamed = importers.import_file("world.geojson", path, builtin)
    assert _ids(streamed) == _ids(whole) == ["in1", "in2", "in3"] and streamed.outside == whole.outside == 3
    keep = ["id", "date_start", "sources", "place", "file_latitude"]
    assert streamed.frame[keep].to_dict("records") == whole.frame[keep].to_dict("records")
    assert streamed.table.schema.field("file_latitude").type == pa.float64()
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                   '{"date": "2022-13-40"}, "geometry": {"type": "Point", "coordinates": [70.5, 39.9]}}]}')
    with pytest.raises(InputError, match=r"feature 1 \(id 'file-1'\): date_start '2022-13-40' is not a date"):
        importers.import_file("bad.geojson", bad, builtin)


def test_the_command_line_says_how_many_rows_lay_outside_and_keeps_them_on_request(tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_bytes(_csv([*INSIDE, *OUTSIDE]))
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(source), "-o", str(tmp_path / "out.parquet")])
    assert result.exit_code == 0, result.output
    assert "3 rows of mixed.csv lay outside the border region" in result.output
    assert "3 incidents from mixed.csv" in result.output
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 3
    prov = json.loads(pq.read_metadata(tmp_path / "out.parquet").metadata[b"borderviz_provenance"])
    assert prov["filters"]["rows_outside_region"] == 3
    kept = runner.invoke(app, ["import", str(source), "--keep-outside", "-o", str(tmp_path / "all.parquet")])
    assert kept.exit_code == 0, kept.output
    assert "kept, as asked" in kept.output and pq.read_table(tmp_path / "all.parquet").num_rows == 6


def test_a_file_larger_than_the_upload_limit_streams_from_disk(builtin, tmp_path, monkeypatch):
    """From disk, a CSV has no size limit: only its rows in the region count (and are bounded)."""
    monkeypatch.setattr(importers, "MAX_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_bytes(_csv(OUTSIDE * 200 + INSIDE))
    assert big.stat().st_size > 1000
    result = importers.import_file("big.csv", big, builtin)
    assert result.outside == 600 and len(result) == 3
    with pytest.raises(InputError, match="the limit is"):
        importers.import_file("big.csv", big.read_bytes(), builtin)  # an upload's bytes are bounded


def test_rows_in_the_region_are_what_the_row_limit_counts(builtin):
    data = _csv(OUTSIDE * 10 + INSIDE)
    assert len(importers.import_file("x.csv", data, builtin, max_rows=3)) == 3
    with pytest.raises(InputError, match="more than 2 rows in the border region"):
        importers.import_file("x.csv", data, builtin, max_rows=2)


def test_the_table_stays_arrow_until_the_app_asks_for_a_frame(builtin):
    result = importers.import_file("x.csv", _csv(INSIDE), builtin)
    assert isinstance(result.table, pa.Table) and result._frame is None
    assert len(result.frame) == 3 and result._frame is not None
    assert io is not None  # (imported for the fixtures' bytes)
