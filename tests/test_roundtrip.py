"""borderviz reads back what it writes: a matrix of format x layers generated from the interop table
(``interop.OPENS_IN[fmt]["borderviz"]``). Each export is handed to the importer as a user would upload it
(the file, or the zip a download gives): the incidents come back, every one; the other layers of a
multi-layer export are named in a warning and left; an export with no incidents layer is refused, naming
what it holds; the formats the table says are not read are refused with the reason it gives."""

from __future__ import annotations

import pytest

from borderviz.errors import InputError
from borderviz.io import formats, importers, interop

SETS = {
    "incidents": ["incidents"],
    "several": ["incidents", "border_status", "crossings", "enclaves", "conflicts"],
    "imported": ["imported_incidents"],
    "with-imported": ["incidents", "imported_incidents", "crossings"],
    "no-incidents": ["border_status", "crossings"],
}
TOWNS = (b"id,date,latitude,longitude,place\nt1,2022-09-14,40.06,70.82,Batken\nt2,2022-09-15,40.27,70.57,Isfara\n"
         b"t3,2022-09-16,39.856,70.584,Vorukh\n")
CASES = [pytest.param(fmt, key, id=f"{fmt}-{key}") for fmt in formats.FORMATS for key in SETS
         if interop.opens(fmt, "borderviz") or key == "incidents"]


@pytest.fixture(scope="module")
def layers(frames):
    imported = importers.import_file("towns.csv", TOWNS, frames["incidents"])
    return {**frames, "imported_incidents": imported.table}


@pytest.mark.parametrize(("fmt", "key"), CASES)
def test_borderviz_reads_back_what_it_writes(layers, frames, fmt, key):
    names = SETS[key]
    if fmt in ("kml", "shp") and names == ["conflicts"]:
        pytest.skip("a table alone")
    bundle = formats.export({n: layers[n] for n in names}, fmt, {"from": "2014-01-01"})
    name, data, _ = bundle.single()
    if not interop.opens(fmt, "borderviz"):
        with pytest.raises(InputError) as refused:
            importers.import_file(name, data, frames["incidents"])
        assert interop.OPENS_IN[fmt]["borderviz"].removeprefix("no: ") in str(refused.value)
        return
    if key == "no-incidents":
        with pytest.raises(InputError, match="holds no incidents layer") as refused:
            importers.import_file(name, data, frames["incidents"])
        assert "border_status, crossings" in str(refused.value)
        return
    result = importers.import_file(name, data, frames["incidents"])
    if "imported_incidents" in names:  # an import exported and imported again keeps its own ids
        want = layers["imported_incidents"].column("id").to_pylist()
    else:
        want = [f"file-{i}" for i in frames["incidents"]["id"]]
    assert sorted(result.table.column("id").to_pylist()) == sorted(want)
    read = "imported_incidents" if "imported_incidents" in names else "incidents"
    left = [n for n in names if n != read and not (fmt in ("kml", "shp") and n == "conflicts")]  # (no tables)
    note = [w for w in result.warnings if "is a borderviz export of" in w]
    if left:
        assert note and all(n in note[0] for n in left) and note[0].startswith(name), result.warnings
    else:
        assert not note, result.warnings
