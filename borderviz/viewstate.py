"""The app's view as URL query parameters, so a copied link reopens the same view.

Parsing never fails: a parameter that cannot be read (a bad date, an unknown
layer) is dropped and reported, and the default is used instead, so a mangled
link still opens the app. Reports are bounded: one per parameter, however many
bad values it holds.

>>> state, problems = ViewState.from_params({"start": "2022-09-14", "end": "2022-09-20",
...                                          "layers": "status,incidents,bogus"}, DEFAULTS)
>>> state.layers, problems
(('status', 'incidents'), ["layers: unknown value 'bogus' ignored"])
>>> state.to_params()["end"]
'2022-09-20'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from .mapview import BASEMAPS, DEFAULT_LAYERS, LAYER_KEYS
from .schema import EVENT_TYPES, LOCATION_PRECISIONS, RECORD_START

COUNTRY_CHOICES = ("KG", "TJ", "disputed")
# A link's parameters are untrusted: at most this many characters of one are read, and a value
# quoted back in a warning is cut short, so a hostile link costs one short warning per parameter.
MAX_PARAM = 10_000
SHOWN = 40


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")
FREQUENCIES = ("month", "week")


@dataclass(frozen=True)
class ViewState:
    """Everything a link must restore. Empty filter tuples mean "all"."""

    start: dt.date
    end: dt.date
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    min_killed: int = 0
    layers: tuple[str, ...] = DEFAULT_LAYERS
    basemap: str = "streets"
    freq: str = "month"

    _LISTS = {"types": EVENT_TYPES, "countries": COUNTRY_CHOICES, "precisions": LOCATION_PRECISIONS,
              "layers": tuple(LAYER_KEYS)}

    @classmethod
    def from_params(cls, params: Mapping[str, str], defaults: ViewState) -> tuple[ViewState, list[str]]:
        """Read query parameters over ``defaults``; return the state and what was ignored."""
        values: dict[str, object] = {}
        problems: list[str] = []
        for name in ("start", "end"):
            if name in params:
                try:
                    values[name] = dt.date.fromisoformat(str(params[name]))
                except ValueError:
                    problems.append(f"{name}: {_shown(params[name])} is not a date (YYYY-MM-DD); ignored")
        for name, allowed in cls._LISTS.items():
            if name in params:
                raw = list(dict.fromkeys(v for v in str(params[name])[:MAX_PARAM].split(",") if v))
                bad = [v for v in raw if v not in allowed]
                if len(bad) == 1:
                    problems.append(f"{name}: unknown value {_shown(bad[0])} ignored")
                elif bad:
                    examples = ", ".join(_shown(v) for v in bad[:3])
                    cut = f" in its first {MAX_PARAM:,} characters" if len(str(params[name])) > MAX_PARAM else ""
                    problems.append(f"{name}: {len(bad):,} unknown values{cut} ignored (e.g. {examples})")
                values[name] = tuple(v for v in raw if v in allowed)
        if "min_killed" in params:
            try:
                number = int(str(params["min_killed"])[:MAX_PARAM])
            except ValueError:
                problems.append(f"min_killed: {_shown(params['min_killed'])} is not a whole number; ignored")
            else:
                if number < 0:
                    problems.append(f"min_killed: {number} is below 0; 0 used")
                values["min_killed"] = max(0, number)
        for name, allowed in (("basemap", tuple(BASEMAPS)), ("freq", FREQUENCIES)):
            if name in params:
                if params[name] in allowed:
                    values[name] = params[name]
                else:
                    problems.append(f"{name}: unknown value {_shown(params[name])} ignored")
        state = replace(defaults, **values)
        lo, hi = defaults.start, defaults.end
        clamped = replace(state, start=min(max(state.start, lo), hi), end=min(max(state.end, lo), hi))
        if clamped != state:
            problems.append(f"dates outside the record ({lo}..{hi}) were moved into it")
        if clamped.start > clamped.end:
            problems.append("start is after end; dates swapped")
            clamped = replace(clamped, start=clamped.end, end=clamped.start)
        return clamped, problems

    def to_params(self) -> dict[str, str]:
        """Query parameters for this state (lists joined with commas; all fields present)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                out[f.name] = ",".join(value)
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out


DEFAULTS = ViewState(start=RECORD_START, end=dt.date.today())
