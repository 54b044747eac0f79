"""Casualty totals by side and by source, never merged."""

from __future__ import annotations

from borderviz.model import casualties


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
