"""Pure filters over dated layers: no I/O, no Streamlit, no map.

Two kinds of dated rows exist. Events (incidents, timeline events) last from
``date_start`` to ``date_end`` inclusive and are selected by a date *range*.
States (border status, crossings, enclaves) hold from ``start`` until the day
before ``end`` (null = open) and are looked up *as of* one day.

>>> import pandas as pd
>>> df = pd.DataFrame({"date_start": pd.to_datetime(["2021-04-28", "2022-09-14"]),
...                    "date_end": pd.to_datetime(["2021-05-01", "2022-09-20"])})
>>> len(in_range(df, "2021-04-30", "2021-04-30"))
1
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from borderviz.model.schema import LAYERS

DateLike = str | dt.date | pd.Timestamp


def _day(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def in_range(frame: pd.DataFrame, start: DateLike, end: DateLike,
             columns: tuple[str, str] = ("date_start", "date_end")) -> pd.DataFrame:
    """Rows whose own span [date_start, date_end] overlaps the days [start, end]."""
    first, last = _day(start), _day(end)
    begins, ends = frame[columns[0]], frame[columns[1]].fillna(frame[columns[0]])
    return frame[(begins <= last) & (ends >= first)]


def as_of(frame: pd.DataFrame, day: DateLike, layer: str | None = None) -> pd.DataFrame:
    """Rows of a state layer that hold on ``day`` (start ≤ day < end; nulls are open)."""
    start_col, end_col = LAYERS[layer].interval if layer else ("date_start", "date_end")
    d = _day(day)
    starts, ends = frame[start_col], frame[end_col]
    return frame[(starts.isna() | (starts <= d)) & (ends.isna() | (d < ends))]


@dataclass(frozen=True)
class Preset:
    """A named date range offered to users."""

    key: str
    label: str
    start: dt.date
    end: dt.date


def presets(conflicts: pd.DataFrame, first_day: dt.date, last_day: dt.date,
            treaty_day: dt.date = dt.date(2025, 3, 13)) -> list[Preset]:
    """The ranges users ask for most: everything, each war, and since the 2025 treaty."""
    out = [Preset("all", "Whole record", first_day, last_day)]
    for _, war in conflicts.sort_values("date_start").iterrows():
        out.append(Preset(war["id"], war["name"], war["date_start"].date(), war["date_end"].date()))
    out.append(Preset("since-treaty", "Since the 2025 treaty", treaty_day, last_day))
    return out


@dataclass(frozen=True)
class IncidentFilter:
    """What a user can narrow the incidents by, besides dates. Empty means no restriction."""

    event_types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    min_killed: int = 0


def filter_incidents(incidents: pd.DataFrame, start: DateLike, end: DateLike,
                     criteria: IncidentFilter = IncidentFilter()) -> pd.DataFrame:
    """Incidents in the date range that match every given criterion.

    ``min_killed`` > 0 keeps only incidents with at least that many killed
    reported in total (incidents with no reported figure are left out then).
    """
    out = in_range(incidents, start, end)
    if criteria.event_types:
        out = out[out["event_type"].isin(criteria.event_types)]
    if criteria.countries:
        out = out[out["country"].isin(criteria.countries)]
    if criteria.precisions:
        out = out[out["location_precision"].isin(criteria.precisions)]
    if criteria.min_killed > 0:
        out = out[out["killed_total"].fillna(0) >= criteria.min_killed]
    return out


def counts_by_period(incidents: pd.DataFrame, freq: str = "MS",
                     start: DateLike | None = None, end: DateLike | None = None) -> pd.DataFrame:
    """Number of incidents per period (``MS`` months, ``W-MON`` weeks) and event type.

    Long form (period, period_end, event_type, events) for a stacked chart;
    empty periods within [start, end] appear with zero so the axis has no gaps.
    """
    columns = ["period", "event_type", "events"]
    if incidents.empty:
        return pd.DataFrame(columns=[*columns, "period_end"])
    period = incidents["date_start"].dt.to_period(freq[0] if freq.startswith("M") else "W-SUN")
    counts = (incidents.assign(period=period.dt.start_time)
              .groupby(["period", "event_type"]).size().rename("events").reset_index())
    lo = _day(start) if start is not None else counts["period"].min()
    hi = _day(end) if end is not None else counts["period"].max()
    full = pd.date_range(lo, hi, freq=freq)
    types = sorted(counts["event_type"].unique())
    grid = pd.MultiIndex.from_product([full, types], names=["period", "event_type"])
    merged = counts.set_index(["period", "event_type"]).reindex(
        grid.union(counts.set_index(["period", "event_type"]).index), fill_value=0)
    out = merged.reset_index()[columns]
    step = pd.DateOffset(months=1) if freq.startswith("M") else pd.DateOffset(weeks=1)
    return out.assign(period_end=out["period"] + step)


def layer_selection(frames: dict[str, pd.DataFrame], name: str, start: DateLike, end: DateLike,
                    incidents: pd.DataFrame | None = None, history: bool = False) -> pd.DataFrame:
    """What an export of layer ``name`` holds for the days [start, end].

    Incidents: the given (already filtered) selection, or all in the range.
    Dated events (wars, timeline events, casualty reports of selected
    incidents): those in the range. States (border status, crossings,
    enclaves): as they were on ``end``, or with ``history`` every interval
    that overlaps the range (for replaying them, e.g. in QGIS's temporal
    controller). Everything else: the whole layer.
    """
    frame = frames[name]
    if name == "incidents":
        return incidents if incidents is not None else in_range(frame, start, end)
    if name in ("conflicts", "timeline_events"):
        return in_range(frame, start, end)
    if name == "casualty_reports":
        chosen = incidents if incidents is not None else in_range(frames["incidents"], start, end)
        wars = in_range(frames["conflicts"], start, end)
        keep = frame["subject"].isin(set(chosen["id"]) | set(wars["id"]))
        return frame[keep]
    if LAYERS[name].interval:
        return overlapping(frame, start, end, name) if history else as_of(frame, end, name)
    return frame


def overlapping(frame: pd.DataFrame, start: DateLike, end: DateLike, layer: str) -> pd.DataFrame:
    """Rows of a state layer whose interval [start, end) shares a day with [start, end]."""
    start_col, end_col = LAYERS[layer].interval
    first, last = _day(start), _day(end)
    starts, ends = frame[start_col], frame[end_col]
    return frame[(starts.isna() | (starts <= last)) & (ends.isna() | (first < ends))]
