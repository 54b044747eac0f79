"""Exports: round trips generated from ``formats.FORMATS``, provenance, and each format's rules.

Every round trip writes a layer, reads it back as a user would (``formats.read_back``)
and compares each column after the loss the table declares for its kind, so a loss
the table does not declare fails here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from conftest import incident, incidents_frame

from borderviz.errors import ExportError
from borderviz.io import formats
from borderviz.model.schema import ALL_SPECS

FILTERS = {"from": "2014-01-01"}
DATA_FORMATS = [k for k in formats.FORMATS if k != "html"]
TABLE_LESS = {"kml", "shp"}  # formats that cannot hold a layer without geometry
ROUND_TRIP_LAYERS = ["incidents", "enclaves", "border_status", "infrastructure", "conflicts"]
CYRILLIC = re.compile("[\u0400-\u04ff]")


# --- one normaliser per read_back rule ------------------------------------------------------


def _null(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def rule_same(v: Any, kind: str) -> Any:
    """Equal value and type (so an int that came back as 2.0 differs from 2)."""
    if _null(v):
        return None
    v = _plain(v)
    return (type(v).__name__, v)


def rule_float(v: Any, kind: str) -> Any:
    return None if _null(v) else float(v)


def rule_datetime(v: Any, kind: str) -> Any:
    """Compare the day only."""
    return None if _null(v) else pd.Timestamp(v).date()


def rule_text(v: Any, kind: str) -> Any:
    """Both sides as text: ISO dates, numbers as written."""
    if _null(v):
        return None
    v = _plain(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (pd.Timestamp, dt.date)):
        return pd.Timestamp(v).date().isoformat()
    if kind == "int":
        return str(int(v))
    if kind == "float":  # the shortest text that reads back as the same number: 85 for 85.0
        text = repr(float(v))
        return text[:-2] if text.endswith(".0") else text
    raise AssertionError(f"no text form for {v!r} ({kind})")


def rule_json_text(v: Any, kind: str) -> Any:
    if _null(v):
        return None
    return json.loads(v) if isinstance(v, str) else v


RULES = {
    "same": rule_same,
    "float": rule_float,
    "datetime": rule_datetime,
    "text": rule_text,
    "json_text": rule_json_text,
}


def test_every_read_back_rule_has_a_normaliser():
    used = {rule for f in formats.FORMATS.values() for rule in f.read_back.values()}
    assert used <= set(RULES)
    for key in DATA_FORMATS:
        assert set(formats.FORMATS[key].read_back) == set(formats.KINDS), key


# --- geometry ------------------------------------------------------------------------------


def _geom_norm(g):
    g = shapely.force_2d(g)
    if g.geom_type.startswith("Multi") and len(g.geoms) == 1:
        g = g.geoms[0]  # a Shapefile stores a lone line or polygon as a multi-part one
    return shapely.normalize(g)  # ring direction and start vertex (GeoJSON rewinds polygons)


def assert_geometries_equal(original, back, ident):
    a, b = _geom_norm(original), _geom_norm(back)
    assert shapely.equals_exact(a, b, tolerance=1e-6), f"{ident}: {a.wkt[:200]} != {b.wkt[:200]}"


def csv_geometries(table: pd.DataFrame):
    if "wkt" in table:
        return [shapely.from_wkt(w) for w in table["wkt"]]
    return [
        shapely.Point(float(x), float(y))
        for x, y in zip(table["longitude"], table["latitude"], strict=True)
    ]


# --- reading a bundle back into one frame per layer, as the spec names its columns ------------


def shapefile_layer(back: dict[str, pd.DataFrame], layer: str) -> pd.DataFrame:
    """Undo the Shapefile's name map and join the moved text columns back by id."""
    mapping = back[f"{layer}.fields"]
    rename = dict(zip(mapping["shapefile_field"], mapping["column"], strict=True))
    parts = [
        back[k] for k in (layer, f"{layer}_point", f"{layer}_line", f"{layer}_polygon") if k in back
    ]
    assert parts, f"no Shapefile for {layer}: {sorted(back)}"
    frame = pd.concat(parts, ignore_index=True).rename(columns=rename)
    text = back[f"{layer}.text"]
    return frame.merge(text, on=ALL_SPECS[layer].id_field, how="left", validate="one_to_one")


