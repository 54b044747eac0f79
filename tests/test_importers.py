"""Importing a user's own incident files: ACLED, UCDP GED and generic files, and refusing bad ones.

Every sample file is built here in code. The ACLED and UCDP rows are synthetic (ACLED's terms
forbid redistributing its rows): they only borrow each dataset's column layout.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from borderviz.errors import InputError
from borderviz.io import importers
from borderviz.model.schema import IMPORTED_INCIDENTS

ACLED_HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
UCDP_HEADER = [
    "id",
    "relid",
    "year",
    "type_of_violence",
    "conflict_name",
    "dyad_name",
    "side_a",
    "side_b",
    "source_article",
    "where_prec",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "country",
    "country_id",
]


# --- sample files -------------------------------------------------------------------------------


def csv_bytes(header: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def builtin(frames):
    return frames["incidents"]


@pytest.fixture(scope="module")
def near_builtin(builtin):
    """(id, ISO date, lat, lon) about 1 km north of a built-in incident, the day after it."""
    row = builtin.iloc[1]
    day = (row["date_start"] + __import__("datetime").timedelta(days=1)).date().isoformat()
    return row["id"], day, round(row.geometry.y + 0.009, 5), round(row.geometry.x, 5)


def acled_row(**overrides) -> dict:
    row = {
        "event_id_cnty": "KGZ9001",
        "event_date": "2016-03-10",
        "year": "2016",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Kyrgyzstan (2010-)",
        "assoc_actor_1": "",
        "inter1": "1",
        "actor2": "Military Forces of Tajikistan (1994-)",
        "assoc_actor_2": "",
        "inter2": "8",
        "interaction": "18",
        "civilian_targeting": "",
        "iso": "417",
        "region": "Caucasus and Central Asia",
        "country": "Kyrgyzstan",
        "admin1": "Batken",
        "admin2": "Batken",
        "admin3": "Ak-Sai",
        "location": "Ak-Sai",
        "latitude": "39.8744",
        "longitude": "70.5221",
        "geo_precision": "1",
        "source": "24.kg",
        "source_scale": "National",
        "notes": "Synthetic test row: exchange of fire.",
        "fatalities": "0",
        "tags": "",
        "timestamp": "1700000000",
    }
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def acled_file(near_builtin) -> bytes:
    ident, day, lat, lon = near_builtin
    return csv_bytes(
        ACLED_HEADER,
        [
            acled_row(),
            acled_row(
                event_id_cnty="TJK9002",
                event_date="14 April 2016",
                country="Tajikistan",
                iso="762",
                admin1="Sughd",
                admin2="Isfara",
                location="Vorukh",
                latitude="39.8514",
                longitude="70.5801",
                geo_precision="2",
                event_type="Riots",
                sub_event_type="Mob violence",
                fatalities="1",
                notes="Synthetic: stone-throwing between residents.",
            ),
            acled_row(
                event_id_cnty="KGZ9003",
                event_date="2016-06-01",
                time_precision="3",
                event_type="Strategic developments",
                sub_event_type="Agreement",
                location="Kok-Tash",
                latitude="39.9491",
                longitude="70.5280",
                geo_precision="3",
                fatalities="0",
            ),
            acled_row(
                event_id_cnty="KGZ9004",
                event_date=day,
                latitude=str(lat),
                longitude=str(lon),
                fatalities="2",
                notes="Synthetic row near a built-in incident.",
            ),
        ],
    )


def ucdp_row(**overrides) -> dict:
    row = {
        "id": "990001",
        "relid": "KGZ-2016-1-990-1",
        "year": "2016",
        "type_of_violence": "1",
        "conflict_name": "Kyrgyzstan - Tajikistan",
        "dyad_name": "Government of Kyrgyzstan - Government of Tajikistan",
        "side_a": "Government of Kyrgyzstan",
        "side_b": "Government of Tajikistan",
        "source_article": '"Synthetic wire report",2016-05-02',
        "where_prec": "1",
        "where_description": "Kok-Tash village",
        "adm_1": "Batken oblast",
        "adm_2": "Batken district",
        "latitude": "39.9491",
        "longitude": "70.528",
        "date_prec": "1",
        "date_start": "2016-05-01 00:00:00.000",
        "date_end": "2016-05-01 00:00:00.000",
        "deaths_a": "1",
        "deaths_b": "1",
        "deaths_civilians": "0",
        "deaths_unknown": "0",
        "best": "2",
        "high": "3",
        "low": "2",
        "country": "Kyrgyzstan",
        "country_id": "703",
    }
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def ucdp_file(near_builtin) -> bytes:
    ident, day, lat, lon = near_builtin
    return csv_bytes(
        UCDP_HEADER,
        [
            ucdp_row(),
            ucdp_row(
                id="990002",
                where_prec="4",
                where_description="Sughd province",
                adm_1="Sughd",
                adm_2="",
                latitude="40.05",
                longitude="70.4",
                date_prec="4",
                best="0",
                date_start="2016-07-01 00:00:00.000",
                date_end="2016-07-31 00:00:00.000",
                country="Tajikistan",
                country_id="702",
            ),
            ucdp_row(
                id="990003", date_start=day, date_end=day, latitude=str(lat), longitude=str(lon)
            ),
        ],
    )


def frame_of(rows: list[dict], crs="EPSG:4326", geoms=None) -> gpd.GeoDataFrame:
    geoms = geoms or [shapely.Point(r.pop("lon"), r.pop("lat")) for r in rows]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)


GENERIC_ROWS = [
    {
        "id": "g1",
        "date": "2016-03-10",
        "place": "Ворух",
        "type": "shooting",
        "killed": 1,
        "source": "https://example.org/g1",
        "lat": 39.8514,
        "lon": 70.5801,
    },
    {
        "id": "g2",
        "date": "2016-06-01",
        "place": "Kok-Tash",
        "type": "blockade",
        "killed": None,
        "source": "Local report",
        "lat": 39.9491,
        "lon": 70.528,
    },
]


def generic_frame(crs="EPSG:4326") -> gpd.GeoDataFrame:
    frame = frame_of([dict(r) for r in GENERIC_ROWS])
    return frame.to_crs(crs) if crs != "EPSG:4326" else frame


def written(frame: gpd.GeoDataFrame, suffix: str, driver: str, **options) -> bytes:
    with tempfile.TemporaryDirectory(prefix="bvtest-") as tmp:
        path = Path(tmp) / f"sample{suffix}"
        pyogrio.write_dataframe(frame, path, driver=driver, **options)
        return path.read_bytes()


def zipped_shapefile(frame: gpd.GeoDataFrame, drop: tuple[str, ...] = ()) -> bytes:
    with tempfile.TemporaryDirectory(prefix="bvtest-") as tmp:
        folder = Path(tmp)
        pyogrio.write_dataframe(
            frame, folder / "incidents.shp", driver="ESRI Shapefile", encoding="UTF-8"
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for part in sorted(folder.iterdir()):
                if part.suffix not in drop:
                    zf.write(part, part.name)
        return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def refused(name: str, data: bytes, builtin) -> InputError:
    with pytest.raises(InputError) as err:
        importers.import_file(name, data, builtin)
    assert err.value.problems, "an InputError must list its problems"
    assert all(p.file == Path(name).name for p in err.value.problems)
    return err.value


def by_source_id(result) -> dict:
    return {r["source_id"]: r for r in result.frame.to_dict("records")}


def kept_name(column: str, dataset: str) -> str:
    """The name a file's own column has in the import: its own, or prefixed where it clashes with borderviz's."""
    return f"{dataset}_{column}" if column.lower() in importers.RESERVED else column


def same_value(typed, text: str) -> bool:
    """A file's text value and its typed import are the same value (empty text: no value)."""
    if typed is None or typed is pd.NA:
        return text == ""
    if isinstance(typed, bool):
        return str(typed).lower() == text.lower()
    if isinstance(typed, __import__("datetime").date):
        return typed.isoformat() == text
    if isinstance(typed, int):
        return str(typed) == text
    if isinstance(typed, float):
        return typed == float(text)
    return typed == text


