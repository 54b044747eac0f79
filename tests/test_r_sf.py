"""What R's sf 1.0-9 (Debian 12, GDAL 3.6) reads from borderviz's exports, asserted cell by cell of
``interop.OPENS_IN[...]["r_sf"]``: rows, geometry, ids as text, dates as Date (or text where the table
says so), Cyrillic kept, no warning. One Rscript run (tests/tools/sf_check.R) reads every file. Fails in
CI when R or sf is missing; skipped elsewhere.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import need_tool

from borderviz.io import formats, interop

SCRIPT = Path(__file__).resolve().parent / "tools" / "sf_check.R"
LAYERS = ["incidents", "border_status", "enclaves", "conflicts"]
# (format, file in the export, layer or "-", the layer it holds, geometry sf reports, class of the dates)
READS = [
    ("geojson", "incidents.geojson", "-", "incidents", "POINT", "Date"),
    ("geojson", "border_status.geojson", "-", "border_status", "MULTILINESTRING", "Date"),
    ("gpkg", "borderviz.gpkg", "incidents", "incidents", "POINT", "Date"),
    ("gpkg", "borderviz.gpkg", "enclaves", "enclaves", "POLYGON", "Date"),
    ("gpkg", "borderviz.gpkg", "conflicts", "conflicts", "none", "Date"),
    ("kml", "borderviz.kml", "incidents", "incidents", "POINT", "character"),
    ("kml", "borderviz.kml", "border_status", "border_status", "MULTILINESTRING", "character"),
    ("csv", "incidents.csv", "-", "incidents", "none", "Date"),
    ("csv", "incidents.vrt", "-", "incidents", "POINT", "Date"),
    ("csv", "border_status.csv", "-", "border_status", "MULTILINESTRING", "Date"),
    ("shp", "incidents.shp", "-", "incidents", "POINT", "character"),
    ("shp", "enclaves.shp", "-", "enclaves", "POLYGON", "character"),
    ("xlsx", "borderviz.xlsx", "incidents", "incidents", "none", "Date"),
    ("xlsx", "borderviz.xlsx", "conflicts", "conflicts", "none", "Date"),
    ("parquet", "incidents.parquet", "-", "incidents", None, None),
]


@pytest.fixture(scope="module")
def sf_read(frames, tmp_path_factory):
    need_tool("R with sf", shutil.which("Rscript") is not None and subprocess.run(
        ["Rscript", "-e", "library(sf)"], capture_output=True, timeout=120).returncode == 0, "r-cran-sf")
    folder = tmp_path_factory.mktemp("r-sf")
    for fmt in {r[0] for r in READS}:
        bundle = formats.export({n: frames[n] for n in LAYERS}, fmt, {"from": "2014-01-01"})
        (folder / fmt).mkdir()
        for name, data in bundle.files.items():
            (folder / fmt / name).write_bytes(data)
    args = [a for fmt, name, layer, *_ in READS for a in (str(folder / fmt / name), layer)]
    result = subprocess.run(["Rscript", str(SCRIPT), *args], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line.split("\t") for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(READS), result.stdout
    return {(row[0].split("/")[-2], row[0].split("/")[-1], row[1]): row[2:] for row in lines}


def test_every_r_cell_of_the_interop_table_is_read():
    assert {f for f in interop.OPENS_IN if interop.OPENS_IN[f]["r_sf"] != "n/a"} == {r[0] for r in READS}


@pytest.mark.parametrize(("fmt", "name", "layer", "holds", "geometry", "dates"), READS,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in READS])
def test_what_r_sf_reads(sf_read, frames, fmt, name, layer, holds, geometry, dates):
    status, rows, geom, id_class, date_class, cyrillic, first_id, warnings = sf_read[(fmt, name, layer)]
    if not interop.opens(fmt, "r_sf"):
        assert status == "error" and "Cannot open" in first_id, (status, first_id)
        return
    assert status == "ok", first_id
    assert int(rows) == len(frames[holds]) and int(warnings) == 0
    assert geom == geometry and id_class == "character" and date_class == dates
    assert first_id in set(frames[holds]["id"])
    if holds in ("incidents", "border_status", "enclaves"):
        assert cyrillic == "TRUE"  # sources, names and notes in Russian