def read_back_layer(bundle: formats.Bundle, layer: str) -> tuple[pd.DataFrame, list | None]:
    """(frame with the spec's columns, geometries or None), rows in any order, keyed by id."""
    back = formats.read_back(bundle)
    frame = shapefile_layer(back, layer) if bundle.fmt == "shp" else back[layer]
    spec = ALL_SPECS[layer]
    geoms = None
    if spec.geometry and bundle.fmt == "csv" and f"{layer}.wkt" in back:  # WKT too long for a spreadsheet
        frame = frame.merge(back[f"{layer}.wkt"], on=spec.id_field, how="left", validate="one_to_one")
    if spec.geometry:
        geoms = csv_geometries(frame) if bundle.fmt == "csv" else list(frame.geometry)
    return frame, geoms


# --- round trips ---------------------------------------------------------------------------


def cyrillic_incidents():
    return incidents_frame(
        [
            incident(
                id="2022-09-14-kok-tash",
                place_reported="Кок-Таш, Баткенский район",
                district="Баткен",
                description="Перестрелка у села Кок-Таш.",
            ),
            incident(
                id="2021-04-29-vorukh",
                place_reported="Ворух",
                killed_kg=None,
                killed_total=None,
                gazetteer_id=None,
                figures=None,
            ),
        ],
        [(70.55, 39.93), (70.58, 39.85)],
    )


CASES = [
    pytest.param(
        fmt,
        layer,
        id=f"{fmt}-{layer}",
    )
    for fmt in DATA_FORMATS
    for layer in [*ROUND_TRIP_LAYERS, "cyrillic"]
    if not (fmt in TABLE_LESS and layer == "conflicts")
]


def _case_frame(frames, layer):
    if layer == "cyrillic":
        return "incidents", cyrillic_incidents()
    return layer, frames[layer]


@pytest.mark.parametrize(("fmt", "layer"), CASES)
def test_round_trip_keeps_what_the_format_table_promises(frames, fmt, layer):
    name, frame = _case_frame(frames, layer)
    spec = ALL_SPECS[name]
    bundle = formats.export({name: frame}, fmt, FILTERS)
    back, geoms = read_back_layer(bundle, name)

    assert sorted(back[spec.id_field]) == sorted(frame[spec.id_field])
    position = {ident: i for i, ident in enumerate(back[spec.id_field])}
    rules = formats.FORMATS[fmt].read_back
    mismatches = []
    for f in spec.fields:
        assert f.name in back.columns, (
            f"{fmt}: column {f.name} is missing from the read-back {name}"
        )
        rule = rules[f.kind]
        for ident, value in zip(frame[spec.id_field], frame[f.name], strict=True):
            got = back[f.name].iloc[position[ident]]
            want_norm = RULES[rule](value, f.kind)
            got_norm = RULES[rule](got, f.kind)
            if want_norm != got_norm:
                mismatches.append(
                    f"{ident}.{f.name} ({f.kind}, {rule}): {want_norm!r} -> {got_norm!r}"
                )
    assert not mismatches, f"{len(mismatches)} values changed:\n" + "\n".join(mismatches[:15])
    if spec.geometry:
        for ident, geom in zip(frame[spec.id_field], frame.geometry, strict=True):
            assert_geometries_equal(geom, geoms[position[ident]], ident)


def test_round_trip_cases_hold_non_latin_text(frames):
    """The 'representative' layers really do carry what the round trips are meant to test."""
    sources = json.dumps(list(frames["incidents"]["sources"]), ensure_ascii=False)
    assert CYRILLIC.search(sources)
    assert (
        frames["incidents"]["killed_kg"].isna().any()
        and frames["incidents"]["killed_kg"].notna().any()
    )
    assert set(frames["infrastructure"].geom_type) >= {"Point", "LineString"}
    assert CYRILLIC.search(cyrillic_incidents()["place_reported"].iloc[0])


@pytest.mark.parametrize(
    ("fmt", "member"),
    [
        ("geojson", "incidents.geojson"),
        ("kml", "borderviz.kml"),
        ("csv", "incidents.csv"),
        ("shp", "incidents.dbf"),
    ],
)
def test_text_formats_store_cyrillic_as_utf8(fmt, member):
    bundle = formats.export({"incidents": cyrillic_incidents()}, fmt, FILTERS)
    assert "Баткен".encode() in bundle.files[member]


# --- provenance -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_frames(frames):
    return {"incidents": frames["incidents"].iloc[:3], "enclaves": frames["enclaves"].iloc[:2]}


