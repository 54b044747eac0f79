"""The writers: an imported file's own columns in every format, typed and unchanged; memory bounded by the batch.

Every file is built here in code. The round trips read each export back as a user would
(``formats.read_back``) and compare the file's columns after the loss the format table
declares for their kind (``formats.FORMATS[fmt].read_back``), with the normalisers of
tests/test_formats.py: a loss the table does not declare fails here.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import weakref

import numpy as np
import pyarrow as pa
import pytest
import shapely
from test_formats import RULES

from borderviz.io import formats, importers
from borderviz.io.writers import layer as layers
from borderviz.io.writers.layer import GEOMETRY, JSON, from_batches, points_wkb
from borderviz.model.schema import IMPORTED_INCIDENTS

DATA_FORMATS = [k for k in formats.FORMATS if k != "html"]
# A generic file: text, whole numbers (one with a leading zero, which stays text), decimals, ISO days
# (and a column with an impossible day, which stays text), empty cells, Cyrillic, quotes, line breaks,
# text a spreadsheet would run, and names that clash with borderviz's (prefixed: file_event_type, ...).
FILE_CSV = (
    "id,date,latitude,longitude,event_type,code,count,ratio,day,not_a_day,note,empty\n"
    "a1,2022-09-14,39.95,70.55,shooting,007,3,0.25,2022-09-14,2022-02-30,\"Ворух, \"\"центр\"\"\",\n"
    "a2,2022-09-15,39.90,70.60,blockade,012,,1.5,2022-09-15,2022-09-15,\"line one\nline two\",\n"
    "a3,2022-09-16,40.10,70.90,other,100,12,-3,,2021-04-29,=HYPERLINK(\"x\"),\n"
).encode()
FILE_COLUMNS = ["file_id", "date", "file_latitude", "file_longitude", "file_event_type", "code", "count", "ratio",
                "day", "not_a_day", "note", "empty"]


@pytest.fixture(scope="module")
def builtin(frames):
    return frames["incidents"]


@pytest.fixture(scope="module")
def imported(builtin):
    return importers.import_file("mine.csv", FILE_CSV, builtin)


def test_an_import_keeps_the_files_columns_typed_under_their_own_names(imported):
    table = imported.table
    names = [n for n in table.column_names if n not in IMPORTED_INCIDENTS.columns and n not in ("_x", "_y")]
    assert names == FILE_COLUMNS
    types = {n: table.schema.field(n).type for n in names}
    assert types["count"] == pa.int64() and types["ratio"] == pa.float64() and types["day"] == pa.date32()
    assert types["code"] == pa.string()  # 007 is not written as a number is: kept as text
    assert types["not_a_day"] == pa.string()  # 2022-02-30 is no day: the column stays text, not rolled over
    assert table.column("code").to_pylist() == ["007", "012", "100"]
    assert table.column("not_a_day").to_pylist() == ["2022-02-30", "2022-09-15", "2021-04-29"]
    assert table.column("note").to_pylist() == ['Ворух, "центр"', "line one\nline two", '=HYPERLINK("x")']
    assert table.column("empty").null_count == 3 and table.column("count").to_pylist() == [3, None, 12]
    assert "source_fields" not in table.column_names


def _file_column_kind(table: pa.Table, name: str) -> str:
    return layers.arrow_kind(table.schema.field(name).type)


def _read_back(bundle, fmt: str):
    back = formats.read_back(bundle)
    frame = back["imported_incidents"]
    if fmt == "shp":  # undo the Shapefile's name map; join the moved text back by id
        mapping = back["imported_incidents.fields"]
        frame = frame.rename(columns=dict(zip(mapping["shapefile_field"], mapping["column"], strict=True)))
        frame = frame.merge(back["imported_incidents.text"], on="id", how="left", validate="one_to_one")
    return frame.set_index("id", drop=False)


# GDAL's GeoJSON reader types a column of ISO-looking text as dates and pyogrio then fails on 2022-02-30
# (ValueError: day is out of range): a reader's limit, so that column stays out of the round trips.
ROUND_TRIP_COLUMNS = [c for c in FILE_COLUMNS if c != "not_a_day"]


@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_every_format_writes_the_files_columns_typed_and_unchanged(imported, fmt):
    table = imported.table.drop_columns(["not_a_day"])
    bundle = formats.export({"imported_incidents": table}, fmt, {"imported_from": "mine.csv"})
    back = _read_back(bundle, fmt)
    rules = formats.FORMATS[fmt].read_back
    mismatches = []
    for name in ROUND_TRIP_COLUMNS:
        assert name in back.columns, f"{fmt}: the file's column {name} is missing"
        kind = _file_column_kind(table, name)
        rule = RULES[rules[kind]]
        for ident, value in zip(table.column("id").to_pylist(), table.column(name).to_pylist(), strict=True):
            got = back.loc[ident, name]
            if fmt == "csv":  # the CSV's promise: formulas defused with a leading '
                value = formats.defuse_formula(value)
            if rule(value, kind) != rule(got, kind):
                mismatches.append(f"{ident}.{name} ({kind}, {rules[kind]}): {rule(value, kind)!r} -> "
                                  f"{rule(got, kind)!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_imported_exports_write_the_shared_citation_once(imported, fmt):
    prov = formats.provenance_of(formats.export({"imported_incidents": imported.table}, fmt))
    shared = prov["imported"]["imported_incidents"]
    assert shared["citation"]["publisher"] == "User file mine" and shared["file_columns"] == FILE_COLUMNS


def test_the_per_row_citation_holds_only_what_differs(imported):
    data = formats.export({"imported_incidents": imported.table}, "geojson").files["imported_incidents.geojson"]
    doc = json.loads(data)
    for feature in doc["features"]:
        (citation,) = feature["properties"]["sources"]
        assert "publisher" not in citation and citation.get("title")
    assert doc["borderviz"]["imported"]["imported_incidents"]["citation"]["note"] == "imported from mine.csv"


def test_an_export_from_the_frame_equals_the_export_from_the_table(imported):
    """The app exports the (filtered) frame, the command line the Arrow table: the same file."""
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    a = formats.export({"imported_incidents": imported.table}, "geojson", now=when)
    b = formats.export({"imported_incidents": imported.frame}, "geojson", now=when)
    assert a.files == b.files


# --- memory is bounded by the batch -----------------------------------------------------------------------------

ROWS, BATCHES = 2_000, 24


def _schema() -> pa.Schema:
    return pa.schema([
        pa.field("id", pa.string()), pa.field("dataset", pa.string()), pa.field("source_id", pa.string()),
        pa.field("date_start", pa.date32()), pa.field("date_end", pa.date32()),
        pa.field("date_precision", pa.string()), pa.field("event_type", pa.string()),
        pa.field("place_reported", pa.string()), pa.field("country", pa.string()),
        pa.field("location_precision", pa.string()), pa.field("killed_total", pa.int64()),
        pa.field("sources", pa.string(), metadata={JSON: b"1"}), pa.field("notes", pa.string()),
        pa.field(GEOMETRY, pa.binary()),
    ])


class Spy:
    """A stream of generated batches that records, at each pull, how many earlier batches are still alive
    (their numpy buffers, shared zero-copy with the Arrow columns) and the bytes Arrow holds."""

    def __init__(self):
        self.alive: list[int] = []
        self.allocated: list[int] = []
        self.pulled = 0

    def batches(self, rows: int):
        refs = []
        for k in range(BATCHES):
            gc.collect()
            self.alive.append(sum(r() is not None for r in refs))
            self.allocated.append(pa.total_allocated_bytes())
            killed = np.arange(k * ROWS, (k + 1) * ROWS, dtype=np.int64)
            refs.append(weakref.ref(killed))
            ids = pa.array([f"file-{i}" for i in killed])
            days = pa.array(np.full(ROWS, 19249, dtype=np.int32)).cast(pa.date32())
            rng = np.random.default_rng(k)
            columns = [ids, pa.array(["file"] * ROWS), ids, days, days, pa.array(["day"] * ROWS),
                       pa.array(["shooting"] * ROWS), pa.array([f"Place {i % 7}" for i in killed]),
                       pa.array(["KG"] * ROWS), pa.array(["approximate"] * ROWS), pa.array(killed),
                       pa.array(['[{"title":"row"}]'] * ROWS), pa.array(["n" * 40] * ROWS),
                       points_wkb(70 + rng.random(ROWS), 39.8 + rng.random(ROWS) * 0.3)]
            self.pulled += 1
            yield pa.RecordBatch.from_arrays(columns, schema=_schema())


@pytest.mark.parametrize("fmt", DATA_FORMATS)
def test_a_writer_holds_one_batch_at_a_time(fmt):
    spy = Spy()
    layer = from_batches("imported_incidents", _schema(), spy.batches, ROWS * BATCHES, ("Point",))
    bundle = formats.export({"imported_incidents": layer}, fmt)
    assert spy.pulled >= BATCHES  # every batch was read (the Shapefile reads the stream twice)
    assert max(spy.alive) <= 1, spy.alive  # when a batch is pulled, at most the one before is still held
    batch_bytes = spy.allocated[2] - spy.allocated[1] if spy.allocated[2] > spy.allocated[1] else 1 << 20
    grown = max(spy.allocated[2:]) - spy.allocated[2]
    assert grown <= 4 * max(batch_bytes, 1 << 20), (fmt, spy.allocated)  # no growth with the number of batches
    assert formats.provenance_of(bundle)["layers"] == ["imported_incidents"]


def test_the_stream_writes_every_row(tmp_path):
    spy = Spy()
    layer = from_batches("imported_incidents", _schema(), spy.batches, ROWS * BATCHES, ("Point",))
    (path,) = formats.export_to({"imported_incidents": layer}, "parquet", tmp_path / "x.parquet")
    import pyarrow.parquet as pq

    back = pq.read_table(path)
    assert back.num_rows == ROWS * BATCHES and back.column("killed_total").to_pylist() == list(range(ROWS * BATCHES))
    geo = json.loads(pq.read_schema(path).metadata[b"geo"])
    west, south, east, north = geo["columns"]["geometry"]["bbox"]
    assert 70 <= west < east <= 71 and 39.8 <= south < north <= 40.1
    assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    assert shapely.from_wkb(back.column("geometry")[0].as_py()).geom_type == "Point"
