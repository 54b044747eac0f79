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
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from borderviz.maps.mapview import BASEMAPS, DEFAULT_LAYERS, LAYER_KEYS
from borderviz.model.schema import EVENT_TYPES, LOCATION_PRECISIONS, RECORD_START

COUNTRY_CHOICES = ("KG", "TJ", "disputed")
# A link's parameters are untrusted: at most this many characters of one are read, and a value
# quoted back in a warning is cut short, so a hostile link costs one short warning per parameter.
MAX_PARAM = 10_000
SHOWN = 40


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= SHOWN else text[:SHOWN] + "…")
FREQUENCIES = ("month", "week")
# Where a link may point the map: the map's own zoom limits, the region with a wide margin.
LAT_RANGE, LON_RANGE, ZOOM_RANGE = (30.0, 50.0), (55.0, 90.0), (6, 18)
INCIDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")


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
    view: tuple[float, float, int] | None = None  # (lat, lon, zoom); None: the map's default view
    incident: str = ""  # the incident whose popup is open ("" none); the app checks that it exists

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
        if any(k in params for k in ("lat", "lon", "zoom")):
            view, problem = _read_view(params)
            if problem:
                problems.append(problem)
            else:
                values["view"] = view
        if params.get("incident"):
            if INCIDENT_ID.fullmatch(str(params["incident"])):
                values["incident"] = str(params["incident"])
            else:
                problems.append(f"incident: {_shown(params['incident'])} is not an incident id; ignored")
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
        """Query parameters for this state (lists joined with commas; all fields present but the
        view and incident, which appear once set)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "view":
                if value is not None:
                    out.update(lat=f"{value[0]:.5f}", lon=f"{value[1]:.5f}", zoom=str(int(value[2])))
            elif f.name == "incident":
                if value:
                    out["incident"] = value
            elif isinstance(value, tuple):
                out[f.name] = ",".join(value)
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = str(value)
        return out


def _read_view(params: Mapping[str, str]) -> tuple[tuple[float, float, int] | None, str | None]:
    """(lat, lon, zoom) from a link, or why not: all three needed, finite, inside the ranges."""
    if not all(k in params for k in ("lat", "lon", "zoom")):
        return None, "lat, lon and zoom go together; the map's view was not changed"
    try:
        lat, lon, zoom = float(params["lat"]), float(params["lon"]), int(str(params["zoom"]))
    except ValueError:
        return None, "lat, lon, zoom: not numbers; the map's view was not changed"
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None, "lat, lon: not numbers; the map's view was not changed"
    for name, value, (lo, hi) in (("lat", lat, LAT_RANGE), ("lon", lon, LON_RANGE), ("zoom", zoom, ZOOM_RANGE)):
        if not lo <= value <= hi:
            return None, f"{name}: {value:g} is outside {lo:g}..{hi:g}; the map's view was not changed"
    return (round(lat, 5), round(lon, 5), zoom), None


def view_of(report: Mapping[str, object] | None) -> tuple[float, float, int] | None:
    """The (lat, lon, zoom) in the map's report, if it is one a link could carry; else None."""
    if not isinstance(report, Mapping):
        return None
    view, problem = _read_view({k: str(report.get(k)) for k in ("lat", "lon", "zoom") if k in report})
    return None if problem else view


DEFAULTS = ViewState(start=RECORD_START, end=dt.date.today())
