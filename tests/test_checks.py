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