def assert_file_columns_kept(row: dict, original: dict, dataset: str) -> None:
    for column, text in original.items():
        value = row[kept_name(column, dataset)]
        assert same_value(value, text), (column, text, value)


# --- ACLED and UCDP ----------------------------------------------------------------------------


def test_acled_file_is_recognised_and_mapped(acled_file, builtin):
    result = importers.import_file("acled-export.csv", acled_file, builtin)
    assert result.dataset == "acled"
    own = [kept_name(c, "acled") for c in ACLED_HEADER]
    assert list(result.frame.columns) == [*IMPORTED_INCIDENTS.columns, *own, "geometry"]
    assert {"acled_event_type", "acled_country", "acled_region", "acled_latitude", "acled_longitude"} <= set(own)
    rows = by_source_id(result)
    assert set(rows) == {"KGZ9001", "TJK9002", "KGZ9003", "KGZ9004"}
    assert {r["dataset"] for r in rows.values()} == {"acled"}
    assert rows["KGZ9001"]["id"] == "acled-KGZ9001"
    assert [rows[k]["event_type"] for k in ("KGZ9001", "TJK9002", "KGZ9003")] == [
        "armed_clash",
        "communal_clash",
        "agreement",
    ]
    assert rows["TJK9002"]["source_event_type"] == "Riots / Mob violence"
    assert rows["TJK9002"]["country"] == "TJ"
    assert str(rows["TJK9002"]["date_start"].date()) == "2016-04-14"  # "14 April 2016"


