"""The borderviz command."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import pandas as pd
from typer.testing import CliRunner

from borderviz.cli import app

runner = CliRunner()


def test_validate_passes_on_committed_data():
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")


def test_validate_fails_with_every_message(tmp_path, repo):
    for path in (repo / "data").glob("*.*"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    fc = json.loads((tmp_path / "incidents.geojson").read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["event_type"] = "bombing"
    fc["features"][1]["geometry"]["coordinates"] = [700.0, 39.9]
    (tmp_path / "incidents.geojson").write_text(json.dumps(fc), encoding="utf-8")
    result = runner.invoke(app, ["validate", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "3 problems" in result.output and "run once the problems above are fixed" in result.output
    assert "'bombing' is not one of" in result.output and "coordinates out of range" in result.output


def test_layers_prints_lengths_areas_and_the_record():
    result = runner.invoke(app, ["layers"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2017: 952.7 km" in out and "2024: 946.5 km" in out
    assert "vorukh" in out and "97.69" in out and "33.21" in out
    assert "Incidents:" in out and "per year:" in out
    assert "Border status history" in out and "As of 16 Sep 2022" in out


def test_export_example_from_the_issue(tmp_path):
    out = tmp_path / "out.gpkg"
    result = runner.invoke(app, ["export", "--layer", "incidents", "--from", "2021-04-28", "--to", "2021-05-01",
                                 "--format", "gpkg", "-o", str(out)])
    assert result.exit_code == 0, result.output
    frame = gpd.read_file(out, layer="incidents")
    assert len(frame) > 10
    assert frame["date_start"].min() >= pd.Timestamp("2021-04-28")
    assert frame["date_end"].max() <= pd.Timestamp("2021-05-01")


def test_export_several_layers_to_a_zip(tmp_path):
    out = tmp_path / "out.zip"
    result = runner.invoke(app, ["export", "--layer", "incidents", "--layer", "border_status", "--format", "csv",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert {"incidents.csv", "border_status.csv", "provenance.json"} <= set(zipfile.ZipFile(out).namelist())


def test_export_refuses_unknown_format_and_bad_dates(tmp_path):
    assert runner.invoke(app, ["export", "--format", "xlsx", "-o", str(tmp_path / "x")]).exit_code == 2
    result = runner.invoke(app, ["export", "--from", "28/04/2021", "-o", str(tmp_path / "x.geojson")])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_import_reports_problems_and_exits_nonzero(tmp_path):
    bad = tmp_path / "mine.csv"
    bad.write_text("date,latitude,longitude\n2021-04-29,39.95,not-a-number\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "mine.csv, row 2" in result.output and "not numbers" in result.output


def test_import_summarises_and_exports(tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("date,latitude,longitude,place\n2021-04-29,39.949,70.528,Kok-Tash\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(good), "-o", str(tmp_path / "mine.geojson")])
    assert result.exit_code == 0, result.output
    assert "1 incidents from mine.csv" in result.output
    assert "may duplicate" in result.output
    assert (tmp_path / "mine.geojson").exists()


def test_build_data_writes_elsewhere(tmp_path):
    result = runner.invoke(app, ["build-data", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "incidents.geojson").exists()


def test_export_refuses_reversed_dates_and_unknown_types(tmp_path):
    out = str(tmp_path / "x.geojson")
    reversed_dates = runner.invoke(app, ["export", "--from", "2022-09-20", "--to", "2022-09-01", "-o", out])
    assert reversed_dates.exit_code == 2 and "is after" in reversed_dates.output
    bad_type = runner.invoke(app, ["export", "--type", "bogus", "-o", out])
    assert bad_type.exit_code == 2 and "unknown --type bogus" in bad_type.output


def test_import_checks_the_format_before_reading(tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("date,latitude,longitude\n2021-04-29,39.949,70.528\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(good), "-o", str(tmp_path / "x"), "--format", "bogus"])
    assert result.exit_code == 2 and "unknown format 'bogus'" in result.output
