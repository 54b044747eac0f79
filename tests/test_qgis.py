"""What QGIS 3.22 reads from borderviz's exports, asserted cell by cell of ``interop.OPENS_IN[...]["qgis"]``.

Debian's PyQGIS runs in a subprocess (tests/tools/qgis_check.py, with /usr/bin/python3, not the venv)
on files borderviz exports: the layers of both wars and of the treaty of 13 March 2025, with their
history (every interval of the border's status, the crossings and the enclaves). For each file QGIS
says whether each layer is valid, how it is styled, whether its temporal settings are on as loaded, and
which ids each checked day's frame draws; every frame must hold exactly that day's features. The
project runs under TZ=Asia/Bishkek (UTC+6), where a comparison of dates with UTC midnights would shift
a day. Fails in CI when QGIS is missing; skipped elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import need_tool

from borderviz.io import formats, interop
from borderviz.io.styling import end_inclusive, layer_style
from borderviz.model import timeline
from borderviz.model.schema import ALL_SPECS

PYQGIS = "/usr/bin/python3"
CHECK = Path(__file__).resolve().parent / "tools" / "qgis_check.py"
LAYERS = ["incidents", "border_status", "crossings", "enclaves", "countries", "conflicts"]
START, END = dt.date(2021, 4, 1), dt.date(2025, 3, 31)
# Both wars (the day before each too: an event must not show a day early), the treaty of 13 March 2025.
DAYS = ["2021-04-28", "2021-04-29", "2021-04-30", "2022-09-13", "2022-09-14", "2022-09-16", "2025-03-12",
        "2025-03-13", "2025-03-14"]
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TZ": "Asia/Bishkek"}


def _has_qgis() -> bool:
    if not Path(PYQGIS).exists():
        return False
    return subprocess.run([PYQGIS, "-c", "import qgis.core"], capture_output=True, timeout=60).returncode == 0


@pytest.fixture(scope="module")
def qgis():
    need_tool("PyQGIS", _has_qgis(), "python3-qgis and qgis-providers")


def ask(targets: list[dict], days: list[str] = DAYS) -> list[dict]:
    result = subprocess.run([PYQGIS, str(CHECK)], input=json.dumps({"targets": targets, "days": days}),
                            capture_output=True, text=True, timeout=300, env=ENV)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def exported(frames, tmp_path_factory):
    """The layers with their history from April 2021 to March 2025, as the CLI's --history exports them."""
    selected = timeline.filter_incidents(frames["incidents"], START, END, timeline.IncidentFilter())
    return {n: timeline.layer_selection(frames, n, START, END, selected, history=True) for n in LAYERS}


def expected(frame: pd.DataFrame, layer: str, day: str) -> list[str]:
    """The ids a day's frame must draw: what holds on that day (an inclusive end includes its day)."""
    spec = ALL_SPECS[layer]
    if not spec.interval or not spec.geometry:
        return sorted(frame[spec.id_field].astype(str))
    start, end = (pd.to_datetime(frame[c]) for c in spec.interval)
    when = pd.Timestamp(day)
    after = end >= when if end_inclusive(layer) else end > when
    keep = (start.isna() | (start <= when)) & (end.isna() | after)
    return sorted(frame.loc[keep, spec.id_field].astype(str))


def write(exported, fmt: str, folder: Path, names=LAYERS) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bundle = formats.export({n: exported[n] for n in names}, fmt, {"from": START.isoformat(), "to": END.isoformat(),
                                                                   "history": True})
    for name, data in bundle.files.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in bundle.files}


def assert_styled(info: dict, layer: str, names: dict[str, str] | None = None) -> None:
    style = layer_style(layer)
    assert info["valid"], info
    if style.column is None:
        assert info["renderer"]["type"] == "singleSymbol", info["renderer"]
        return
    assert info["renderer"]["type"] == "categorizedSymbol", info["renderer"]
    assert info["renderer"]["column"] == (names or {}).get(style.column, style.column)
    assert set(info["renderer"]["categories"]) == {str(v) for v in style.symbols}