@pytest.mark.parametrize("fmt", list(formats.FORMATS))
def test_every_export_carries_provenance(small_frames, fmt):
    bundle = formats.export(small_frames, fmt, FILTERS)
    prov = formats.provenance_of(bundle)
    assert prov["layers"] == ["incidents", "enclaves"]
    assert prov["filters"] == FILTERS
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["exported_at"])
    assert prov["data_version"] == formats.data_version()
    osm = [a for a in prov["attribution"] if "OpenStreetMap" in a["text"]]
    assert osm and "ODbL" in osm[0]["text"]


def test_provenance_records_the_export_time():
    when = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
    prov = formats.provenance(["incidents"], FILTERS, now=when)
    assert prov["exported_at"] == "2024-05-01T12:30:00Z"


def test_kml_keeps_provenance_when_the_first_layer_is_a_table(frames):
    bundle = formats.export(
        {"conflicts": frames["conflicts"], "incidents": frames["incidents"].iloc[:2]},
        "kml",
        FILTERS,
    )
    assert formats.provenance_of(bundle)["layers"] == ["conflicts", "incidents"]


@pytest.mark.parametrize(
    "fmt",
    [
        "kml",
        "shp",
    ],
)
def test_table_only_export_to_a_format_without_tables_is_refused(frames, fmt):
    with pytest.raises(ExportError, match="conflicts"):
        formats.export({"conflicts": frames["conflicts"]}, fmt, FILTERS)


# --- format rules --------------------------------------------------------------------------


def test_geopackage_holds_several_layers_in_one_file(frames):
    chosen = {n: frames[n] for n in ("incidents", "enclaves", "border_status", "conflicts")}
    bundle = formats.export(chosen, "gpkg", FILTERS)
    assert list(bundle.files) == ["borderviz.gpkg"]
    back = formats.read_back(bundle)
    assert set(back) == set(chosen)
    assert {n: len(f) for n, f in back.items()} == {n: len(f) for n, f in chosen.items()}


def test_geojson_polygons_follow_the_right_hand_rule(frames):
    clockwise = frames["enclaves"].copy()
    clockwise["geometry"] = [
        shapely.orient_polygons(g, exterior_cw=True) for g in clockwise.geometry
    ]
    bundle = formats.export({"enclaves": clockwise}, "geojson", FILTERS)
    features = json.loads(bundle.files["enclaves.geojson"])["features"]
    for feature in features:
        geom = shapely.geometry.shape(feature["geometry"])
        for polygon in getattr(geom, "geoms", [geom]):
            assert shapely.is_ccw(polygon.exterior), feature["properties"]["id"]
            assert not any(shapely.is_ccw(ring) for ring in polygon.interiors), feature[
                "properties"
            ]["id"]


