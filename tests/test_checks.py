"""Cross-layer checks catch incidents on the wrong side, too far away, or overlapping states."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import incident

from borderviz.model import checks

KOK_TASH_KG = (70.528, 39.949)      # Kek-Tash, Batken district: Kyrgyzstan
CHORKUH_TJ = (70.5696, 39.9754)     # Chorkuh, Isfara district: Tajikistan
DUSHANBE = (68.78, 38.56)           # far from the line


def test_a_point_on_the_right_side_passes(frames, make_incidents):
    inc = make_incidents([incident(country="KG")], [KOK_TASH_KG])
    assert checks.incident_placement(inc, frames["countries"], frames["border_lines"]) == []


def test_wrong_side_beyond_precision_is_reported(frames, make_incidents):
    inc = make_incidents([incident(id="x", country="TJ", location_precision="exact")], [(70.80, 40.05)])
    problems = checks.incident_placement(inc, frames["countries"], frames["border_lines"])
    assert len(problems) == 1 and "recorded in TJ but lies outside it" in str(problems[0])


def test_near_the_line_the_precision_allows_either_side(frames, make_incidents):
    inc = make_incidents([incident(country="TJ", location_precision="settlement")], [KOK_TASH_KG])
    assert checks.incident_placement(inc, frames["countries"], frames["border_lines"]) == []


def test_more_than_30_km_from_the_line_is_reported(frames, make_incidents):
    inc = make_incidents([incident(id="far")], [DUSHANBE])
    problems = checks.incident_placement(inc, frames["countries"], frames["border_lines"])
    assert "km from the KG–TJ line" in str(problems[0])


def test_overlapping_status_intervals_are_reported():
    frame = pd.DataFrame({
        "id": ["s-a", "s-b"], "sector": ["s", "s"],
        "date_start": pd.to_datetime([None, "2020-01-01"]), "date_end": pd.to_datetime(["2021-01-01", None]),
    })
    problems = checks.intervals_do_not_overlap(frame, "border_status", "sector")
    assert "interval 's-b' overlaps 's-a'" in str(problems[0])


def test_dates_outside_the_record_are_reported(make_incidents):
    inc = make_incidents([incident(id="old", date_start="2010-05-01", date_end="2010-05-01"),
                          incident(id="future", date_start="2099-01-01", date_end="2099-01-01")])
    problems = checks.dates_in_range(inc, today=dt.date(2026, 1, 1))
    assert [p.where for p in problems] == ["id 'old'", "id 'future'"]


def test_unknown_references_are_reported(frames, make_incidents):
    inc = make_incidents([incident(conflict="war-1999")])
    reports = frames["casualty_reports"].head(1).assign(subject="nope")
    problems = checks.references_resolve({**frames, "incidents": inc, "casualty_reports": reports})
    text = " ".join(map(str, problems))
    assert "refers to unknown" in text and "conflict 'war-1999' is not in conflicts.csv" in text


# (account, denial, publishers, confidence, allowed?) — data/README.md's confidence rules as data.
CONFIDENCE_CASES = [
    ("both", None, 1, "high", True),
    ("independent", None, 2, "high", True),
    ("independent", None, 1, "high", False),
    ("independent", None, 1, "medium", True),
    ("KG", None, 3, "high", False),
    ("KG", None, 1, "medium", True),
    ("TJ", "The other side called it false.", 2, "medium", False),
    ("TJ", "The other side called it false.", 2, "low", True),
    ("both", "A denial on a two-sided record.", 2, "medium", False),
]


@pytest.mark.parametrize(("account", "denial", "n", "confidence", "allowed"), CONFIDENCE_CASES)
def test_confidence_follows_the_readme_rules(make_incidents, account, denial, n, confidence, allowed):
    sources = [{"publisher": f"Outlet {i}", "title": "T", "url": f"https://example.org/{i}"} for i in range(n)]
    inc = make_incidents([incident(account=account, denial=denial, confidence=confidence, sources=sources)])
    assert (checks.confidence_rules(inc) == []) is allowed


def test_two_editions_of_one_outlet_are_one_publisher():
    assert checks.publishers([{"publisher": "24.kg"}, {"publisher": "24.kg (English edition)"}]) == {"24.kg"}


KEK_TASH_PLACE = {"wof": 1326925295, "name": "Kek-Tash", "lat": 39.949, "lon": 70.528}


# (precision, point, problem expected?) — a record against the gazetteer place its sources name.
NAMED_PLACE_CASES = [
    ("settlement", KOK_TASH_KG, False),
    ("settlement", (70.60, 39.95), True),      # 6 km away: more than a settlement's 2 km
    ("approximate", (70.57, 39.95), False),    # 3.6 km: within 5 km
    ("district", (70.787, 39.782), True),      # a district centre although the village is known
]


@pytest.mark.parametrize(("precision", "point", "flagged"), NAMED_PLACE_CASES)
def test_records_lie_within_their_tolerance_of_the_named_place(make_incidents, precision, point, flagged):
    inc = make_incidents([incident(location_precision=precision, named_place=KEK_TASH_PLACE)], [point])
    assert bool(checks.named_place_distance(inc)) is flagged


# --- how precisely records are dated and placed, against their sources ---------------------------

def _src(key, date):
    return {"key": key, "publisher": f"Outlet {key}", "title": "T", "date": date, "url": f"https://example.org/{key}"}


# (overrides, problem expected?) — checks.day_precision_support: the day needs a source that gives it.
DAY_CASES = [
    ({}, False),                                                          # published the next day
    ({"sources": [_src("late", "2021-05-10")]}, True),                    # 11 days later: no
    ({"sources": [_src("month", "2021-05")]}, True),                      # month only: no
    ({"sources": [_src("late", "2021-05-10")], "day_source": "late"}, False),   # it states the day
    ({"sources": [_src("late", "2021-05-10")], "date_precision": "month"}, False),
    ({"event_type": "destruction", "conflict": "war-2021-04"}, True),     # war damage: a tally is no date
    ({"event_type": "destruction", "conflict": "war-2021-04", "day_source": "test"}, False),
    ({"event_type": "destruction", "conflict": "war-2021-04", "date_precision": "month"}, False),
    ({"date_end": "2021-05-08", "sources": [_src("end", "2021-05-10")]}, False),  # within 3 days of the end
]


@pytest.mark.parametrize(("overrides", "flagged"), DAY_CASES)
def test_a_day_needs_a_source_that_gives_the_day(make_incidents, overrides, flagged):
    inc = make_incidents([incident(**overrides)])
    assert bool(checks.day_precision_support(inc)) is flagged


def test_sources_and_figures_dated_before_the_event_are_reported(make_incidents):
    early = _src("early", "2020-01-01")
    ok = make_incidents([incident(sources=[early, _src("test", "2021-04-30")], background_sources="early")])
    assert checks.sources_not_before_event(ok) == []
    bad = make_incidents([incident(sources=[early, _src("test", "2021-04-30")])])
    assert "before the event" in str(checks.sources_not_before_event(bad)[0])
    month = make_incidents([incident(sources=[_src("m", "2021-04")])])     # April 2021 may be after the 29th
    assert checks.sources_not_before_event(month) == []
    figure = dict(incident()["figures"][0], reported_on="2021-04-01")
    assert "figure reported on 2021-04-01" in str(checks.sources_not_before_event(
        make_incidents([incident(figures=[figure])]))[0])


def test_keys_naming_sources_must_be_cited(make_incidents):
    inc = make_incidents([incident(day_source="elsewhere", location_source="test", background_sources="gone")])
    assert [str(p).split(": ", 1)[1] for p in checks.cited_keys_resolve(inc)] == [
        "day_source 'elsewhere' is not among its sources", "background_sources 'gone' is not among its sources"]


def test_a_war_record_ends_within_the_war(frames, make_incidents):
    inside = make_incidents([incident(conflict="war-2021-04", date_end="2021-05-01")])
    after = make_incidents([incident(conflict="war-2021-04", date_end="2021-05-05")])
    assert checks.war_days({**frames, "incidents": inside}) == []
    assert "after war-2021-04" in str(checks.war_days({**frames, "incidents": after})[0])


def test_points_say_what_they_stand_on(make_incidents):
    by_coordinates = incident(gazetteer_id=None, location_precision="approximate")
    assert "location_source" in str(checks.placement_basis(make_incidents([by_coordinates]))[0])
    assert checks.placement_basis(make_incidents([dict(by_coordinates, location_source="test")])) == []
    elsewhere = incident(gazetteer_id=1, named_place=KEK_TASH_PLACE)          # settlement at another row
    assert "a point away from the named place" in str(checks.placement_basis(make_incidents([elsewhere]))[0])
    at_it = incident(gazetteer_id=1326925295, named_place=KEK_TASH_PLACE)
    assert checks.placement_basis(make_incidents([at_it])) == []


def test_partial_publication_dates_span_their_month_or_year():
    assert checks.partial_date_bounds("2021-02") == (dt.date(2021, 2, 1), dt.date(2021, 2, 28))
    assert checks.partial_date_bounds("2020") == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert checks.partial_date_bounds(None) is None and checks.partial_date_bounds("undated") is None


GAZ = {
    1: {"wof_id": "1", "name": "Leilek", "placetype": "county", "county": "Leilek", "country_code": "KG",
        "latitude": "39.86", "longitude": "69.79"},
    2: {"wof_id": "2", "name": "Near", "placetype": "locality", "county": "Leilek", "country_code": "KG",
        "latitude": "39.90", "longitude": "69.80"},
    3: {"wof_id": "3", "name": "Far", "placetype": "locality", "county": "Leilek", "country_code": "KG",
        "latitude": "40.20", "longitude": "69.89"},
    4: {"wof_id": "4", "name": "Village", "placetype": "locality", "county": "Batken", "country_code": "KG",
        "latitude": "39.95", "longitude": "70.53"},
}


def test_a_district_reaches_as_far_as_its_farthest_village():
    assert checks.district_reach_km(GAZ, 1) == pytest.approx(38.8, abs=0.2)
    assert checks.district_reach_km(GAZ, 2) is None      # not a district row


# (gazetteer id, district, method, problem expected?) — checks.district_points
DISTRICT_CASES = [
    (1, "Leilek", "Leilek district row; the place may be anywhere in Leilek district, whose gazetteer villages "
                  "lie up to 38.8 km from this point", False),
    (1, "Leilek", "Leilek district row", True),                 # the district reaches beyond 30 km, unsaid
    (1, "Batken", "up to 38.8 km", True),                       # not the record's district
    (4, "Batken", "a village row", True),                       # a village row is not a district point
    (None, "Leilek", "a published coordinate", False),          # coordinates: placed by their source
]


@pytest.mark.parametrize(("wof", "district", "method", "flagged"), DISTRICT_CASES)
def test_district_points_are_district_centres_that_say_how_far_the_district_reaches(
        make_incidents, wof, district, method, flagged):
    inc = make_incidents([incident(location_precision="district", gazetteer_id=wof, district=district,
                                   location_method=method, location_source=None if wof else "test")])
    assert bool(checks.district_points(inc, GAZ)) is flagged


def test_the_committed_incidents_meet_every_precision_rule(frames, repo):
    """The rules run by `borderviz validate`, on the committed data (load_all already raised if not)."""
    gazetteer = checks.read_gazetteer(repo / "data" / checks.GAZETTEER_FILE)
    assert gazetteer, "the gazetteer ships with the data"
    inc = frames["incidents"]
    assert checks.day_precision_support(inc) == [] and checks.sources_not_before_event(inc) == []
    assert checks.placement_basis(inc) == [] and checks.district_points(inc, gazetteer) == []
    assert checks.war_days(frames) == [] and checks.cited_keys_resolve(inc) == []


def test_the_precision_audit_covers_every_incident_as_it_now_stands(frames, repo):
    """data/research/precision_audit.csv: one row per incident, its precisions those of the data."""
    import csv
    with (repo / "data" / "research" / "precision_audit.csv").open(encoding="utf-8", newline="") as fh:
        audit = {r["id"]: r for r in csv.DictReader(fh)}
    inc = frames["incidents"].set_index("id")
    assert set(audit) == set(inc.index)
    for rid, row in inc.iterrows():
        a = audit[rid]
        assert (a["date_precision"], a["location_precision"]) == (row["date_precision"], row["location_precision"]), rid
        assert (a["date_start"], a["date_end"]) == (f"{row['date_start']:%Y-%m-%d}", f"{row['date_end']:%Y-%m-%d}"), rid
        assert a["date_verdict"] and a["location_verdict"] and a["sources_read"], rid


def _deaths_problems(frames, **changes):
    return checks.war_deaths_add_up({**frames, **changes})


def test_committed_war_deaths_add_up(frames):
    assert _deaths_problems(frames) == []


def test_war_deaths_that_do_not_sum_to_the_total_are_reported(frames):
    deaths = frames["war_deaths"].copy()
    deaths.loc[deaths["id"] == "war-2022-09-tj-not-placed", "killed"] += 1
    assert any("sum to 42, not the total 41" in str(p) for p in _deaths_problems(frames, war_deaths=deaths))


def test_a_total_the_map_does_not_quote_is_reported(frames):
    deaths = frames["war_deaths"].copy()
    rows = (deaths["conflict"] == "war-2022-09") & (deaths["side"] == "KG")
    deaths.loc[rows, "total"] = 59
    deaths.loc[deaths["id"] == "war-2022-09-kg-not-placed", "killed"] = 57
    problems = _deaths_problems(frames, war_deaths=deaths)
    assert [str(p) for p in problems if "not the figure the map quotes" in str(p)]


def test_an_incident_figure_that_disagrees_with_the_placements_is_reported(frames):
    incidents = frames["incidents"].copy()
    incidents.loc[incidents["id"] == "2021-04-29-golovnoy-water-intake", "killed_kg"] = 25
    problems = _deaths_problems(frames, incidents=incidents)
    assert any("reports 25 KG killed but war_deaths places 24 there" in str(p) for p in problems)


def test_a_placement_on_an_incident_of_another_war_is_reported(frames):
    deaths = frames["war_deaths"].copy()
    deaths.loc[deaths["id"] == "war-2021-04-tj-2021-04-29-somoniyon", "place"] = "2022-09-16-vorukh"
    problems = _deaths_problems(frames, war_deaths=deaths)
    assert any("not an incident of war-2021-04" in str(p) for p in problems)
