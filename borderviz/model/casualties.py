"""Casualty figures by side and by who reported them.

Sides publish different numbers and revise them; borderviz never merges them
into one "true" figure. A war's totals are read from the figures published
for the war as a whole; a selection of incidents is summed from each
incident's headline figures and labelled as such. Where each war's dead were
killed is in ``war_deaths``: :func:`placement_summary` gives, per war and side,
how many of the quoted dead a source places and the sentence that says so.

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

from borderviz.model.schema import MEASURES, NOT_PLACED

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


# The sentence shown wherever killed figures of a war appear: one template per
# plural form, kept here alone so that it can be translated.
PLACED_SENTENCE = {
    "one": "{placed} of the {total} dead reported for this war is placed",
    "other": "{placed} of the {total} dead reported for this war are placed",
}


def placed_sentence(placed: int, total: int, total_qualifier: str = "exact") -> str:
    """'20 of the 41 dead reported for this war are placed' (the total as :func:`figure_text` says it)."""
    form = "one" if placed == 1 else "other"
    return PLACED_SENTENCE[form].format(placed=f"{int(placed):,}", total=figure_text(total, total_qualifier))


def placement_summary(war_deaths: pd.DataFrame, conflict: str | None = None) -> pd.DataFrame:
    """Per war and side: dead placed, not placed, the total the map quotes, who reported it, the sentence.

    Columns: conflict, side, placed, not_placed, total, total_qualifier,
    total_reported_by, total_reported_on, places (incidents with deaths
    placed), sentence. ``placed + not_placed == total`` on every row
    (``borderviz validate`` checks the layer). With ``conflict``, that war only.

    >>> wd = pd.DataFrame({"conflict": ["w"] * 2, "side": ["TJ"] * 2, "place": ["a", NOT_PLACED],
    ...     "killed": [20, 21], "total": [41] * 2, "total_qualifier": ["exact"] * 2,
    ...     "total_reported_by": ["MFA"] * 2, "total_reported_on": ["2022-09-19"] * 2})
    >>> placement_summary(wd).iloc[0]["sentence"]
    '20 of the 41 dead reported for this war are placed'
    """
    rows = war_deaths if conflict is None else war_deaths[war_deaths["conflict"] == conflict]
    records = []
    for (war, side), group in rows.groupby(["conflict", "side"], sort=True):
        first = group.iloc[0]
        here = group[group["place"] != NOT_PLACED]
        placed = int(here["killed"].sum())
        records.append({
            "conflict": war, "side": side, "placed": placed,
            "not_placed": int(group.loc[group["place"] == NOT_PLACED, "killed"].sum()),
            "total": int(first["total"]), "total_qualifier": first["total_qualifier"],
            "total_reported_by": first["total_reported_by"], "total_reported_on": first["total_reported_on"],
            "places": int(here["place"].nunique()),
            "sentence": placed_sentence(placed, int(first["total"]), first["total_qualifier"]),
        })
    columns = ["conflict", "side", "placed", "not_placed", "total", "total_qualifier", "total_reported_by",
               "total_reported_on", "places", "sentence"]
    return pd.DataFrame(records, columns=columns)


def deaths_at(war_deaths: pd.DataFrame, incident: str) -> pd.DataFrame:
    """The war_deaths rows placing deaths at one incident (empty when none are placed there)."""
    return war_deaths[war_deaths["place"] == incident]