def test_acled_keeps_precision_codes_and_the_raw_row(acled_file, builtin):
    rows = by_source_id(importers.import_file("acled-export.csv", acled_file, builtin))
    assert [rows[k]["location_precision"] for k in ("KGZ9001", "TJK9002", "KGZ9003")] == [
        "settlement",
        "approximate",
        "district",
    ]
    assert "geo_precision 2" in rows["TJK9002"]["source_precision"]
    assert "time_precision 3" in rows["KGZ9003"]["source_precision"]
    assert rows["KGZ9003"]["date_precision"] == "month"
    assert_file_columns_kept(rows["KGZ9001"], acled_row(), "acled")  # the file's own columns, typed
    one = rows["KGZ9001"]
    assert one["year"] == 2016 and one["fatalities"] == 0 and one["event_date"] == "2016-03-10"  # a column with
    # "14 April 2016" in another row is text: only a column of ISO days becomes dates
    assert isinstance(one["acled_latitude"], float) and pd.isna(one["assoc_actor_1"])
    assert one["event_id_cnty"] == "KGZ9001" and one["acled_event_type"] == "Battles"
    assert rows["TJK9002"]["killed_total"] == 1


def test_acled_rows_cite_acled(acled_file, builtin):
    result = importers.import_file("acled-export.csv", acled_file, builtin)
    for sources in result.frame["sources"]:
        assert "ACLED" in sources[0]["publisher"] and sources[0]["url"].startswith("https://")
    assert "ACLED" in result.attribution[0]["text"]


def test_ucdp_file_is_recognised_and_mapped(ucdp_file, builtin):
    result = importers.import_file("ged_kg_tj.csv", ucdp_file, builtin)
    assert result.dataset == "ucdp"
    rows = by_source_id(result)
    assert set(rows) == {"990001", "990002", "990003"}
    one, two = rows["990001"], rows["990002"]
    assert one["id"] == "ucdp-990001" and one["dataset"] == "ucdp"
    assert one["event_type"] == "armed_clash"
    assert one["killed_total"] == 2 and one["country"] == "KG" and two["country"] == "TJ"
    assert str(one["date_start"].date()) == "2016-05-01"  # GED's "2016-05-01 00:00:00.000"
    assert str(two["date_end"].date()) == "2016-07-31"


def test_ucdp_keeps_precision_codes_and_the_raw_row(ucdp_file, builtin):
    rows = by_source_id(importers.import_file("ged_kg_tj.csv", ucdp_file, builtin))
    assert rows["990001"]["location_precision"] == "settlement"
    assert rows["990002"]["location_precision"] == "region"
    assert rows["990002"]["source_precision"] == "where_prec 4; date_prec 4"
    assert rows["990002"]["date_precision"] == "month"
    assert_file_columns_kept(rows["990001"], ucdp_row(), "ucdp")
    assert rows["990001"]["ucdp_date_start"] == "2016-05-01 00:00:00.000"  # not a day: kept as the file has it
    assert rows["990001"]["ucdp_id"] == 990001 and rows["990001"]["country_id"] == 703


def test_ucdp_rows_cite_ucdp(ucdp_file, builtin):
    result = importers.import_file("ged_kg_tj.csv", ucdp_file, builtin)
    for sources in result.frame["sources"]:
        assert "UCDP" in sources[0]["publisher"] and sources[0]["url"] == "https://ucdp.uu.se/"
    assert "UCDP" in result.attribution[0]["text"]


