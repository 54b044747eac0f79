"""The line's status on a day, beside the official figure of that day."""

from __future__ import annotations

import pandas as pd
import pytest

from borderviz.model import status


def test_mapped_km_before_the_treaty_keep_the_unknown_unknown(frames):
    km = status.mapped_km(frames["border_status"], "2022-09-16")
    assert km["agreed"] == 0
    assert 50 < km["disputed"] < 150
    assert km["not_documented"] > 700


def test_after_the_treaty_the_whole_line_is_agreed(frames):
    km = status.mapped_km(frames["border_status"], "2025-06-01")
    assert km["disputed"] == 0 and km["not_documented"] == 0
    assert km["agreed"] == pytest.approx(942.0, abs=1)


def test_official_figure_of_the_day_is_the_latest_with_agreed_km(frames):
    fig = status.official_on(frames["official_figures"], "2022-09-20")
    assert (fig.agreed_km, fig.total_km) == (519, 972)
    assert fig.url.startswith("https://")
    assert status.official_on(frames["official_figures"], "2000-01-01") is None


def test_sentence_states_both_numbers_and_who_said_it(frames):
    text = status.summary(frames["border_status"], frames["official_figures"], "2022-09-20").sentence()
    assert "519 km agreed of 972 km" in text
    assert "KG State Committee for National Security" in text
    assert "indicative" in text and "not published" in text


# (day, text the banner must hold) — the figure of the day and who published it.
BANNER_CASES = [
    ("2021-08-01", "519 km agreed of 970 km, according to 24.kg"),
    ("2022-04-20", "663.7 km agreed of 987 km, according to President E. Rahmon"),
    ("2022-09-16", "more than 660 km agreed of more than 980 km, according to TASS"),
    ("2022-09-16", "14 Sep 2022"),
    ("2022-10-20", "420 km remained disputed or undescribed, according to ANKASAM"),
    ("2024-02-06", "3.71 km more agreed"),
    ("2024-02-06", "about 100 km remained disputed"),
    ("2024-02-10", "889.45 km agreed, according to O. Khojazoda"),
    ("2018-03-01", "584 km agreed, according to K. Iskandarov"),
    ("2024-03-20", "901 km agreed of 987.6 km, according to Bomdod"),
    ("2024-03-30", "28.37 km more agreed"),
    ("2003-01-01", "no agreed length had been published; the line was given as 940 km long"),
]


@pytest.mark.parametrize(("day", "expected"), BANNER_CASES)
def test_banner_names_the_figure_of_the_day_and_its_source(frames, day, expected):
    text = status.summary(frames["border_status"], frames["official_figures"], day).sentence()
    assert expected in text


@pytest.mark.parametrize("day", ["2003-01-01", "2019-08-01", "2021-08-01", "2022-09-16", "2024-02-10", "2025-06-01"])
def test_banner_reads_as_plain_sentences(frames, day):
    text = status.summary(frames["border_status"], frames["official_figures"], day).sentence()
    assert "not given" not in text and "Myrzaev" not in text
    assert not any(f"{y}-" in text for y in range(2000, 2027)), text  # no ISO dates


def test_gauge_gives_each_number_with_its_source_and_what_the_map_places(frames):
    g = status.gauge(frames["border_status"], frames["official_figures"], "2022-09-20")
    assert (g.agreed.km, g.total.km, g.disputed.km) == (519, 972, 375)
    assert g.not_agreed.km == 453 and g.not_agreed.derived
    assert "National Security" in g.agreed.who and g.agreed.when == "18 Sep 2022"
    assert g.agreed.url.startswith("https://")
    assert 50 < g.mapped_disputed_km < 150 and g.mapped_not_published_km > 700
    early = status.gauge(frames["border_status"], frames["official_figures"], "2000-01-01")
    assert early.agreed is None and early.total is None


def test_km_text_says_qualified_figures_as_published():
    assert status.km_text(660, "at_least") == "more than 660 km"
    assert status.km_text(1006.84) == "1,006.84 km"
    assert status.km_text(663.7, "about") == "about 663.7 km"


def _shown(g: status.Gauge, s: status.StatusSummary) -> set[str]:
    """Ids of every official figure the gauge and the banner of one day show."""
    readings = (g.total, g.agreed, g.not_agreed, g.disputed, g.last_increment)
    figures = (g.agreed_share, *g.same_day, s.official, s.later_disputed, s.last_increment, s.later_share,
               *s.same_day)
    return {r.figure_id for r in readings if r is not None} | {f.id for f in figures if f is not None}


def test_every_dated_figure_is_shown_through_its_days(frames):
    """Step through the days of each dated row that gives a figure: on its first day, and on the last
    day before a newer figure of the same kind, the gauge or the banner shows it."""
    figs = frames["official_figures"]
    dated = figs[figs["date"].notna() & figs[list(status.FIGURE_COLUMNS)].notna().any(axis=1)]
    assert len(dated) >= 35
    for _, row in dated.iterrows():
        kinds = [c for c in status.FIGURE_COLUMNS if pd.notna(row[c])]
        later = figs[figs["date"] > row["date"]]
        ends = [later[later[c].notna()]["date"].min() for c in kinds]
        last = min((e for e in ends if pd.notna(e)), default=row["date"] + pd.Timedelta(days=365))
        for day in (row["date"], max(row["date"], last - pd.Timedelta(days=1))):
            g = status.gauge(frames["border_status"], figs, day)
            s = status.summary(frames["border_status"], figs, day)
            assert row["id"] in _shown(g, s), (row["id"], f"{day:%Y-%m-%d}")


def test_two_statements_of_one_day_are_both_shown(frames):
    s = status.summary(frames["border_status"], frames["official_figures"], "2022-04-20")
    text = s.sentence()
    assert "663.7 km agreed of 987 km" in text and "Also dated Apr 2022: 972 km in all, of which 664 km agreed" in text
    g = status.gauge(frames["border_status"], frames["official_figures"], "2024-07-25")
    assert g.agreed_share.agreed_percent == 94
    assert {f.id for f in g.same_day} >= {"kg-presidency-2024-07"} or g.agreed_share.id == "kg-presidency-2024-07"


def test_the_figures_added_from_sources_read(frames):
    figs = frames["official_figures"].set_index("id")
    assert figs.loc["csv-04", "agreed_km"] == 584 and f"{figs.loc['csv-04', 'date']:%Y-%m}" == "2018-02"
    assert figs.loc["asakeyev-2019-09-16", ["total_km", "agreed_km", "disputed_km"]].tolist() == [970.8, 519, 450.8]
    assert figs.loc["wg-2023-10-18", "increment_km"] == 13.98
    assert "background sentence" in figs.loc["csv-11", "who"]
    text = status.summary(frames["border_status"], frames["official_figures"], "2019-09-20").sentence()
    assert "519 km agreed of 970.8 km" in text and "Asakeyev" in text
    text = status.summary(frames["border_status"], frames["official_figures"], "2024-07-25").sentence()
    assert "94 % was said to be agreed" in text
