"""The view round-trips through the URL; a mangled link still opens."""

from __future__ import annotations

import datetime as dt

from borderviz.viewstate import ViewState

DEFAULTS = ViewState(start=dt.date(2014, 1, 1), end=dt.date(2026, 11, 1))


def test_round_trip():
    state = ViewState(start=dt.date(2022, 9, 14), end=dt.date(2022, 9, 20), types=("armed_clash",),
                      countries=("KG",), precisions=("settlement",), min_killed=1, layers=("status",),
                      basemap="none", freq="week")
    back, problems = ViewState.from_params(state.to_params(), DEFAULTS)
    assert back == state and problems == []


def test_bad_values_are_dropped_and_reported():
    state, problems = ViewState.from_params(
        {"start": "yesterday", "end": "2099-01-01", "types": "armed_clash,bombing", "min_killed": "x",
         "basemap": "moon"}, DEFAULTS)
    assert state.start == DEFAULTS.start and state.end == DEFAULTS.end
    assert state.types == ("armed_clash",) and state.basemap == "streets"
    assert len(problems) == 5


def test_swapped_dates_are_put_in_order():
    state, problems = ViewState.from_params({"start": "2022-09-20", "end": "2022-09-14"}, DEFAULTS)
    assert (state.start, state.end) == (dt.date(2022, 9, 14), dt.date(2022, 9, 20))
    assert problems


def test_dates_wholly_outside_the_record_are_moved_into_it():
    for start, end in (("2030-01-01", "2031-01-01"), ("2000-01-01", "2001-01-01")):
        state, problems = ViewState.from_params({"start": start, "end": end}, DEFAULTS)
        assert DEFAULTS.start <= state.start <= state.end <= DEFAULTS.end
        assert problems


def test_thousands_of_bad_list_values_give_one_short_warning():
    params = {"types": ",".join(["armed_clash", *(f"x{i}" for i in range(30_000))])}
    state, problems = ViewState.from_params(params, DEFAULTS)
    assert state.types == ("armed_clash",)
    assert len(problems) == 1 and "unknown values" in problems[0] and len(problems[0]) < 200


def test_a_negative_minimum_of_killed_is_reported_not_silently_zero():
    state, problems = ViewState.from_params({"min_killed": "-5"}, DEFAULTS)
    assert state.min_killed == 0 and problems == ["min_killed: -5 is below 0; 0 used"]


def test_a_huge_parameter_is_quoted_short():
    _state, problems = ViewState.from_params({"basemap": "x" * 100_000, "min_killed": "9" * 100_000}, DEFAULTS)
    assert len(problems) == 2 and all(len(p) < 120 for p in problems)