@pytest.mark.parametrize(
    ("fixture", "name", "dup"),
    [("acled_file", "acled.csv", "KGZ9004"), ("ucdp_file", "ged.csv", "990003")],
)
def test_duplicates_of_builtin_incidents_are_flagged(
    request, builtin, near_builtin, fixture, name, dup
):
    result = importers.import_file(name, request.getfixturevalue(fixture), builtin)
    flagged = dict(
        zip(result.frame["source_id"], result.frame["possible_duplicate_of"], strict=True)
    )
    assert near_builtin[0] in flagged.pop(dup).split(", ")
    assert all(pd.isna(v) for v in flagged.values()), flagged


# --- generic files ---------------------------------------------------------------------------


def _assert_generic(result):
    assert result.dataset == "file"
    rows = by_source_id(result)
    assert set(rows) == {"g1", "g2"}
    assert rows["g1"]["place_reported"] == "Ворух"
    assert rows["g1"]["event_type"] == "shooting" and rows["g2"]["event_type"] == "blockade"
    assert str(rows["g1"]["date_start"].date()) == "2016-03-10"
    assert rows["g1"]["sources"][0]["url"] == "https://example.org/g1"
    point = result.frame.set_index("source_id").geometry["g1"]
    assert (round(point.x, 5), round(point.y, 5)) == (70.5801, 39.8514)


GENERIC_WRITERS = {
    "geojson": lambda f: written(f, ".geojson", "GeoJSON"),
    "gpkg": lambda f: written(f, ".gpkg", "GPKG"),
    "kml": lambda f: written(f, ".kml", "LIBKML"),
    "zip": zipped_shapefile,
}


@pytest.mark.parametrize(
    "suffix",
    list(GENERIC_WRITERS),
)
def test_generic_vector_file_imports(builtin, suffix):
    data = GENERIC_WRITERS[suffix](generic_frame())
    result = importers.import_file(f"my-incidents.{suffix}", data, builtin)
    _assert_generic(result)
    assert result.warnings == []


def test_generic_csv_with_latitude_longitude_imports(builtin):
    rows = [{k: ("" if v is None else v) for k, v in r.items()} for r in GENERIC_ROWS]
    data = csv_bytes(list(rows[0]), rows)
    _assert_generic(importers.import_file("my-incidents.csv", data, builtin))


def test_blank_end_date_means_a_one_day_incident(builtin):
    data = b"id,date,end_date,latitude,longitude\na,2016-03-10,,39.85,70.58\n"
    result = importers.import_file("ends.csv", data, builtin)
    assert str(result.frame["date_end"].iloc[0].date()) == "2016-03-10"


@pytest.mark.parametrize(("suffix", "driver"), [("geojson", "GeoJSON"), ("gpkg", "GPKG")])
def test_file_in_another_crs_is_reprojected_with_a_warning(builtin, suffix, driver):
    data = written(generic_frame("EPSG:32642"), f".{suffix}", driver)
    result = importers.import_file(f"utm.{suffix}", data, builtin)
    _assert_generic(result)
    assert any("32642" in w and "reprojected" in w for w in result.warnings), result.warnings


# --- refused files: one test per problem -------------------------------------------------------


def test_ragged_csv_is_refused_naming_the_rows(builtin):
    data = (
        b"date,latitude,longitude\n2016-03-10,39.85,70.58\n"
        b"2016-03-11,39.85\n2016-03-12,39.8,70.5,x\n"
    )
    err = refused("ragged.csv", data, builtin)
    assert [p.where for p in err.problems] == ["row 3", "row 4"]
    assert all("number of fields" in p.message for p in err.problems)


def test_malformed_json_is_refused_naming_line_and_column(builtin):
    data = b'{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",, }\n]}'
    err = refused("broken.geojson", data, builtin)
    assert err.problems[0].where == "line 3 column 22"  # the second comma
    assert "not valid JSON" in err.problems[0].message


def test_missing_date_column_lists_the_columns_found(builtin):
    data = b"when_it_was,latitude,longitude\n2016-03-10,39.85,70.58\n"
    err = refused("nodate.csv", data, builtin)
    message = str(err)
    assert "nodate.csv" in message and "no date column" in message
    assert "Columns found: when_it_was, latitude, longitude" in message


