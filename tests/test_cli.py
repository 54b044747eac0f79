"""The borderviz command."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
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


# --- conventions ---------------------------------------------------------------------------


def test_version():
    from borderviz import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"borderviz {__version__}"


def test_diagnostics_go_to_stderr_and_quiet_silences_them(tmp_path):
    out = tmp_path / "x.geojson"
    result = runner.invoke(app, ["export", "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert f"wrote {out}" in result.stderr
    quiet = runner.invoke(app, ["-q", "export", "-o", str(out)])
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = runner.invoke(app, ["-v", "export", "-o", str(out)])
    assert "reading and validating the layers:" in verbose.stderr


def test_output_dash_writes_the_export_to_stdout():
    result = runner.invoke(app, ["-q", "export", "--format", "geojson", "--from", "2022-09-14", "--to", "2022-09-20",
                                 "-o", "-"])
    assert result.exit_code == 0, result.stderr
    fc = json.loads(result.stdout_bytes)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) > 10
    gpkg = runner.invoke(app, ["-q", "export", "--format", "gpkg", "-o", "-"])
    assert gpkg.exit_code == 0 and gpkg.stdout_bytes.startswith(b"SQLite format 3\x00")
    several = runner.invoke(app, ["-q", "export", "--format", "shp", "-o", "-"])
    assert several.exit_code == 0 and several.stdout_bytes.startswith(b"PK")  # the Shapefile's parts, zipped


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "geojson", "-o", "x.csv"], "--format geojson writes .geojson (or .zip), not .csv"),
    (["--format", "kml", "-o", "x"], "not a name without an extension"),
    (["-o", "x.zip"], "say which format"),
    (["-o", "-"], "say which format"),
    (["-o", "x.xls"], "say which format"),
    (["--format", "xls", "-o", "x.xls"], "unknown format 'xls'"),
    (["--country", "XX", "-o", "x.csv"], "unknown --country XX"),
    (["--precision", "vague", "-o", "x.csv"], "unknown --precision vague"),
    (["--min-killed", "-5", "-o", "x.csv"], "greater than or equal to 0"),
])
def test_export_refuses_what_it_cannot_do_before_reading_anything(tmp_path, args, message):
    result = runner.invoke(app, ["export", *[str(tmp_path / a) if a.startswith("x.") or a == "x" else a
                                             for a in args]])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not list(tmp_path.iterdir())


def test_format_follows_the_extension(tmp_path):
    out = tmp_path / "x.gpkg"
    assert runner.invoke(app, ["-q", "export", "-o", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"SQLite format 3\x00")


def test_export_offers_every_filter_the_app_has(tmp_path, frames):
    from borderviz.model import timeline

    out = tmp_path / "x.geojson"
    args = ["-q", "export", "--from", "2014-01-01", "--to", "2025-12-31", "--type", "armed_clash", "--type",
            "shooting", "--country", "KG", "--precision", "settlement", "--precision", "exact", "--min-killed", "1",
            "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    fc = json.loads(out.read_text(encoding="utf-8"))
    expected = timeline.filter_incidents(frames["incidents"], "2014-01-01", "2025-12-31", timeline.IncidentFilter(
        ("armed_clash", "shooting"), ("KG",), ("settlement", "exact"), 1))
    assert sorted(f["properties"]["id"] for f in fc["features"]) == sorted(expected["id"])
    assert fc["borderviz"]["filters"] == {"from": "2014-01-01", "to": "2025-12-31",
                                          "types": ["armed_clash", "shooting"], "countries": ["KG"],
                                          "precisions": ["settlement", "exact"], "min_killed": 1}


def test_history_exports_every_interval_of_a_dated_layer(tmp_path, frames):
    out = tmp_path / "x.gpkg"
    assert runner.invoke(app, ["-q", "export", "--layer", "border_status", "--history", "-o", str(out)]).exit_code == 0
    assert len(gpd.read_file(out, layer="border_status")) == len(frames["border_status"])
    as_of = tmp_path / "y.gpkg"
    assert runner.invoke(app, ["-q", "export", "--layer", "border_status", "-o", str(as_of)]).exit_code == 0
    assert len(gpd.read_file(as_of, layer="border_status")) < len(frames["border_status"])


def test_the_help_imports_nothing_heavy():
    """`borderviz --help` must not import pandas, geopandas, folium or streamlit (that is what made it slow)."""
    import subprocess
    import sys

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom borderviz.cli import app\n"
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
            "print(sorted(m for m in ('pandas', 'geopandas', 'folium', 'streamlit', 'pyogrio', 'shapely') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cli_tables_agree_with_the_library():
    from borderviz import cli
    from borderviz.io import formats

    assert {k: f.extension for k, f in formats.FORMATS.items()} == cli.FORMAT_EXTENSIONS
    from borderviz.model.schema import LAYERS

    assert tuple(LAYERS) == cli.LAYER_NAMES


def test_shell_completion_is_on_and_completes_layers_and_formats():
    from borderviz import cli

    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.output and "--show-completion" in result.output
    assert cli._complete(cli.LAYER_NAMES)("bor") == ["border_lines", "border_status"]
    assert cli._complete(cli.FORMAT_EXTENSIONS)("g") == ["geojson", "gpkg"]


@pytest.mark.parametrize("command", [["export"], ["import", "x.csv"]])
def test_output_into_a_missing_folder_is_an_error_that_names_it(tmp_path, command):
    (tmp_path / "x.csv").write_text("id,latitude,longitude,date\na,40,70.5,2022-09-14\n", encoding="utf-8")
    missing = tmp_path / "no" / "such"
    args = [str(tmp_path / a) if a == "x.csv" else a for a in command]
    result = runner.invoke(app, [*args, "-o", str(missing / "out.gpkg")])
    assert result.exit_code == 2, result.output
    assert f"the folder {missing} does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_output_dash_writes_one_layers_csv_text():
    one = runner.invoke(app, ["-q", "export", "--format", "csv", "--from", "2022-09-14", "--to", "2022-09-20",
                              "-o", "-"])
    assert one.exit_code == 0
    text = one.stdout_bytes.decode("utf-8-sig")
    assert text.startswith('"id",') and "2022-09-14" in text and not one.stdout_bytes.startswith(b"PK")
    two = runner.invoke(app, ["-q", "export", "--format", "csv", "--layer", "incidents", "--layer", "crossings",
                              "-o", "-"])
    assert two.exit_code == 0 and two.stdout_bytes.startswith(b"PK")  # several layers: zipped


def test_borderviz_app_passes_what_the_checkout_config_sets(repo, tmp_path):
    import tomllib

    from borderviz import cli

    config = tomllib.loads((repo / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    flat = {f"{section}.{key}": str(value).lower()
            for section, values in config.items() for key, value in values.items()}
    assert flat == cli.STREAMLIT_OPTIONS
    script = cli.app_folder(tmp_path)
    assert script.is_file() and "app.py" in script.read_text(encoding="utf-8")
    command = cli.streamlit_command(script, port=8765)
    assert command[1:4] == ["-m", "streamlit", "run"] and "--server.port=8765" in command
    assert "--server.headless=true" in command


def test_export_html_with_your_own_file(tmp_path):
    """borderviz export --layer incidents --with my-acled.csv --format html: both in one offline map."""
    import re

    from borderviz.maps import packet

    header = ("event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,country,admin1,admin2,"
              "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities")
    rows = ["KGZ1,2022-09-16,2022,1,Battles,Armed clash,Kyrgyzstan,Batken,Batken,{{ 7*191 }},39.9,70.5,1,T,N,n,2",
            "KGZ2,2019-09-16,2019,1,Battles,Armed clash,Kyrgyzstan,Batken,Leilek,Kulundu,40.1,69.6,1,T,N,n,0"]
    source = tmp_path / "my-acled.csv"
    source.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    out = tmp_path / "map.html"
    result = runner.invoke(app, ["export", "--layer", "incidents", "--with", str(source), "--from", "2022-01-01",
                                 "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    from borderviz.maps import engine

    options = engine.decode_options(re.search(r'bvx\.attach\(map_\w+, "([^"]+)"\)', html).group(1))
    imported = packet.unpack(options["packets"][1])[0]
    assert imported["ids"] == ["acled-KGZ1"] and imported["places"] == ["{{ 7*191 }}"]  # 2019 row: before --from
