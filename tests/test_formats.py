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

from borderviz import formats
from borderviz.errors import ExportError
from borderviz.schema import ALL_SPECS

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
    if kind == "float":
        return repr(float(v))
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
    assert json.loads((tmp_path / "out.datapackage.json").read_text())["resources"][0]["path"] == "out.csv"
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
def test_exports_leave_nothing_on_disk(frames, fmt):
    import tempfile
    from pathlib import Path

    before = set(Path(tempfile.gettempdir()).glob("borderviz-*"))
    formats.export({"incidents": frames["incidents"].head(3)}, fmt, FILTERS)
    assert set(Path(tempfile.gettempdir()).glob("borderviz-*")) == before


def test_html_map_draws_only_the_exported_layers(frames):
    html = formats.export({"crossings": frames["crossings"]}, "html", FILTERS).files["borderviz-map.html"].decode()
    assert "bv-crossing" in html and "bv-incident" not in html and "bv-status" not in html


def test_csv_cells_that_spreadsheets_would_run_are_defused(make_incidents):
    from conftest import incident

    inc = make_incidents([incident(place_reported="=HYPERLINK(\"http://evil\")", district="-Leilek")])
    text = formats.export({"incidents": inc}, "csv", FILTERS).files["incidents.csv"].decode()
    assert "'=HYPERLINK" in text and "'-Leilek" in text