def test_misnamed_date_column_gets_a_did_you_mean(builtin):
    data = b"dat,latitude,longitude\n2016-03-10,39.85,70.58\n"
    err = refused("typo.csv", data, builtin)
    assert "did you mean 'dat'" in str(err)


def test_misnamed_date_start_column_gets_a_did_you_mean(builtin):
    data = b"date_strat,latitude,longitude\n2016-03-10,39.85,70.58\n"
    assert "did you mean 'date_strat'" in str(refused("typo.csv", data, builtin))


def test_non_numeric_latitude_is_refused_naming_the_row(builtin):
    data = b"id,date,latitude,longitude\na,2016-03-10,39.85,70.58\nb,2016-03-11,forty,70.58\n"
    (problem,) = refused("types.csv", data, builtin).problems
    assert problem.where == "row 3 (id 'file-b')"
    assert "'forty'" in problem.message and "not numbers" in problem.message


def test_unparseable_date_is_refused_naming_the_row(builtin):
    data = b"id,date,latitude,longitude\na,2016-03-10,39.85,70.58\nb,last Tuesday,39.85,70.58\n"
    problems = refused("dates.csv", data, builtin).problems
    assert {p.where for p in problems} == {"row 3 (id 'file-b')"}
    assert any(
        p.message == "date_start 'last Tuesday' is not a date (YYYY-MM-DD)" for p in problems
    )


@pytest.mark.parametrize(
    ("lat", "lon"), [("95", "70.5"), ("39.9", "270"), ("1e308", "70.5"), ("nan", "70.5")]
)
def test_coordinates_out_of_range_are_refused(builtin, lat, lon):
    data = f"id,date,latitude,longitude\na,2016-03-10,{lat},{lon}\n".encode()
    (problem,) = refused("range.csv", data, builtin).problems
    assert problem.where == "row 2 (id 'file-a')"
    assert "out of range" in problem.message


def test_swapped_latitude_and_longitude_are_refused(builtin):
    data = b"id,date,latitude,longitude\na,2016-03-10,70.5,40.0\n"
    (problem,) = refused("swapped.csv", data, builtin).problems
    assert problem.where == "row 2 (id 'file-a')" and "swapped" in problem.message


def test_self_intersecting_polygon_is_refused_naming_the_feature(builtin):
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[70.5, 39.9], [70.6, 40.0], [70.6, 39.9], [70.5, 40.0], [70.5, 39.9]]],
    }
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "ok", "date": "2016-03-10"},
                "geometry": {"type": "Point", "coordinates": [70.5, 39.9]},
            },
            {
                "type": "Feature",
                "properties": {"id": "bowtie", "date": "2016-03-10"},
                "geometry": bowtie,
            },
        ],
    }
    (problem,) = refused("areas.geojson", json.dumps(fc).encode(), builtin).problems
    assert problem.where == "feature 2 (id 'file-bowtie')"
    assert "invalid" in problem.message and "Self-intersection" in problem.message


def test_zipped_shapefile_without_prj_is_refused(builtin):
    data = zipped_shapefile(generic_frame(), drop=(".prj",))
    (problem,) = refused("noprj.zip", data, builtin).problems
    assert ".prj" in problem.message and "coordinate system is unknown" in problem.message


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
def test_geopackage_without_a_crs_is_refused(builtin):
    frame = generic_frame().set_crs(None, allow_override=True)
    (problem,) = refused("nocrs.gpkg", written(frame, ".gpkg", "GPKG"), builtin).problems
    assert "no coordinate system" in problem.message


def test_file_over_the_size_limit_is_refused(builtin, monkeypatch):
    monkeypatch.setattr(importers, "MAX_BYTES", 100)
    (problem,) = refused(
        "big.csv", b"date,latitude,longitude\n" + b"2016-03-10,39.85,70.58\n" * 10, builtin
    ).problems
    assert "limit" in problem.message and "MB" in problem.message


def test_zip_with_a_path_like_member_is_refused(builtin):
    err = refused("evil.zip", zip_of({"../evil.shp": b"x", "evil.dbf": b"x"}), builtin)
    assert any(p.where == "member '../evil.shp'" and "path-like" in p.message for p in err.problems)


@pytest.mark.parametrize("member", ["/etc/evil.shp", "C:evil.shp", "..\\evil.shp"])
def test_zip_with_absolute_or_windows_member_names_is_refused(builtin, member):
    err = refused("evil.zip", zip_of({member: b"x"}), builtin)
    assert any("path-like" in p.message for p in err.problems)


