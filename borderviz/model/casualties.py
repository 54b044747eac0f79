"""Casualty figures by side and by who reported them.

Sides publish different numbers and revise them; borderviz never merges them
into one "true" figure. A war's totals are read from the figures published
for the war as a whole; a selection of incidents is summed from each
incident's headline figures and labelled as such.

>>> reports = pd.DataFrame({"scope": ["conflict"] * 2, "subject": ["war-2022-09"] * 2,
...     "side": ["KG", "KG"], "measure": ["killed"] * 2, "value": [59, 62],
...     "qualifier": ["exact", "at_least"], "reported_by": ["Ministry of Health", "FP"],
...     "reported_on": pd.to_datetime(["2022-09-18", "2022-10-13"]),
...     "sources": [[{"publisher": "a", "url": "https://a"}], [{"publisher": "b", "url": "https://b"}]]})
>>> conflict_totals(reports, "war-2022-09")[["side", "measure", "figure", "reported_by"]].to_dict("records")[-1]
{'side': 'KG', 'measure': 'killed', 'figure': 'at least 62', 'reported_by': 'FP'}
"""

from __future__ import annotations

import pandas as pd

from borderviz.model.schema import MEASURES

QUALIFIER_WORDS = {"exact": "", "at_least": "at least ", "about": "about ", "up_to": "up to "}


def figure_text(value: int, qualifier: str) -> str:
    """A figure as a reader says it: 'at least 62', 'about 58,000', '36'."""
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{int(value):,}"


def conflict_totals(casualty_reports: pd.DataFrame, conflict: str) -> pd.DataFrame:
    """Every whole-war figure for ``conflict``, by side, measure and source, oldest first."""
    rows = casualty_reports[(casualty_reports["scope"] == "conflict")
                            & (casualty_reports["subject"] == conflict)].copy()
    rows["figure"] = [figure_text(v, q) for v, q in zip(rows["value"], rows["qualifier"], strict=True)]
    rows["publisher"] = [s[0]["publisher"] if s else "" for s in rows["sources"]]
    rows["url"] = [s[0]["url"] if s else "" for s in rows["sources"]]
    order = {m: i for i, m in enumerate(MEASURES)}
    rows = rows.assign(_m=rows["measure"].map(order)).sort_values(
        ["side", "_m", "reported_on", "value"], na_position="first")
    return rows[["side", "measure", "figure", "value", "qualifier", "reported_by", "reported_on",
                 "publisher", "url"]].reset_index(drop=True)


def latest_by_side(casualty_reports: pd.DataFrame, conflict: str) -> pd.DataFrame:
    """Per side and measure, the most recently reported whole-war figure (ties: the largest)."""
    totals = conflict_totals(casualty_reports, conflict)
    if totals.empty:
        return totals
    totals = totals.sort_values(["reported_on", "value"], na_position="first")
    return totals.groupby(["side", "measure"], as_index=False).tail(1).sort_values(
        ["side", "measure"]).reset_index(drop=True)


def selection_totals(incidents: pd.DataFrame) -> pd.DataFrame:
    """Sum of the incidents' headline figures per side and measure, with how many reported one.

    This is a sum over places and days, not an official count: the per-place
    figures of a war rarely add up to the war's published totals.
    """
    records = []
    for measure in MEASURES:
        for side in ("kg", "tj"):
            col = incidents[f"{measure}_{side}"]
            records.append({"side": side.upper(), "measure": measure,
                            "total": int(col.fillna(0).sum()), "incidents_reporting": int(col.notna().sum())})
    return pd.DataFrame(records)
