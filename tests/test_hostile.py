"""Hostile input: every row of tests/hostile_cases.py, in the process and in the bounded child; then the bounds.

Each case must be refused with a clear message naming the file (and the row
or feature where the table says), or accepted with the right value; never a
traceback. The same outcome must come back through :mod:`borderviz.io.uploads`,
which the app and the CLI use. Then the bounds: a refused GeoPackage and a
child past its memory or time limit leave the server's memory flat.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hostile_cases import ACCEPTED, CASES, RECURSIVE_VIEW, Case, gpkg

from borderviz.errors import DataError, InputError, Problem
from borderviz.io import importers, uploads


@pytest.fixture(scope="module")
def builtin(frames):
    return frames["incidents"]


def _value(value):
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if value is pd.NA:
        return None
    return value


def check(case: Case, run) -> None:
    data = case.build()
    if case.expect == ACCEPTED:
        result = run(case.name, data)
        assert _value(result.frame[case.column].iloc[0]) == case.value
        if case.warns:
            assert any(case.warns in w for w in result.warnings), result.warnings
        return
    with pytest.raises(InputError) as err:
        run(case.name, data)
    problems = err.value.problems
    assert problems and all(p.file == Path(case.name).name for p in problems), problems
    assert any(case.says in p.message for p in problems), str(err.value)
    if case.where:
        assert any(case.where in p.where for p in problems), str(err.value)
    assert "Traceback" not in str(err.value) and "/tmp" not in str(err.value)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case, builtin):
    check(case, lambda name, data: importers.import_file(name, data, builtin, **case.options))


def test_every_hostile_case_comes_out_the_same_through_the_bounded_child(builtin):
    for case in CASES:
        limits = uploads.Limits(rows=case.options.get("max_rows", uploads.LIMITS.rows))
        check(case, lambda name, data, limits=limits: uploads.import_upload(name, data, builtin, limits=limits))


def test_all_bad_features_are_named_not_just_one(builtin):
    case = next(c for c in CASES if c.attack == "two of four features bad")
    with pytest.raises(InputError) as err:
        importers.import_file(case.name, case.build(), builtin)
    assert [p.where for p in err.value.problems] == ["feature 2", "feature 4"]


# --- errors survive caching and processes -----------------------------------------------------------------


@pytest.mark.parametrize("cls", [DataError, InputError])
def test_data_errors_pickle_with_their_problems(cls):
    err = cls([Problem("a.csv", "row 2", "date_start is required but empty"), Problem("a.csv", "", "two")])
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is cls and back.problems == err.problems and str(back) == str(err)
    assert str(back).startswith("2 problems:\n  a.csv, row 2: date_start")


def test_an_import_error_survives_streamlit_caching():
    import streamlit as st

    calls = []

    @st.cache_data
    def refuse(name: str) -> DataError:
        calls.append(name)
        return InputError([Problem(name, "row 3", "coordinates are not numbers"), Problem(name, "", "second")])

    first, second = refuse("bad.csv"), refuse("bad.csv")
    assert calls == ["bad.csv"] and second.problems == first.problems
    assert "1 / p / r" not in str(second) and str(second).startswith("2 problems:")


# --- bounds: memory and time -----------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def test_a_recursive_view_geopackage_is_refused_with_the_servers_memory_flat(builtin):
    data = gpkg(RECURSIVE_VIEW)()
    uploads.import_upload("warm.csv", b"date,latitude,longitude\n2022-09-14,39.9,70.5\n", builtin)
    before = _rss_mb()
    for _ in range(3):
        with pytest.raises(InputError, match="SQL view"):
            uploads.import_upload("evil.gpkg", data, builtin)
    assert _rss_mb() - before < 30


def test_a_child_past_its_memory_limit_is_killed_and_the_server_keeps_its_memory(builtin):
    rows = "".join(f"r{i},2022-09-14,{'x' * 200},39.9,70.5\n" for i in range(200_000))
    data = ("id,date,place,latitude,longitude\n" + rows).encode()
    before = _rss_mb()
    with pytest.raises(InputError, match=r"needs more than 150 MB"):
        uploads.import_upload("big.csv", data, builtin, limits=uploads.Limits(memory_mb=150))
    del data, rows
    assert _rss_mb() - before < 60


def test_a_child_past_its_time_limit_is_stopped(builtin):
    data = "".join(["id,date,latitude,longitude\n"] + [f"r{i},2022-09-14,39.9,70.5\n" for i in range(300_000)])
    with pytest.raises(InputError, match=r"took longer than 0.2 s"):
        uploads.import_upload("slow.csv", data.encode(), builtin, limits=uploads.Limits(seconds=0.2))


def test_uploads_leave_nothing_on_disk(builtin, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uploads.import_upload("ok.csv", b"date,latitude,longitude\n2022-09-14,39.9,70.5\n", builtin)
    with pytest.raises(InputError):
        uploads.import_upload("evil.gpkg", gpkg(RECURSIVE_VIEW)(), builtin)
    with pytest.raises(InputError, match="took longer"):
        uploads.import_upload("slow.csv", b"date,latitude,longitude\n" + b"2022-09-14,39.9,70.5\n" * 200_000, builtin,
                              limits=uploads.Limits(seconds=0.05))
    assert list(tmp_path.iterdir()) == []


def test_imports_beyond_the_concurrent_limit_wait_their_turn(builtin, monkeypatch):
    slots = uploads.threading.BoundedSemaphore(1)
    monkeypatch.setattr(uploads, "_SLOTS", slots)
    slots.acquire()
    try:
        with pytest.raises(InputError, match="while the server imported"):
            uploads.import_upload("x.csv", b"date,latitude,longitude\n2022-09-14,39.9,70.5\n", builtin,
                                  limits=uploads.Limits(seconds=0.1))
    finally:
        slots.release()


def test_the_result_comes_back_from_the_child_with_the_same_columns_and_types(builtin):
    data = b"id,date,place,killed,latitude,longitude\na,2022-09-14,Vorukh,3,39.85,70.58\nb,2022-09-15,,,39.9,70.5\n"
    here = importers.import_file("x.csv", data, builtin)
    there = uploads.import_upload("x.csv", data, builtin)
    assert list(there.frame.columns) == list(here.frame.columns)
    assert list(there.frame.dtypes) == list(here.frame.dtypes)
    assert there.frame.drop(columns="geometry").to_dict("records") == here.frame.drop(columns="geometry").to_dict(
        "records")
    assert there.frame.geometry.equals(here.frame.geometry)
    assert (there.dataset, there.file, there.warnings, there.attribution) == (
        here.dataset, here.file, here.warnings, here.attribution)


def test_the_upload_limit_is_set_once_and_the_app_server_agrees():
    import tomllib

    config = tomllib.loads((Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == importers.MAX_BYTES


def test_dates_at_the_edges_of_the_accepted_range_import(builtin):
    data = b"id,date,latitude,longitude\na,1900-01-01,39.9,70.5\nb,2099-12-31,39.9,70.5\n"
    frame = importers.import_file("edges.csv", data, builtin).frame
    assert [d.date() for d in frame["date_start"]] == [dt.date(1900, 1, 1), dt.date(2099, 12, 31)]
