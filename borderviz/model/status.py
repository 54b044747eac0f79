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

from borderviz.model.schema import BORDER_STATUSES
from borderviz.model.timeline import DateLike, as_of


def status_on(border_status: pd.DataFrame, day: DateLike) -> pd.DataFrame:
    """The sectors of the line and their status on ``day``."""
    return as_of(border_status, day, "border_status")


def mapped_km(border_status: pd.DataFrame, day: DateLike) -> dict[str, float]:
    """Kilometres of drawn line per status on ``day`` (every status present, 0 if none)."""
    sectors = status_on(border_status, day)
    km = sectors.groupby("status")["length_km"].sum()
    return {s: round(float(km.get(s, 0.0)), 1) for s in BORDER_STATUSES}


QUALIFIER_WORDS = {"exact": "", "at_least": "more than ", "about": "about ", "up_to": "up to "}


def km_text(value: float, qualifier: str = "exact") -> str:
    """A length as a reader says it: 'more than 660 km', '663.7 km', '1,006.84 km'."""
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{value:,.2f}".rstrip("0").rstrip(".") + " km"


def date_text(date: pd.Timestamp, precision: str | None) -> str:
    """'14 Sep 2022', or 'Apr 2022' / '2022' for a figure dated only to the month or year."""
    if precision == "year":
        return f"{date:%Y}"
    if precision == "month":
        return f"{date:%b %Y}"
    return f"{date.day} {date:%b %Y}"


