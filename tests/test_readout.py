"""What readers see as text: human tables, war headlines from published figures, the gauge."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import incident

from borderviz.model import casualties, readout, status

# (value, what a reader sees)
DAYS = [(pd.Timestamp("2021-04-29"), "29 Apr 2021"), (pd.NaT, "—"), (None, "—"), ("2022-09-16", "16 Sep 2022")]
FIGURES = [(None, "not reported"), (float("nan"), "not reported"), (0, "0"), (12.0, "12"), (1200, "1,200")]
DUPLICATES = [(None, []), ("a, b", ["a", "b"]), ("a;b|c", ["a", "b", "c"]), (["a"], ["a"]), ("", [])]


@pytest.mark.parametrize(("value", "expected"), DAYS)
def test_days(value, expected):
    assert readout.day_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), FIGURES)
def test_figures(value, expected):
    assert readout.figure_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), DUPLICATES)
def test_duplicate_ids(value, expected):
    assert readout.duplicate_ids(value) == expected


def test_incident_table_has_human_headers_and_no_none(make_incidents):
    frame = make_incidents([incident(id="a", killed_kg=None), incident(id="b", killed_kg=3)])
    frame["district"] = [None, "Batken"]
    table = readout.incident_table(frame)
    assert tuple(table.columns) == readout.INCIDENT_HEADERS
    text = table.astype(str).to_string()
    assert "None" not in text and "nan" not in text and "00:00:00" not in text
    assert list(table["Killed (KG)"]) == ["not reported", "3"]
    assert table["District"].iloc[0] == "—"


def test_imported_tables_list_what_they_may_duplicate(make_incidents):
    frame = make_incidents([incident(id="x")]).assign(possible_duplicate_of=["2022-09-16-a, 2022-09-16-b"])
    assert readout.incident_table(frame, duplicates=True)["May duplicate"].iloc[0] == "2022-09-16-a, 2022-09-16-b"


def test_the_war_headline_is_the_latest_published_figure_with_its_spread(frames):
    figures = {(f.side, f.measure): f for f in readout.war_headline(frames["casualty_reports"], "war-2022-09")}
    latest = casualties.latest_by_side(frames["casualty_reports"], "war-2022-09")
    for (side, measure), fig in figures.items():
        row = latest[(latest["side"] == side) & (latest["measure"] == measure)].iloc[0]
        assert fig.figure == row["figure"] and fig.who == row["reported_by"]
        assert fig.low <= row["value"] <= fig.high
    kg = figures[("KG", "killed")]
    assert kg.figure == "63" and "Ministry of Health" in kg.who and kg.when == "28 Sep 2022"
    assert "reports range from" in kg.credit


def test_a_war_with_no_figure_says_not_reported(frames):
    empty = frames["casualty_reports"].iloc[0:0]
    assert {f.figure for f in readout.war_headline(empty, "war-2022-09")} == {"not reported"}


def test_the_gauge_reads_the_day_s_official_figures(frames):
    g = readout.gauge_text(status.gauge(frames["border_status"], frames["official_figures"], "2022-09-20"))
    assert g.head == "519 km agreed of 972 km"
    assert g.share == pytest.approx(519 / 972)
    assert [r[:2] for r in g.readings] == [("Agreed", "519 km"), ("Not yet agreed", "453 km (total minus agreed)"),
                                           ("Disputed", "375 km")]
    assert {r[2] for r in g.readings} == {"KG State Committee for National Security via Anadolu, 18 Sep 2022"}
    early = readout.gauge_text(status.gauge(frames["border_status"], frames["official_figures"], "2000-01-01"))
    assert early.share is None and early.head.startswith("No official figure")