def assert_day_exact(info: dict, frame: pd.DataFrame, layer: str) -> None:
    assert info["temporal"]["active"] and info["temporal"]["mode"] == 4, info["temporal"]
    for day in DAYS:
        assert info["frames"][day] == expected(frame, layer, day), (layer, day)


def test_every_qgis_cell_of_the_interop_table_has_a_check():
    assert {f for f in interop.OPENS_IN if interop.OPENS_IN[f]["qgis"] != "n/a"} == set(CHECKS)


def test_the_checked_days_hold_both_wars_the_treaty_crossings_and_enclaves(exported):
    inc = exported["incidents"]
    for day in ("2021-04-29", "2022-09-14", "2022-09-16"):
        assert expected(inc, "incidents", day), day  # incidents on each war's days
    assert expected(inc, "incidents", "2022-09-13") != expected(inc, "incidents", "2022-09-14")
    status = exported["border_status"]
    assert expected(status, "border_status", "2025-03-12") != expected(status, "border_status", "2025-03-13")
    assert expected(exported["crossings"], "crossings", "2025-03-12")
    assert expected(exported["enclaves"], "enclaves", "2025-03-12") != expected(exported["enclaves"], "enclaves",
                                                                               "2025-03-14")


def _check_project(info: dict, exported) -> None:
    assert info["read"] and info["crs"] == "EPSG:4326"
    time = info["time"]
    assert (time["start"], time["end"]) == (f"{START}T00:00:00", f"{END + dt.timedelta(days=1)}T00:00:00")
    assert (time["step"], time["unit"], time["first_frame"], time["last_frame"]) == (1.0, 4, str(START), str(END))
    by_name = {layer["name"]: layer for layer in info["layers"]}
    assert set(by_name) == set(LAYERS)
    assert [n for n in by_name][0] in ("incidents", "crossings")  # points on top, tables last
    for name, layer in by_name.items():
        frame = exported[name]
        assert layer["valid"] and layer["features"] == len(frame), name
        if ALL_SPECS[name].geometry:
            assert_styled(layer, name)
        if ALL_SPECS[name].interval and ALL_SPECS[name].geometry:
            assert_day_exact(layer, frame, name)


def check_gpkg(exported, tmp_path):
    files = write(exported, "gpkg", tmp_path)
    path = files["borderviz.gpkg"]
    dated = [n for n in LAYERS if ALL_SPECS[n].interval and ALL_SPECS[n].geometry]
    targets = [{"kind": "layer", "uri": f"{path}|layername={n}", "name": n, "reload": True} for n in dated]
    targets.append({"kind": "project", "path": f"geopackage:{path}?projectName=borderviz"})
    *layers, project = ask(targets)
    for name, info in zip(dated, layers, strict=True):
        assert_styled(info, name)  # as loaded: styled, temporal settings read but off (qgis/QGIS#42223)
        assert not info["temporal"]["active"], (name, info["temporal"])
        assert_day_exact(info["reloaded"], exported[name], name)  # once switched on, day-exact
    _check_project(project, exported)


def check_qgz(exported, tmp_path):
    (path,) = formats.export_to({n: exported[n] for n in LAYERS}, "qgz", tmp_path / "war.qgz",
                                {"from": START.isoformat(), "to": END.isoformat()})[:1]
    assert (tmp_path / "war.gpkg").exists()
    (project,) = ask([{"kind": "project", "path": str(path)}])
    _check_project(project, exported)


def check_shp(exported, tmp_path):
    files = write(exported, "shp", tmp_path)
    names = {}
    targets = []
    for layer in ("incidents", "border_status", "crossings", "enclaves"):
        mapping = pd.read_csv(files[f"{layer}.fields.csv"], dtype=str, encoding="utf-8-sig")
        names[layer] = dict(zip(mapping["column"], mapping["shapefile_field"], strict=True))
        targets.append({"kind": "layer", "uri": str(files[f"{layer}.shp"]), "name": layer, "reload": True})
    for layer, info in zip(names, ask(targets), strict=True):
        assert_styled(info, layer, names[layer])
        assert info["fields"][names[layer]["date_start" if layer != "enclaves" else "valid_from"]] == "String"
        assert not info["temporal"]["active"]
        assert_day_exact(info["reloaded"], exported[layer], layer)


