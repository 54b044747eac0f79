"""What the app puts in front of readers as text: tables with human headers, headline figures, the gauge.

Numbers a journalist may quote are never computed here in a way that could
contradict a source: a war's headline is the latest whole-war figure each
side published (with who said it, when, and the spread of all reports),
and a sum of per-incident figures is always labelled as one. Missing values
read "—" or "not reported", never "None"; dates read "29 Apr 2021".

>>> day_text(pd.Timestamp("2021-04-29"))
'29 Apr 2021'
>>> figure_text(None)
'not reported'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from borderviz.model import casualties, status
from borderviz.model.schema import EVENT_TYPE_LABELS

MISSING = "—"
NOT_REPORTED = "not reported"
SIDE_NAMES = {"KG": "Kyrgyzstan", "TJ": "Tajikistan", "UZ": "Uzbekistan", "disputed": "Disputed land",
              "unknown": "Not attributed to a side"}
HEADLINE = (("KG", "killed"), ("TJ", "killed"), ("KG", "injured"), ("TJ", "injured"))


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def day_text(value: Any, missing: str = MISSING) -> str:
    """'29 Apr 2021' for any date or timestamp; ``missing`` when there is none."""
    if _missing(value):
        return missing
    d = pd.Timestamp(value)
    return f"{d.day} {d:%b %Y}"


def figure_text(value: Any) -> str:
    """A per-incident figure: '12', or 'not reported' (never 0 for unknown, never 'None')."""
    return NOT_REPORTED if _missing(value) else f"{int(value):,}"


def words(value: Any, names: Mapping[str, str] | None = None) -> str:
    """A coded value as a reader says it: names[value], else with underscores as spaces; '—' if missing."""
    if _missing(value) or str(value) == "":
        return MISSING
    return (names or {}).get(str(value), str(value).replace("_", " "))


def _first_url(sources: Any) -> str | None:
    if isinstance(sources, (list, tuple)) and sources and isinstance(sources[0], Mapping):
        return sources[0].get("url") or None
    return None


INCIDENT_HEADERS = ("Date", "Type", "Place (as reported)", "Territory", "District", "Killed (KG)",
                    "Killed (TJ)", "Injured (KG)", "Injured (TJ)", "Location precision", "Confidence",
                    "First source", "Reference")


def incident_table(frame: pd.DataFrame, duplicates: bool = False) -> pd.DataFrame:
    """Incidents as a table a reader can scan: human headers, dates as dates, 'not reported' for unknowns.

    ``duplicates`` adds "May duplicate" (imports: the built-in incidents a row may repeat).
    """
    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)

    out = pd.DataFrame({
        "Date": [None if _missing(d) else pd.Timestamp(d).date() for d in col("date_start")],
        "Type": [words(t, EVENT_TYPE_LABELS) for t in col("event_type")],
        "Place (as reported)": [words(p) for p in col("place_reported")],
        "Territory": [words(c, SIDE_NAMES) for c in col("country")],
        "District": [words(d) for d in col("district")],
        "Killed (KG)": [figure_text(v) for v in col("killed_kg")],
        "Killed (TJ)": [figure_text(v) for v in col("killed_tj")],
        "Injured (KG)": [figure_text(v) for v in col("injured_kg")],
        "Injured (TJ)": [figure_text(v) for v in col("injured_tj")],
        "Location precision": [words(v) for v in col("location_precision")],
        "Confidence": [words(v) for v in col("confidence")],
        "First source": [_first_url(s) for s in col("sources")],
        "Reference": [words(v) for v in col("id")],
    }, index=frame.index)
    if duplicates:
        out["May duplicate"] = [", ".join(duplicate_ids(v)) or MISSING for v in col("possible_duplicate_of")]
    return out.reset_index(drop=True)


def duplicate_ids(value: Any) -> list[str]:
    """The built-in incident ids an imported row may duplicate (a list, or text separated by , ; or |)."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if not _missing(v) and str(v)]
    if _missing(value):
        return []
    return [p.strip() for p in str(value).replace(";", ",").replace("|", ",").split(",") if p.strip()]


WAR_HEADERS = ("Side", "Measure", "Figure", "Reported by", "Reported on", "Publisher", "Source")