def test_shapefile_names_are_unique_and_short_for_colliding_prefixes():
    columns = [
        "id",
        "displaced_kg",
        "displaced_tj",
        "killed_total",
        "location_precision",
        *[f"statistic_value_{i}" for i in range(20)],
    ]
    names = formats.shapefile_names(columns)
    assert list(names) == columns
    assert all(len(n) <= 10 for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(columns)
    assert names["id"] == "id"
    assert names["displaced_kg"] != names["displaced_tj"]


def test_shapefile_names_do_not_collide_with_a_kept_short_name():
    """A numbered name must not equal another column that is kept as written."""
    names = formats.shapefile_names(["displace01", "displaced_kg", "displaced_tj"])
    assert len({n.lower() for n in names.values()}) == 3, names


@pytest.mark.filterwarnings("ignore:Value .* has been truncated:RuntimeWarning")
def test_shapefile_export_fails_instead_of_cutting_short_text():
    long_district = "Б" * 200  # 400 bytes in UTF-8
    frame = incidents_frame([incident(id="2022-09-14-long", district=long_district)])
    with pytest.raises(ExportError) as err:
        formats.export({"incidents": frame}, "shp", FILTERS)
    message = str(err.value)
    assert "incidents" in message and "2022-09-14-long" in message and "district" in message
    assert "400 bytes" in message


def test_shapefile_moves_long_text_instead_of_failing():
    text = "Д" * 300  # place_reported is long_text: it goes to incidents.text.csv
    frame = incidents_frame([incident(id="2022-09-14-long", place_reported=text)])
    back, _ = read_back_layer(formats.export({"incidents": frame}, "shp", FILTERS), "incidents")
    assert back["place_reported"].iloc[0] == text


@pytest.mark.parametrize("fmt", list(formats.FORMATS))
@pytest.mark.parametrize(
    "names", [["incidents"], ["incidents", "enclaves"]], ids=["1-layer", "2-layers"]
)
def test_download_name_matches_the_bundle(small_frames, fmt, names):
    bundle = formats.export({n: small_frames[n] for n in names}, fmt, FILTERS)
    name, data, mime = bundle.single()
    assert formats.download_name(fmt, names) == name
    assert data
    if name.endswith(".zip"):
        assert mime == "application/zip"
        assert set(zipfile.ZipFile(io.BytesIO(data)).namelist()) == set(bundle.files)
    else:
        assert mime == formats.FORMATS[fmt].mime


def test_write_bundle_puts_provenance_beside_a_single_csv(tmp_path, small_frames):
    bundle = formats.export({"incidents": small_frames["incidents"]}, "csv", FILTERS)
    written = formats.write_bundle(bundle, tmp_path / "out.csv")
    assert written[0] == tmp_path / "out.csv"
    assert {p.name for p in written} == {"out.csv", "out.provenance.json", "out.csvt", "out.vrt",
                                         "out.datapackage.json"}
    assert (tmp_path / "out.csv").read_bytes() == bundle.files["incidents.csv"]
    assert json.loads((tmp_path / "out.provenance.json").read_text())["layers"] == ["incidents"]
    # The sidecars name the CSV as written: GDAL opens it through the VRT, with its points.
    package = json.loads((tmp_path / "out.datapackage.json").read_text())
    assert package["resources"][0]["path"] == "out.csv" and package["borderviz"]["layers"] == ["incidents"]
    via_vrt = pyogrio.read_dataframe(tmp_path / "out.vrt")
    assert len(via_vrt) == len(small_frames["incidents"]) and set(via_vrt.geom_type) == {"Point"}


@pytest.mark.parametrize(
    ("fmt", "target"),
    [("geojson", "out.zip"), ("csv", "out.zip"), ("shp", "out.zip"), ("shp", "out.shp")],
)
def test_write_bundle_writes_a_zip(tmp_path, small_frames, fmt, target):
    bundle = formats.export(small_frames, fmt, FILTERS)
    written = formats.write_bundle(bundle, tmp_path / target)
    assert written == [tmp_path / target]
    assert set(zipfile.ZipFile(tmp_path / target).namelist()) == set(bundle.files)


def test_write_bundle_refuses_several_files_without_zip(tmp_path, small_frames):
    bundle = formats.export(small_frames, "geojson", FILTERS)
    with pytest.raises(ExportError, match=r"\.zip"):
        formats.write_bundle(bundle, tmp_path / "out.geojson")
    assert not any(tmp_path.iterdir())


def test_html_export_inlines_everything_and_embeds_provenance(small_frames):
    bundle = formats.export(small_frames, "html", FILTERS)
    html = bundle.files["borderviz-map.html"].decode("utf-8")
    external = re.findall(
        r"<script[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>|"
        r"<link[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>",
        html,
        re.I,
    )
    assert external == []
    assert 'id="borderviz-provenance"' in html


@pytest.mark.parametrize("fmt", ["xlsx", "HTML", ""])
def test_unknown_format_is_refused(small_frames, fmt):
    with pytest.raises(ExportError, match="unknown format"):
        formats.export(small_frames, fmt, FILTERS)


def test_unknown_layer_is_refused(small_frames):
    with pytest.raises(ExportError, match="no_such_layer"):
        formats.export({"no_such_layer": small_frames["incidents"]}, "geojson", FILTERS)


def test_readme_format_table_is_generated_from_formats(repo: Path):
    readme = (
        (repo / "README.md").read_text(encoding="utf-8") if (repo / "README.md").exists() else ""
    )
    match = re.search(r"<!-- formats:start -->\n(.*?)<!-- formats:end -->", readme, re.S)
    assert match, "README.md has no <!-- formats:start --> ... <!-- formats:end --> section"
    assert match.group(1).strip() == formats.formats_markdown().strip()


@pytest.mark.parametrize("fmt", ["gpkg", "parquet", "kml", "shp"])
def test_exports_leave_nothing_on_disk(frames, fmt, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a folder of its own: nothing else writes there
    formats.export({"incidents": frames["incidents"].head(3)}, fmt, FILTERS)
    assert list(tmp_path.iterdir()) == []


def test_html_map_draws_only_the_exported_layers(frames):
    from test_engine import _packets

    html = formats.export({"crossings": frames["crossings"]}, "html", FILTERS).files["borderviz-map.html"].decode()
    config, builtin = _packets(html)
    assert set(config["layers"]) == {"background", "crossings"} and builtin["n"] == 0


def test_csv_cells_that_spreadsheets_would_run_are_defused(make_incidents):
    from conftest import incident

    inc = make_incidents([incident(place_reported="=HYPERLINK(\"http://evil\")", district="-Leilek")])
    text = formats.export({"incidents": inc}, "csv", FILTERS).files["incidents.csv"].decode()
    assert "'=HYPERLINK" in text and "'-Leilek" in text


# --- hostile values: nothing in the data changes an export's structure ------------------------

NETWORK_LINK = 'a"/><NetworkLink><Link><href>http://evil.example/x.kml</href></Link></NetworkLink><x a="'
# (column, hostile value) pairs written into a real incident; each must come back as written.
HOSTILE_TEXT = [
    ("id", NETWORK_LINK),
    ("id", "<broken & id>"),
    ("place_reported", "]]><Placemark><name>injected</name></Placemark><![CDATA["),
    ("place_reported", "{{ 7*191 }} {% raw %} {#"),
    ("description", "calm day\r=cmd|' /C calc'!A0"),
    ("description", "line one\nline two\r\nline three"),
    ("district", "=HYPERLINK(\"http://evil.example\")"),
    ("region", "@SUM(1+1)"),
    ("location_method", "\t+tab first"),
]


def hostile_incidents(frames):
    inc = frames["incidents"].iloc[: len(HOSTILE_TEXT)].copy()
    for i, (column, value) in enumerate(HOSTILE_TEXT):
        inc.iloc[i, inc.columns.get_loc(column)] = value
    return inc


def test_kml_with_hostile_text_is_schema_valid_and_keeps_every_value(frames, tmp_path):
    inc = hostile_incidents(frames)
    data = formats.export({"incidents": inc}, "kml", FILTERS).files["borderviz.kml"]
    assert_kml_schema_valid(data)
    tree = lxml_etree().fromstring(data)
    tags = {el.tag.split("}")[-1] for el in tree.iter() if isinstance(el.tag, str)}
    assert "NetworkLink" not in tags and "Link" not in tags
    assert len(tree.findall(".//{http://www.opengis.net/kml/2.2}Placemark")) == len(inc)
    back, _ = read_back_layer(formats.export({"incidents": inc}, "kml", FILTERS), "incidents")
    back = back.set_index("id", drop=False)
    for i, (column, value) in enumerate(HOSTILE_TEXT):
        assert back.loc[inc.iloc[i]["id"], column] == value, (column, value)


def test_kml_refuses_text_xml_cannot_hold(frames):
    inc = frames["incidents"].iloc[:2].copy()
    inc.iloc[1, inc.columns.get_loc("place_reported")] = "bell\x07"
    with pytest.raises(ExportError, match=r"id '.*': place_reported holds the control character U\+0007"):
        formats.export({"incidents": inc}, "kml", FILTERS)


def _csv_records(data: bytes) -> list[list[str]]:
    import csv
    import sys

    csv.field_size_limit(sys.maxsize)  # a country's WKT is about a megabyte
    assert data.startswith(b"\xef\xbb\xbf"), "CSV without a byte order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("fmt", ["csv", "shp"])
def test_every_csv_written_quotes_line_breaks_and_defuses_formulas(frames, fmt):
    inc = hostile_incidents(frames)
    bundle = formats.export({"incidents": inc}, fmt, FILTERS)
    csvs = {n: d for n, d in bundle.files.items() if n.endswith(".csv")}
    assert csvs
    for name, data in csvs.items():
        records = _csv_records(data)
        width = len(records[0])
        assert all(len(r) == width for r in records), name
        # No record boundary but CRLF, and every bare CR or LF inside a quoted field.
        text = data.decode("utf-8-sig")
        assert text.count("\r\n") >= len(records)
        for cell in (c for r in records for c in r):
            assert not cell.startswith(formats.FORMULA_STARTS), (name, cell)
    if fmt == "csv":
        cells = {c for r in _csv_records(csvs["incidents.csv"]) for c in r}
        assert "'=HYPERLINK(\"http://evil.example\")" in cells and "calm day\r=cmd|' /C calc'!A0" in cells
        assert "line one\nline two\r\nline three" in cells and "'@SUM(1+1)" in cells
    else:
        text_csv = {c for r in _csv_records(csvs["incidents.text.csv"]) for c in r}
        assert "calm day\r=cmd|' /C calc'!A0" in text_csv


def test_csv_sidecars_let_gdal_read_points_and_types(frames, tmp_path):
    bundle = formats.export({"incidents": frames["incidents"]}, "csv", FILTERS)
    for name, data in bundle.files.items():
        (tmp_path / name).write_bytes(data)
    info = pyogrio.read_info(tmp_path / "incidents.csv")
    assert info["geometry_type"] == "Point" and info["features"] == len(frames["incidents"])
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["killed_total"] == "int32" or types["killed_total"].startswith("int")
    assert types["date_start"].startswith("datetime")
    via_vrt = pyogrio.read_dataframe(tmp_path / "incidents.vrt")
    assert via_vrt.crs.to_epsg() == 4326 and len(via_vrt) == len(frames["incidents"])


def test_csv_puts_wkt_too_long_for_a_spreadsheet_in_its_own_file(frames):
    bundle = formats.export({"countries": frames["countries"]}, "csv", FILTERS)
    main = _csv_records(bundle.files["countries.csv"])
    assert "wkt" not in main[0]
    assert max(len(c) for r in main for c in r) <= formats.SPREADSHEET_CELL_LIMIT
    geometry = _csv_records(bundle.files["countries.wkt.csv"])
    assert geometry[0] == ["id", "wkt"] and len(geometry) == len(frames["countries"]) + 1
    assert {"countries.wkt.csvt", "countries.wkt.vrt"} <= set(bundle.files)


def test_csv_export_carries_a_datapackage_describing_each_file(frames):
    bundle = formats.export({"incidents": frames["incidents"], "conflicts": frames["conflicts"]}, "csv", FILTERS)
    package = json.loads(bundle.files["datapackage.json"])
    by_path = {r["path"]: r for r in package["resources"]}
    assert set(by_path) == {"incidents.csv", "conflicts.csv"}
    for path, resource in by_path.items():
        header = _csv_records(bundle.files[path])[0]
        assert [f["name"] for f in resource["schema"]["fields"]] == header
    types = {f["name"]: f["type"] for f in by_path["incidents.csv"]["schema"]["fields"]}
    assert types["date_start"] == "date" and types["killed_total"] == "integer" and types["latitude"] == "number"
    assert package["borderviz"]["layers"] == ["incidents", "conflicts"]


def test_shapefile_keeps_place_reported_in_the_dbf(frames):
    bundle = formats.export({"incidents": frames["incidents"]}, "shp", FILTERS)
    back = formats.read_back(bundle)
    fields = dict(zip(back["incidents.fields"]["column"], back["incidents.fields"]["shapefile_field"], strict=True))
    assert "place_reported" in fields
    assert back["incidents"][fields["place_reported"]].notna().all()
    assert "place_reported" not in back["incidents.text"].columns


# --- KML: schema, time, styles --------------------------------------------------------------

KML_XSD = Path(__file__).resolve().parent / "schemas" / "kml" / "ogckml22.xsd"


def lxml_etree():
    return pytest.importorskip("lxml.etree")


def assert_kml_schema_valid(data: bytes) -> None:
    etree = lxml_etree()
    schema = etree.XMLSchema(etree.parse(str(KML_XSD)))
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), [str(e) for e in schema.error_log][:5]


SPATIAL = [n for n, s in ALL_SPECS.items() if s.geometry and n != "imported_incidents"]


def test_kml_of_every_layer_is_valid_against_the_ogc_schema(frames):
    assert_kml_schema_valid(formats.export({n: frames[n] for n in SPATIAL}, "kml", FILTERS).files["borderviz.kml"])


def test_kml_dates_every_dated_feature_styles_it_and_stays_2d(frames):
    etree = lxml_etree()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    dated = [n for n in SPATIAL if ALL_SPECS[n].interval]
    data = formats.export({n: frames[n] for n in dated}, "kml", FILTERS).files["borderviz.kml"]
    tree = etree.fromstring(data)
    styles = {s.get("id") for s in tree.findall("k:Document/k:Style", ns)}
    for folder in tree.findall(".//k:Folder", ns):
        layer = folder.findtext("k:name", namespaces=ns)
        start, end = ALL_SPECS[layer].interval
        frame = frames[layer]
        for placemark, (_, row) in zip(folder.findall("k:Placemark", ns), frame.iterrows(), strict=True):
            if pd.notna(row[start]) or pd.notna(row[end]):
                span = placemark.find("k:TimeSpan", ns)
                assert span is not None, (layer, row["id"])
                if pd.notna(row[start]):
                    assert span.findtext("k:begin", namespaces=ns) == f"{row[start]:%Y-%m-%d}"
            assert placemark.findtext("k:styleUrl", namespaces=ns).lstrip("#") in styles
    for coords in tree.iterfind(".//k:coordinates", ns):
        assert all(len(t.split(",")) == 2 for t in coords.text.split())
    incident = next(f for f in tree.iterfind(".//k:Folder", ns)
                    if f.findtext("k:name", namespaces=ns) == "incidents").find("k:Placemark", ns)
    row = frames["incidents"].iloc[0]
    end = incident.findtext("k:TimeSpan/k:end", namespaces=ns)  # incidents end on their last day, inclusive
    assert end == f"{row['date_end'] + pd.Timedelta(days=1):%Y-%m-%d}"


def test_kml_styles_use_the_apps_colours(frames):
    from borderviz.io import styling
    from borderviz.maps import mapview

    data = formats.export({"incidents": frames["incidents"]}, "kml", FILTERS).files["borderviz.kml"].decode()
    for event_type in frames["incidents"]["event_type"].unique():
        colour = styling.kml_color(mapview.EVENT_COLORS[event_type], 0.85)
        assert f'<Style id="incidents-{event_type}"><IconStyle><color>{colour}</color>' in data


# --- GeoPackage and GeoParquet types -------------------------------------------------------------


def _sqlite(data: bytes, tmp_path):
    import sqlite3

    path = tmp_path / "x.gpkg"
    path.write_bytes(data)
    return sqlite3.connect(path)


def test_geopackage_is_version_1_3_with_date_fields_and_qgis_styles(frames, tmp_path):
    from borderviz.io.styling import layer_style

    chosen = {n: frames[n] for n in ("incidents", "border_status", "enclaves", "conflicts")}
    db = _sqlite(formats.export(chosen, "gpkg", FILTERS).files["borderviz.gpkg"], tmp_path)
    assert db.execute("pragma application_id").fetchone()[0] == 0x47504B47
    assert db.execute("pragma user_version").fetchone()[0] == 10300
    for layer in chosen:
        types = {r[1]: r[2] for r in db.execute(f'pragma table_info("{layer}")')}
        for f in ALL_SPECS[layer].fields:
            if f.kind == "date":
                assert types[f.name] == "DATE", (layer, f.name, types[f.name])
    rows = db.execute("select f_table_name, f_geometry_column, styleQML, styleSLD, useAsDefault "
                      "from layer_styles").fetchall()
    assert sorted(r[0] for r in rows) == ["border_status", "enclaves", "incidents"]
    ET = pytest.importorskip("xml.etree.ElementTree")
    for name, geom_column, qml, sld, default in rows:
        assert geom_column == "geom" and default == 1
        root = ET.fromstring(qml)
        start, end = ALL_SPECS[name].interval
        temporal = root.find("temporal")
        assert temporal.get("enabled") == "1" and (temporal.get("startField"), temporal.get("endField")) == (start, end)
        style = layer_style(name)
        categories = {c.get("value") for c in root.iter("category")}
        assert categories == {str(v) for v in style.symbols}
        ET.fromstring(sld.encode())
    assert db.execute("select date_start from border_status where date_start is not null limit 1").fetchone()[0] \
        == f"{frames['border_status']['date_start'].dropna().iloc[0]:%Y-%m-%d}"


def test_geoparquet_columns_have_the_schemas_types(frames):
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty_column = frames["incidents"].assign(conflict=None)  # a column with no value in this export
    files = formats.export({"incidents": empty_column, "conflicts": frames["conflicts"]}, "parquet", FILTERS).files
    for name, data in ((n, d) for n, d in files.items() if n.endswith(".parquet")):
        schema = pq.read_schema(io.BytesIO(data))
        spec = ALL_SPECS[name.removesuffix(".parquet")]
        for f in spec.fields:
            kind = schema.field(f.name).type
            assert not pa.types.is_null(kind), (name, f.name)
            if f.kind == "date":
                assert kind == pa.date32(), (name, f.name, kind)
            if f.kind == "int":
                assert kind == pa.int64(), (name, f.name, kind)
    assert json.loads(pq.read_schema(io.BytesIO(files["incidents.parquet"])).metadata[b"geo"])["version"] == "1.1.0"


# --- interop matrix: every format × reader, expected outcomes from formats.OPENS_IN ------------------




def _write_files(bundle, folder: Path) -> list[Path]:
    paths = []
    for name, data in bundle.files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def _openable(fmt: str, paths: list[Path]) -> list[Path]:
    """The files a GIS user opens for each format."""
    suffix = {"geojson": (".geojson",), "gpkg": (".gpkg",), "parquet": (".parquet",), "kml": (".kml",),
              "csv": (".csv", ".vrt"), "shp": (".shp",), "html": (".html",)}[fmt]
    return [p for p in paths if p.name.endswith(suffix)]


def _check_pyogrio(path: Path) -> None:
    for layer, _ in pyogrio.list_layers(path):
        assert pyogrio.read_info(path, layer=layer, force_feature_count=True)["features"] > 0


def _check_ogrinfo(path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("ogrinfo") is None:
        pytest.skip("ogrinfo not installed (scripts/install-system-deps installs gdal-bin)")
    result = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    noise = [line for line in (result.stdout + result.stderr).splitlines()
             if line.startswith(("Warning", "ERROR", "FAILURE"))]
    assert not noise, noise
    assert "Feature Count:" in result.stdout


def _check_spec(fmt: str, path: Path) -> None:
    data = path.read_bytes()
    if fmt == "kml":
        assert_kml_schema_valid(data)
    elif fmt == "geojson":
        fc = json.loads(data)
        assert fc["type"] == "FeatureCollection" and "crs" not in fc  # RFC 7946: WGS 84 lon/lat only
        for feature in fc["features"]:
            geom = feature["geometry"]
            if geom is not None:
                shape = shapely.geometry.shape(geom)
                assert shapely.is_valid(shape) and shape.bounds[0] >= -180 and shape.bounds[3] <= 90
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        geo = json.loads(pq.read_schema(path).metadata[b"geo"])
        assert geo["version"] == "1.1.0" and geo["primary_column"] in geo["columns"]
        assert all(c["encoding"] == "WKB" and isinstance(c["geometry_types"], list) for c in geo["columns"].values())
    elif fmt == "gpkg":
        import sqlite3

        db = sqlite3.connect(path)
        assert db.execute("pragma application_id").fetchone()[0] == 0x47504B47
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert db.execute("pragma foreign_key_check").fetchall() == []
        registered = {r[0] for r in db.execute("select table_name from gpkg_contents")}
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table' "
                                           "and name not like 'gpkg_%' and name not like 'rtree_%' "
                                           "and name not like 'sqlite_%'")}
        assert tables <= registered, tables - registered
        validator = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
        if validator.exists():  # GDAL's own GeoPackage validator (Debian's python3-gdal, with gdal-bin)
            import subprocess

            result = subprocess.run(["/usr/bin/python3", str(validator), str(path)], capture_output=True,
                                    text=True, timeout=120)
            assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout
    elif fmt == "csv":
        if path.suffix == ".csv":
            _csv_records(data)
            return
        package = json.loads((path.parent / "datapackage.json").read_text(encoding="utf-8"))
        assert package["profile"] == "tabular-data-package" and package["resources"]