def test_zip_with_unexpected_members_is_refused(builtin):
    members = {"incidents.shp": b"x", "incidents.dbf": b"x", "readme.exe": b"MZ"}
    (problem,) = refused("extra.zip", zip_of(members), builtin).problems
    assert problem.where == "member 'readme.exe'" and "not part of a Shapefile" in problem.message


def test_zip_with_an_extreme_compression_ratio_is_refused(builtin):
    (problem,) = refused("bomb.zip", zip_of({"bomb.shp": bytes(1_000_000)}), builtin).problems
    assert problem.where == "member 'bomb.shp'" and "zip bomb" in problem.message


def test_zip_with_too_many_members_is_refused(builtin):
    members = {
        "incidents.shp": b"x",
        **{f"part{i}.xml": b"<x/>" for i in range(importers.ZIP_MAX_MEMBERS)},
    }
    err = refused("many.zip", zip_of(members), builtin)
    assert f"has {importers.ZIP_MAX_MEMBERS + 1} files" in str(err)


def test_kml_with_an_external_entity_is_refused(builtin):
    kml = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&e;</name>'
        b"<Point><coordinates>70.5,39.9</coordinates></Point></Placemark></Document></kml>"
    )
    (problem,) = refused("xxe.kml", kml, builtin).problems
    assert "DTD or XML entities" in problem.message
    assert "root:" not in str(problem)


def test_billion_laughs_kml_is_refused(builtin):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    kml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE kml [{entities}]>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol9;</name></Document></kml>'
    )
    (problem,) = refused("laughs.kml", kml.encode(), builtin).problems
    assert "DTD or XML entities" in problem.message


@pytest.mark.parametrize("name", ["incidents.xlsx", "incidents.shp", "incidents"])
def test_unsupported_suffix_is_refused(builtin, name):
    (problem,) = refused(name, b"anything", builtin).problems
    assert "unsupported type" in problem.message and ".csv" in problem.message


def test_every_bad_row_is_reported_together(builtin):
    data = (
        b"id,date,latitude,longitude\n"
        b"a,2016-03-10,39.85,70.58\n"
        b"b,2016-03-10,north,70.58\n"
        b"c,2016-03-10,95,70.58\n"
        b"d,2016-03-10,70.5,40.0\n"
    )
    err = refused("three-bad.csv", data, builtin)
    assert [p.where for p in err.problems] == ["row 3 (id 'file-b')", "row 4 (id 'file-c')", "row 5 (id 'file-d')"]
    assert str(err).startswith("3 problems:")


# --- files that are not what their names say, and leftovers ------------------------------------

VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
       b"</OGRVRTLayer></OGRVRTDataSource>")


@pytest.mark.parametrize("name", ["evil.kml", "evil.gpkg", "evil.geojson"])
def test_a_gdal_vrt_under_another_name_is_refused_before_gdal_reads_it(builtin, name):
    err = refused(name, VRT, builtin)
    assert "root:" not in str(err)
    assert "content does not match" in str(err) or "not valid JSON" in str(err) or "not a" in str(err)


def test_a_vrt_posing_as_the_shapefile_in_a_zip_is_refused(builtin):
    err = refused("evil.zip", zip_of({"x.shp": VRT, "x.prj": b"GEOGCS[]", "x.dbf": b"", "x.shx": b""}), builtin)
    assert err.problems[0].where == "member 'x.shp'" and "root:" not in str(err)


def test_kml_network_links_are_refused(builtin):
    kml = (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><NetworkLink>'
           b"<Link><href>http://169.254.169.254/latest</href></Link></NetworkLink></Document></kml>")
    assert "NetworkLink" in str(refused("links.kml", kml, builtin))


def test_a_damaged_zip_is_refused_not_crashed(builtin):
    good = zipped_shapefile(generic_frame())
    damaged = bytearray(good)
    start = damaged.index(b"PK\x03\x04") + 30 + len(b"incidents.cpg") + 2
    damaged[start] ^= 0xFF
    err = refused("damaged.zip", bytes(damaged), builtin)
    assert "cannot be unpacked" in str(err) or "not a valid zip" in str(err) or "cannot be read" in str(err)


