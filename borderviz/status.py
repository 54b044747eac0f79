"""The state of the border on a given day: line status and the official figures.

Two kinds of knowledge are kept apart on purpose. *Mapped* kilometres are the
lengths of what borderviz can draw (indicative sectors around named places);
*official* kilometres are what governments published. Before 2025 the two do
not match and are never made to: :func:`summary` reports both.

>>> summary(frames["border_status"], frames["official_figures"], "2022-09-16")  # doctest: +SKIP
StatusSummary(day=..., mapped_km={'disputed': 105.2, 'not_documented': ...}, official=...)
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .schema import BORDER_STATUSES
from .timeline import DateLike, as_of


def status_on(border_status: pd.DataFrame, day: DateLike) -> pd.DataFrame:
    """The sectors of the line and their status on ``day``."""
    return as_of(border_status, day, "border_status")


def mapped_km(border_status: pd.DataFrame, day: DateLike) -> dict[str, float]:
    """Kilometres of drawn line per status on ``day`` (every status present, 0 if none)."""
    sectors = status_on(border_status, day)
    km = sectors.groupby("status")["length_km"].sum()
    return {s: round(float(km.get(s, 0.0)), 1) for s in BORDER_STATUSES}


@dataclass(frozen=True)
class OfficialFigure:
    """The latest published figure on or before a day, with who said it."""

    date: pd.Timestamp
    date_as_published: str
    total_km: float | None
    agreed_km: float | None
    disputed_km: float | None
    statement: str
    who: str
    url: str
    publisher: str


def official_on(official_figures: pd.DataFrame, day: DateLike) -> OfficialFigure | None:
    """The most recent dated figure on or before ``day`` that says how many km were agreed.

    Falls back to the most recent total length when no agreed figure was
    published yet. Undated figures are never used.
    """
    d = pd.Timestamp(day).normalize()
    dated = official_figures[official_figures["date"].notna() & (official_figures["date"] <= d)]
    for column in ("agreed_km", "total_km"):
        usable = dated[dated[column].notna()].sort_values(["date", "id"])
        if not usable.empty:
            break
    else:
        return None
    row = usable.iloc[-1]
    source = row["sources"][0]

    def num(value):
        return None if pd.isna(value) else float(value)

    return OfficialFigure(row["date"], row["date_as_published"], num(row["total_km"]), num(row["agreed_km"]),
                          num(row["disputed_km"]), row["statement"], row["who"],
                          source["url"], source["publisher"])


@dataclass(frozen=True)
class StatusSummary:
    """Mapped and official kilometres for one day."""

    day: pd.Timestamp
    mapped_km: dict[str, float]
    official: OfficialFigure | None

    def sentence(self) -> str:
        """One line a reader can cite, e.g. 'As of 16 Sep 2022: 519 km agreed of 972 km (…)'."""
        parts = [f"As of {self.day:%d %b %Y}:"]
        o = self.official
        if o is None:
            parts.append("no official figure published yet.")
        else:
            agreed = f"{o.agreed_km:g} km agreed" if o.agreed_km is not None else "agreed km not given"
            total = f" of {o.total_km:g} km" if o.total_km is not None else ""
            parts.append(f"{agreed}{total} ({o.who}, {o.date_as_published}).")
        m = self.mapped_km
        parts.append(f"Mapped here: {m['agreed']:g} km agreed, {m['disputed']:g} km in documented "
                     f"disputed sectors (indicative), {m['not_documented']:g} km whose status was "
                     "not published.")
        return " ".join(parts)


def summary(border_status: pd.DataFrame, official_figures: pd.DataFrame, day: DateLike) -> StatusSummary:
    """Mapped km by status and the latest official figure, for ``day``."""
    return StatusSummary(pd.Timestamp(day).normalize(), mapped_km(border_status, day),
                         official_on(official_figures, day))