MATRIX = [pytest.param(fmt, reader, expected, id=f"{fmt}-{reader}")
          for fmt, readers in formats.OPENS_IN.items() for reader, expected in readers.items()]


def test_the_interop_matrix_covers_every_format_and_reader():
    assert set(formats.OPENS_IN) == set(formats.FORMATS)
    assert all(set(r) == set(formats.READERS) for r in formats.OPENS_IN.values())


@pytest.mark.parametrize(("fmt", "reader", "expected"), MATRIX)
def test_interop(frames, tmp_path, fmt, reader, expected):
    if expected != "yes":
        assert expected.startswith("no: "), "a format a reader does not open says why"
        if fmt == "parquet" and reader == "pyogrio":
            assert "Parquet" not in pyogrio.list_drivers()
        return
    chosen = {n: frames[n] for n in ("incidents", "border_status", "enclaves")}
    paths = _openable(fmt, _write_files(formats.export(chosen, fmt, FILTERS), tmp_path))
    assert paths
    for path in paths:
        {"pyogrio": _check_pyogrio, "ogrinfo": _check_ogrinfo}.get(reader, lambda p: _check_spec(fmt, p))(path)


@pytest.mark.parametrize("fmt", ["geojson", "parquet"])
def test_a_zip_of_layers_carries_a_datapackage(frames, fmt):
    bundle = formats.export({"incidents": frames["incidents"], "conflicts": frames["conflicts"]}, fmt, FILTERS)
    package = json.loads(bundle.files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} == {f"incidents.{fmt}", f"conflicts.{fmt}"}
    assert "datapackage.json" not in formats.export({"incidents": frames["incidents"]}, fmt, FILTERS).files