def _num(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class OfficialFigure:
    """One published figure on the border's length, with who said it and when."""

    date: pd.Timestamp
    date_as_published: str
    total_km: float | None
    agreed_km: float | None
    disputed_km: float | None
    statement: str
    who: str
    url: str
    publisher: str
    qualifier: str = "exact"
    date_precision: str | None = "day"
    id: str = ""
    increment_km: float | None = None
    agreed_percent: float | None = None

    @property
    def when(self) -> str:
        """The figure's date as a reader says it ('14 Sep 2022', 'Apr 2022')."""
        return date_text(self.date, self.date_precision)

    @property
    def credit(self) -> str:
        """Who said it and when: 'TASS (…), 14 Sep 2022'."""
        return f"{self.who}, {self.when}"


def _figure(row) -> OfficialFigure:
    source = row["sources"][0]
    precision = row.get("date_precision")
    return OfficialFigure(row["date"], row["date_as_published"], _num(row["total_km"]), _num(row["agreed_km"]),
                          _num(row["disputed_km"]), row["statement"], row["who"], source["url"],
                          source["publisher"], row.get("km_qualifier") or "exact",
                          None if precision is None or pd.isna(precision) else precision, row["id"],
                          _num(row.get("increment_km")), _num(row.get("agreed_percent")))


def _latest(official_figures: pd.DataFrame, day: DateLike, column: str) -> OfficialFigure | None:
    """The most recent dated figure on or before ``day`` that gives ``column``."""
    d = pd.Timestamp(day).normalize()
    dated = official_figures[official_figures["date"].notna() & (official_figures["date"] <= d)
                             & official_figures[column].notna()]
    if dated.empty:
        return None
    return _figure(dated.sort_values(["date", "id"]).iloc[-1])


FIGURE_COLUMNS = ("total_km", "agreed_km", "disputed_km", "increment_km", "agreed_percent")


def same_day(official_figures: pd.DataFrame, day: DateLike,
             shown: tuple[OfficialFigure | None, ...]) -> tuple[OfficialFigure, ...]:
    """Other dated figures of the same date as one of ``shown`` (on or before ``day``).

    The latest figure of each kind is one row; when two statements carry the same date
    (two presidents in April 2022, two "94 %" statements of July 2024) the others are
    kept here, so that none is dropped silently.
    """
    ids = {f.id for f in shown if f is not None}
    dates = {f.date for f in shown if f is not None}
    d = pd.Timestamp(day).normalize()
    rows = official_figures[official_figures["date"].isin(dates) & (official_figures["date"] <= d)
                            & ~official_figures["id"].isin(ids)
                            & official_figures[list(FIGURE_COLUMNS)].notna().any(axis=1)]
    return tuple(_figure(r) for _, r in rows.sort_values(["date", "id"]).iterrows())


def official_on(official_figures: pd.DataFrame, day: DateLike) -> OfficialFigure | None:
    """The most recent dated figure on or before ``day`` that says how many km were agreed.

    Falls back to the most recent total length when no agreed figure was
    published yet. Undated figures are never used.
    """
    return _latest(official_figures, day, "agreed_km") or _latest(official_figures, day, "total_km")


@dataclass(frozen=True)
class StatusSummary:
    """Mapped and official kilometres for one day."""

    day: pd.Timestamp
    mapped_km: dict[str, float]
    official: OfficialFigure | None
    later_disputed: OfficialFigure | None = None
    last_increment: OfficialFigure | None = None
    later_share: OfficialFigure | None = None
    same_day: tuple[OfficialFigure, ...] = ()

    def sentence(self) -> str:
        """Plain sentences a reader can cite, e.g.

        'As of 16 Sep 2022: more than 660 km agreed of more than 980 km, according to
        TASS (…), 14 Sep 2022. Mapped here: …'
        """
        o = self.official
        head = f"As of {date_text(self.day, 'day')}:"
        if o is None:
            parts = [head, "no official figure on the line had been published yet."]
        elif o.agreed_km is not None:
            total = f" of {km_text(o.total_km, o.qualifier)}" if o.total_km is not None else ""
            parts = [head, f"{km_text(o.agreed_km, o.qualifier)} agreed{total}, according to {o.credit}."]
        else:
            parts = [head, f"no agreed length had been published; the line was given as "
                           f"{km_text(o.total_km, o.qualifier)} long by {o.credit}."]
        if self.later_disputed is not None:
            d = self.later_disputed
            parts.append(f"Later, {km_text(d.disputed_km, d.qualifier)} remained disputed or undescribed, "
                         f"according to {d.credit}.")
        if self.later_share is not None:
            s = self.later_share
            parts.append(f"Later, {s.agreed_percent:g} % was said to be agreed: {s.statement} ({s.credit}).")
        if self.last_increment is not None:
            i = self.last_increment
            parts.append(f"The latest working-group result on record: {km_text(i.increment_km)} more "
                         f"agreed ({i.credit}).")
        for f in self.same_day:
            parts.append(f"Also dated {f.when}: {f.statement} ({f.who}).")
        m = self.mapped_km
        parts.append(f"Mapped here: {m['agreed']:g} km agreed, {m['disputed']:g} km in documented "
                     f"disputed sectors (indicative), {m['not_documented']:g} km whose status was "
                     "not published.")
        return " ".join(parts)


def summary(border_status: pd.DataFrame, official_figures: pd.DataFrame, day: DateLike) -> StatusSummary:
    """Mapped km by status and the latest official figure, for ``day``."""
    official = official_on(official_figures, day)
    after = official.date if official is not None else pd.Timestamp.min

    def newer(fig: OfficialFigure | None) -> OfficialFigure | None:
        return fig if fig is not None and fig.date > after else None

    later = (newer(_latest(official_figures, day, "disputed_km")),
             newer(_latest(official_figures, day, "increment_km")),
             newer(_latest(official_figures, day, "agreed_percent")))
    return StatusSummary(pd.Timestamp(day).normalize(), mapped_km(border_status, day), official, *later,
                         same_day=same_day(official_figures, day, (official, *later)))


@dataclass(frozen=True)
class Reading:
    """One number of the gauge, with where it comes from.

    ``derived`` is True when borderviz computed it (total minus agreed of one
    published row) rather than reading it as published.
    """

    km: float
    qualifier: str
    who: str
    when: str
    date: pd.Timestamp
    publisher: str
    url: str
    figure_id: str
    derived: bool = False

    @property
    def text(self) -> str:
        return km_text(self.km, self.qualifier)


def _reading(fig: OfficialFigure, km: float, derived: bool = False) -> Reading:
    qualifier = "about" if derived and fig.qualifier != "exact" else fig.qualifier
    return Reading(round(km, 2), qualifier, fig.who, fig.when, fig.date, fig.publisher, fig.url, fig.id, derived)


@dataclass(frozen=True)
class Gauge:
    """The day's numbers for a compact gauge: what was published, and what the map can place.

    ``total``, ``agreed``, ``not_agreed`` and ``disputed`` are the latest
    published readings on or before ``day`` (None when none was published);
    each may come from a different statement, and each says whose it is.
    ``not_agreed`` is total minus agreed of the same statement (``derived``).
    ``last_increment`` is the km agreed at the latest working-group meeting, and
    ``agreed_share`` the latest statement of the share agreed in percent (some sources give
    only that). ``same_day`` holds the other statements dated like one of these, so that two
    figures of one day are both there. ``mapped`` is what borderviz draws: km per status of
    the line on that day.
    """

    day: pd.Timestamp
    total: Reading | None
    agreed: Reading | None
    not_agreed: Reading | None
    disputed: Reading | None
    mapped: dict[str, float]
    last_increment: Reading | None = None
    agreed_share: OfficialFigure | None = None
    same_day: tuple[OfficialFigure, ...] = ()

    @property
    def mapped_disputed_km(self) -> float:
        return self.mapped["disputed"]

    @property
    def mapped_not_published_km(self) -> float:
        return self.mapped["not_documented"]


def gauge(border_status: pd.DataFrame, official_figures: pd.DataFrame, day: DateLike) -> Gauge:
    """The numbers of ``day``'s gauge: agreed / not yet agreed / disputed km with their sources,
    beside the km the map draws as disputed (indicative) and as status-not-published."""
    agreed_fig = _latest(official_figures, day, "agreed_km")
    total_fig = _latest(official_figures, day, "total_km")
    disputed_fig = _latest(official_figures, day, "disputed_km")
    increment_fig = _latest(official_figures, day, "increment_km")
    share_fig = _latest(official_figures, day, "agreed_percent")
    not_agreed = None
    if agreed_fig is not None and agreed_fig.total_km is not None:
        not_agreed = _reading(agreed_fig, max(agreed_fig.total_km - agreed_fig.agreed_km, 0.0), derived=True)
    return Gauge(
        day=pd.Timestamp(day).normalize(),
        total=_reading(total_fig, total_fig.total_km) if total_fig else None,
        agreed=_reading(agreed_fig, agreed_fig.agreed_km) if agreed_fig else None,
        not_agreed=not_agreed,
        disputed=_reading(disputed_fig, disputed_fig.disputed_km) if disputed_fig else None,
        mapped=mapped_km(border_status, day),
        last_increment=_reading(increment_fig, increment_fig.increment_km) if increment_fig else None,
        agreed_share=share_fig,
        same_day=same_day(official_figures, day, (agreed_fig, total_fig, disputed_fig, increment_fig, share_fig)),
    )
