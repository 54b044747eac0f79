"""The view round-trips through the URL; a mangled link still opens."""

from __future__ import annotations

import datetime as dt

from borderviz.model.viewstate import ViewState

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


def test_the_view_and_the_open_incident_round_trip():
    state = ViewState(start=dt.date(2022, 9, 14), end=dt.date(2022, 9, 20), view=(39.95, 70.6, 12),
                      incident="2022-09-16-dostuk-school")
    params = state.to_params()
    assert (params["lat"], params["lon"], params["zoom"]) == ("39.95000", "70.60000", "12")
    back, problems = ViewState.from_params(params, DEFAULTS)
    assert back == state and problems == []
    assert "lat" not in DEFAULTS.to_params() and "incident" not in DEFAULTS.to_params()


# (params, what is kept as the view) — a bad view is dropped whole, with one problem.
BAD_VIEWS = [
    ({"lat": "40", "lon": "70"}, None),
    ({"lat": "nan", "lon": "70", "zoom": "9"}, None),
    ({"lat": "inf", "lon": "70", "zoom": "9"}, None),
    ({"lat": "1000", "lon": "70", "zoom": "9"}, None),
    ({"lat": "40", "lon": "70", "zoom": "30"}, None),
    ({"lat": "40", "lon": "70", "zoom": "9.5"}, None),
    ({"lat": "40", "lon": "1e308", "zoom": "9"}, None),
    ({"lat": "{{ 7*191 }}", "lon": "70", "zoom": "9"}, None),
]


def test_a_bad_view_in_a_link_is_dropped_and_reported():
    for params, kept in BAD_VIEWS:
        state, problems = ViewState.from_params(params, DEFAULTS)
        assert state.view == kept and len(problems) == 1, params


def test_an_incident_param_must_look_like_an_id():
    for bad in ("<script>", "a" * 200, "../../etc/passwd", "{{ 7*191 }}"):
        state, problems = ViewState.from_params({"incident": bad}, DEFAULTS)
        assert state.incident == "" and len(problems) == 1
        assert len(problems[0]) < 200


def test_the_view_reported_by_the_map_is_read_with_the_same_bounds():
    from borderviz.model.viewstate import view_of

    assert view_of({"lat": 39.9, "lon": 70.6, "zoom": 9}) == (39.9, 70.6, 9)
    assert view_of({"lat": 95, "lon": 70.6, "zoom": 9}) is None
    assert view_of({"lat": "x"}) is None and view_of(None) is None
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