def check_csv(exported, tmp_path):
    files = write(exported, "csv", tmp_path)
    targets = [{"kind": "layer", "uri": str(files["incidents.vrt"]), "name": "incidents", "reload": True},
               {"kind": "delimitedtext", "name": "incidents", "reload": True,
                "uri": f"file://{files['incidents.csv']}?type=csv&detectTypes=yes&xField=longitude&yField=latitude"
                       "&crs=EPSG:4326"},
               {"kind": "delimitedtext", "name": "border_status", "reload": True,
                "uri": f"file://{files['border_status.csv']}?type=csv&detectTypes=yes&wktField=wkt&crs=EPSG:4326"}]
    vrt, dialog, lines = ask(targets)
    for info, layer in ((vrt, "incidents"), (dialog, "incidents"), (lines, "border_status")):
        assert_styled(info, layer)
        assert info["features"] == len(exported[layer])
        assert not info["temporal"]["active"]
        assert_day_exact(info["reloaded"], exported[layer], layer)
    # The dialog takes the types from the .csvt: ids stay text (without it, 2014-01-11-ak-sai-... is a date).
    assert dialog["fields"]["id"] == "text" and dialog["fields"]["date_start"] == "date"
    assert dialog["ids"] == sorted(exported["incidents"]["id"])


def check_geojson(exported, tmp_path):
    files = write(exported, "geojson", tmp_path, ["incidents"])
    (info,) = ask([{"kind": "layer", "uri": str(files["incidents.geojson"]), "name": "incidents"}])
    assert info["valid"] and info["features"] == len(exported["incidents"])
    assert info["renderer"]["type"] == "singleSymbol" and not info["temporal"]["active"]
    assert info["fields"]["date_start"] == "Date"


def check_kml(exported, tmp_path):
    files = write(exported, "kml", tmp_path, ["incidents", "border_status"])
    path = files["borderviz.kml"]
    infos = ask([{"kind": "layer", "uri": f"{path}|layername={n}", "name": n} for n in ("incidents", "border_status")])
    for info, layer in zip(infos, ("incidents", "border_status"), strict=True):
        assert info["valid"] and info["features"] == len(exported[layer])
        assert info["renderer"]["type"] == "embeddedSymbol"  # the KML's own styles
        assert info["fields"]["date_start"] == "String" and not info["temporal"]["active"]


def check_xlsx(exported, tmp_path):
    files = write(exported, "xlsx", tmp_path, ["incidents", "conflicts"])
    (info,) = ask([{"kind": "layer", "uri": f"{files['borderviz.xlsx']}|layername=incidents", "name": "incidents"}])
    assert info["valid"] and info["features"] == len(exported["incidents"]) and info["renderer"] is None
    assert info["fields"]["id"] == "String" and info["fields"]["date_start"] == "Date"
    assert info["ids"] == sorted(exported["incidents"]["id"])


def check_parquet(exported, tmp_path):
    files = write(exported, "parquet", tmp_path, ["incidents"])
    # Measured: an invalid layer, and no crash (a segfault seen in headless PyQGIS came from QgsError.summary(),
    # which crashes on any file there; qgis_check.py never calls it).
    (info,) = ask([{"kind": "layer", "uri": str(files["incidents.parquet"]), "name": "incidents"}])
    assert not info["valid"] and info["features"] < 0


CHECKS = {"gpkg": check_gpkg, "qgz": check_qgz, "shp": check_shp, "csv": check_csv, "geojson": check_geojson,
          "kml": check_kml, "xlsx": check_xlsx, "parquet": check_parquet}


@pytest.mark.parametrize("fmt", list(CHECKS))
def test_what_qgis_reads(qgis, exported, tmp_path, fmt):
    claim = interop.OPENS_IN[fmt]["qgis"]
    assert claim.startswith("yes" if fmt != "parquet" else "no"), claim
    CHECKS[fmt](exported, tmp_path)