def test_a_geopackage_with_an_attribute_table_imports_its_spatial_layer(builtin):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mixed.gpkg"
        pyogrio.write_dataframe(generic_frame(), path, layer="incidents", driver="GPKG")
        pyogrio.write_dataframe(pd.DataFrame({"note": ["a table"]}), path, layer="notes", driver="GPKG")
        result = importers.import_file("mixed.gpkg", path.read_bytes(), builtin)
    assert len(result.frame) == len(GENERIC_ROWS)


def test_nothing_the_user_brings_is_left_on_disk(builtin):
    before = set(Path(tempfile.gettempdir()).glob("borderviz-import-*"))
    importers.import_file("s.gpkg", written(generic_frame(), ".gpkg", "GPKG"), builtin)
    importers.import_file("s.zip", zipped_shapefile(generic_frame()), builtin)
    assert set(Path(tempfile.gettempdir()).glob("borderviz-import-*")) == before


def test_times_with_utc_offsets_keep_their_local_date(builtin):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [70.53, 39.95]},
         "properties": {"id": "a", "date": "2022-09-15T01:00:00+06:00"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [70.54, 39.95]},
         "properties": {"id": "b", "date": "2022-09-15T01:00:00+05:00"}}]}
    result = importers.import_file("tz.geojson", json.dumps(fc).encode(), builtin)
    assert set(result.frame["date_start"]) == {pd.Timestamp("2022-09-15")}


def test_a_later_day_of_a_multi_day_incident_counts_as_a_duplicate(builtin):
    multi = builtin[builtin["date_end"] > builtin["date_start"] + pd.Timedelta(days=1)].iloc[0]
    day = (multi["date_end"]).strftime("%Y-%m-%d")
    data = f"date,latitude,longitude\n{day},{multi.geometry.y},{multi.geometry.x}\n".encode()
    result = importers.import_file("later.csv", data, builtin)
    assert multi["id"] in result.frame["possible_duplicate_of"].iloc[0]


def test_a_row_without_a_web_address_cites_the_file_not_a_made_up_link(builtin):
    data = b"date,latitude,longitude,source\n2022-09-16,39.95,70.53,Local notes\n"
    citation = importers.import_file("notes.csv", data, builtin).frame["sources"].iloc[0][0]
    assert "url" not in citation and citation["file"] == "notes.csv"


def test_ucdp_precision_codes_are_not_overstated():
    assert importers.UCDP_DATE["2"] == "week" and importers.UCDP_WHERE["6"] == "country"
    assert importers.ACLED_TIME["2"] == "week" and importers.UCDP_TYPES["2"] == "communal_clash"


# --- borderviz's own exports come back as they went out ------------------------------------------------

OWN_EXPORTS = ["geojson", "gpkg", "parquet", "shp", "csv"]


@pytest.mark.parametrize("fmt", OWN_EXPORTS)
def test_borderviz_imports_its_own_export_back(acled_file, builtin, fmt):
    from borderviz.io import formats

    first = importers.import_file("acled-export.csv", acled_file, builtin)
    name, data, _mime = formats.export({"imported_incidents": first.frame}, fmt).single()
    back = importers.import_file(name, data, builtin)
    assert back.dataset == "acled" and "ACLED" in back.attribution[0]["text"]
    assert list(back.frame.columns) == list(first.frame.columns)
    keep = ["id", "dataset", "source_id", "date_start", "date_end", "date_precision", "event_type", "place_reported",
            "country", "location_precision", "source_precision", "killed_total", "description",
            "possible_duplicate_of", "sources"]
    assert back.frame[keep].to_dict("records") == first.frame[keep].to_dict("records")
    # The file's own columns come back with their values and types (a Shapefile's DBF: whole numbers as floats).
    own = [c for c in first.frame.columns if c not in IMPORTED_INCIDENTS.columns and c != "geometry"]
    for column in own:
        before, after = first.frame[column].tolist(), back.frame[column].tolist()
        if fmt == "shp" and str(first.frame[column].dtype).startswith("int"):
            after = [None if v is pd.NA or v is None else int(v) for v in after]
            before = [None if v is pd.NA else v for v in before]
        assert [None if v is pd.NA else v for v in after] == [None if v is pd.NA else v for v in before], column
        if fmt != "shp":
            assert back.frame[column].dtype == first.frame[column].dtype, column
    assert all(a.equals_exact(b, 1e-7) for a, b in zip(back.frame.geometry, first.frame.geometry, strict=True))
