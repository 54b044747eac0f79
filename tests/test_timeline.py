"""Pure date and attribute filters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import incident

from borderviz.model import timeline


def test_in_range_keeps_events_overlapping_the_window(make_incidents):
    inc = make_incidents([incident(id="a", date_start="2021-04-28", date_end="2021-05-01"),
                          incident(id="b", date_start="2022-09-14", date_end="2022-09-14")])
    assert list(timeline.in_range(inc, "2021-05-01", "2021-06-01")["id"]) == ["a"]
    assert list(timeline.in_range(inc, "2021-05-02", "2022-09-13")["id"]) == []
    assert list(timeline.in_range(inc, "2014-01-01", "2026-01-01")["id"]) == ["a", "b"]


def test_as_of_treats_null_ends_as_open_and_end_as_exclusive():
    frame = pd.DataFrame({"date_start": pd.to_datetime([None, "2025-03-13"]),
                          "date_end": pd.to_datetime(["2025-03-13", None]), "status": ["disputed", "agreed"]})
    assert list(timeline.as_of(frame, "2025-03-12")["status"]) == ["disputed"]
    assert list(timeline.as_of(frame, "2025-03-13")["status"]) == ["agreed"]


def test_filters_combine(make_incidents):
    inc = make_incidents([
        incident(id="a", event_type="armed_clash", country="KG", killed_total=3),
        incident(id="b", event_type="shooting", country="TJ", killed_total=None),
        incident(id="c", event_type="armed_clash", country="TJ", location_precision="district", killed_total=1),
    ])
    def pick(**kw):
        return sorted(timeline.filter_incidents(inc, "2021-01-01", "2021-12-31", timeline.IncidentFilter(**kw))["id"])
    assert pick() == ["a", "b", "c"]
    assert pick(event_types=("armed_clash",)) == ["a", "c"]
    assert pick(countries=("TJ",)) == ["b", "c"]
    assert pick(precisions=("district",)) == ["c"]
    assert pick(min_killed=2) == ["a"]


def test_counts_by_period_fill_gaps_and_give_bar_widths(make_incidents):
    inc = make_incidents([incident(id="a", date_start="2021-01-10", date_end="2021-01-10"),
                          incident(id="b", date_start="2021-03-02", date_end="2021-03-02", event_type="shooting")])
    counts = timeline.counts_by_period(inc, "MS", "2021-01-01", "2021-03-31")
    per_month = counts.groupby("period")["events"].sum()
    assert list(per_month) == [1, 0, 1]
    assert (counts["period_end"] > counts["period"]).all()


def test_presets_cover_the_wars_and_the_treaty(frames):
    presets = {p.key: p for p in timeline.presets(frames["conflicts"], dt.date(2014, 1, 1), dt.date(2026, 11, 1))}
    assert presets["war-2022-09"].start == dt.date(2022, 9, 14) and presets["war-2022-09"].end == dt.date(2022, 9, 20)
    assert presets["since-treaty"].start == dt.date(2025, 3, 13)
    assert presets["all"].start == dt.date(2014, 1, 1)


def test_layer_selection_for_exports(frames):
    sel = timeline.layer_selection(frames, "border_status", "2022-09-14", "2022-09-20")
    assert set(sel["status"]) == {"disputed", "not_documented"}
    inc = timeline.layer_selection(frames, "incidents", "2022-09-14", "2022-09-20")
    reports = timeline.layer_selection(frames, "casualty_reports", "2022-09-14", "2022-09-20", inc)
    assert set(reports["subject"]) <= set(inc["id"]) | {"war-2022-09"}
