"""Casualty totals by side and by source, never merged."""

from __future__ import annotations

import pytest

from borderviz.model import casualties
from borderviz.model.schema import NOT_PLACED


def test_war_totals_list_each_source(frames):
    totals = casualties.conflict_totals(frames["casualty_reports"], "war-2022-09")
    kg_killed = totals[(totals["side"] == "KG") & (totals["measure"] == "killed")]
    assert {59, 62} <= set(kg_killed["value"])
    assert kg_killed["reported_by"].nunique() > 1
    assert totals["url"].str.startswith("http").all()


def test_latest_by_side_picks_one_per_side_and_measure(frames):
    latest = casualties.latest_by_side(frames["casualty_reports"], "war-2021-04")
    assert not latest.duplicated(["side", "measure"]).any()
    assert set(latest["side"]) >= {"KG", "TJ"}


def test_selection_totals_sum_headlines_and_count_reporting_incidents(make_incidents):
    from conftest import incident

    inc = make_incidents([incident(id="a", killed_kg=2), incident(id="b", killed_kg=None, injured_tj=5)])
    totals = casualties.selection_totals(inc).set_index(["side", "measure"])
    assert totals.loc[("KG", "killed"), "total"] == 2
    assert totals.loc[("KG", "killed"), "incidents_reporting"] == 1
    assert totals.loc[("TJ", "injured"), "total"] == 8


def test_figure_text_reads_as_people_say_it():
    assert casualties.figure_text(62, "at_least") == "at least 62"
    assert casualties.figure_text(58000, "about") == "about 58,000"


WARS = ("war-2021-04", "war-2022-09")


@pytest.mark.parametrize("war", WARS)
@pytest.mark.parametrize("side", ["KG", "TJ"])
def test_placed_and_not_placed_dead_equal_the_total_the_map_quotes(frames, war, side):
    summary = casualties.placement_summary(frames["war_deaths"], war).set_index("side")
    latest = casualties.latest_by_side(frames["casualty_reports"], war)
    quoted = latest[(latest["side"] == side) & (latest["measure"] == "killed")].iloc[0]
    row = summary.loc[side]
    assert row["placed"] + row["not_placed"] == row["total"] == quoted["value"]
    assert row["total_qualifier"] == quoted["qualifier"]
    assert row["total_reported_by"] == quoted["reported_by"]
    assert row["sentence"] == casualties.placed_sentence(row["placed"], row["total"], row["total_qualifier"])
    assert row["not_placed"] >= 0 and row["placed"] > 0


def test_each_placement_is_on_an_incident_of_that_war(frames):
    deaths = frames["war_deaths"]
    placed = deaths[deaths["place"] != NOT_PLACED]
    war_of = frames["incidents"].set_index("id")["conflict"]
    assert (placed["place"].map(war_of) == placed["conflict"]).all()
    assert placed["sources"].map(len).gt(0).all() and placed["note"].str.len().gt(0).all()


def test_the_sentence_says_how_many_of_the_reported_dead_are_placed():
    assert casualties.placed_sentence(20, 41) == "20 of the 41 dead reported for this war are placed"
    assert casualties.placed_sentence(1, 63) == "1 of the 63 dead reported for this war is placed"
    assert casualties.placed_sentence(0, 62, "at_least") == (
        "0 of the at least 62 dead reported for this war are placed")
    assert set(casualties.PLACED_SENTENCE) == {"one", "other"}


def test_deaths_at_an_incident(frames):
    rows = casualties.deaths_at(frames["war_deaths"], "2021-04-29-golovnoy-water-intake")
    assert list(rows["killed"]) == [24] and list(rows["side"]) == ["KG"]
    assert casualties.deaths_at(frames["war_deaths"], "no-such-incident").empty