def war_table(totals: pd.DataFrame) -> pd.DataFrame:
    """A war's figures by source (:func:`borderviz.model.casualties.conflict_totals`) with human headers."""
    return pd.DataFrame({
        "Side": [words(s, SIDE_NAMES) for s in totals["side"]],
        "Measure": [words(m) for m in totals["measure"]],
        "Figure": list(totals["figure"]),
        "Reported by": [words(r) for r in totals["reported_by"]],
        "Reported on": [day_text(d, "not dated") for d in totals["reported_on"]],
        "Publisher": [words(p) for p in totals["publisher"]],
        "Source": [u or None for u in totals["url"]],
    })


@dataclass(frozen=True)
class WarFigure:
    """One headline number of a war: the latest whole-war figure for a side, with who, when and spread."""

    side: str
    measure: str
    figure: str  # 'at least 62', or 'not reported'
    who: str
    when: str
    low: int | None
    high: int | None
    reports: int

    @property
    def label(self) -> str:
        return f"{self.measure.capitalize()}, {self.side}"

    @property
    def credit(self) -> str:
        """'Kyrgyz Ministry of Health, 28 Sep 2022 · 7 reports: 24–63'."""
        if not self.reports:
            return "No whole-war figure was published for this side."
        spread = (f"{self.reports} reports range from {self.low:,} to {self.high:,}" if self.low != self.high
                  else f"{self.reports} report{'s' if self.reports > 1 else ''}, all {self.low:,}")
        return f"{self.who}, {self.when}. {spread} (all in *War totals by source*)."


def war_headline(casualty_reports: pd.DataFrame, war: str) -> list[WarFigure]:
    """Killed and injured on each side of ``war``, each the latest figure that side's count was given."""
    totals = casualties.conflict_totals(casualty_reports, war)
    latest = casualties.latest_by_side(casualty_reports, war)
    out = []
    for side, measure in HEADLINE:
        rows = totals[(totals["side"] == side) & (totals["measure"] == measure)]
        last = latest[(latest["side"] == side) & (latest["measure"] == measure)] if not latest.empty else latest
        if rows.empty or last.empty:
            out.append(WarFigure(side, measure, NOT_REPORTED, "", "", None, None, 0))
            continue
        r = last.iloc[0]
        out.append(WarFigure(side, measure, r["figure"], str(r["reported_by"]), day_text(r["reported_on"], "undated"),
                             int(rows["value"].min()), int(rows["value"].max()), len(rows)))
    return out


@dataclass(frozen=True)
class GaugeText:
    """The border gauge as the app shows it: a share agreed, a one-line head, three readings, the map's part."""

    share: float | None
    head: str
    readings: list[tuple[str, str, str]]  # (what, km, who and when)
    mapped: str


def _credit(r: status.Reading | None) -> str:
    return "not published" if r is None else f"{r.who}, {r.when}"


def gauge_text(g: status.Gauge) -> GaugeText:
    """Plain text for :func:`borderviz.model.status.gauge`'s numbers (no markup: the app escapes it)."""
    share = None
    if g.agreed is not None and g.total is not None and g.total.km:
        share = max(0.0, min(1.0, g.agreed.km / g.total.km))
    if g.agreed is not None:
        of = f" of {g.total.text}" if g.total is not None else ""
        head = f"{g.agreed.text} agreed{of}"
    elif g.total is not None:
        head = f"No agreed length published by {day_text(g.day)}; the line was given as {g.total.text}"
    else:
        head = f"No official figure on the line published by {day_text(g.day)}"
    readings = [(what, (r.text + (" (total minus agreed)" if r.derived else "")) if r is not None else MISSING,
                 _credit(r))
                for what, r in (("Agreed", g.agreed), ("Not yet agreed", g.not_agreed), ("Disputed", g.disputed))]
    m = g.mapped
    mapped = (f"What this map can place: {m['agreed']:g} km drawn as agreed, {m['disputed']:g} km in documented "
              f"disputed sectors (indicative), {m['not_documented']:g} km whose status was not published.")
    return GaugeText(share, head, readings, mapped)


def incident_sums(incidents: pd.DataFrame) -> list[tuple[str, str, int, int]]:
    """(label, total, incidents reporting, incidents) of the per-incident figures, for labelled sums."""
    totals = casualties.selection_totals(incidents)
    out = []
    for side, measure in HEADLINE:
        row = totals[(totals["side"] == side) & (totals["measure"] == measure)].iloc[0]
        out.append((f"{measure.capitalize()}, {side}", int(row["total"]), int(row["incidents_reporting"]),
                    len(incidents)))
    return out


def join(parts: Iterable[str]) -> str:
    return " · ".join(p for p in parts if p)
