"""borderviz: an interactive, sourced map of the Kyrgyzstan–Tajikistan border conflict.

The library in three calls (nothing heavy is imported until one is made)::

    import borderviz

    frames = borderviz.load()                        # {layer name: (Geo)DataFrame}, validated
    clashes = borderviz.incidents("2022-09-14", "2022-09-20", types=["armed_clash"])
    m = borderviz.map()                              # the app's default view, as a folium map
    m                                                # renders in Jupyter, offline
    m.save("border.html")                            # one file that works from disk

The package is organised in three groups, one concern per module; each
module is also importable under its short name (``borderviz.schema``), loaded on
first use:

- ``borderviz.model``: the data and what it means: ``schema`` (columns, types and
  vocabularies), ``layers`` (load and validate ``data/``), ``checks`` (facts between
  layers), ``timeline`` (date and attribute filters), ``status`` (the line and the
  official figures on a day), ``casualties``, ``enclaves``, ``search``, ``viewstate``
- ``borderviz.io``: files in and out: ``readers/`` (uploads, bounded), ``formats``
  (exports and what each format keeps), ``importers`` and ``mapping`` (your own
  incidents), ``uploads`` (the bounded child process), ``kml``, ``styling``
- ``borderviz.maps``: the map: ``engine`` (folium frame + browser engine), ``packet``
  (the data channel), ``component`` (Streamlit), ``mapview``, ``popups``, ``assets``,
  and ``web/`` (the browser code)
- ``borderviz.cli``: the ``borderviz`` command; ``borderviz/app.py``: the Streamlit app
"""

from __future__ import annotations

import datetime as _dt
import importlib as _importlib
from collections.abc import Iterable as _Iterable
from pathlib import Path as _Path
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

if _TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd

__version__ = "0.1.0"
__all__ = ["__version__", "incidents", "load", "map"]

# Every module under its short name: ``borderviz.schema`` is ``borderviz.model.schema``.
_SUBMODULES = {
    **{name: f"model.{name}" for name in ("schema", "layers", "checks", "timeline", "status", "casualties",
                                          "enclaves", "geodesy", "search", "readout", "viewstate")},
    **{name: f"io.{name}" for name in ("formats", "kml", "styling", "datapackage", "importers", "uploads")},
    **{name: f"maps.{name}" for name in ("engine", "mapview", "popups", "assets", "points", "packet")},
    "cli": "cli", "errors": "errors", "model": "model", "io": "io", "maps": "maps",
}

def __getattr__(name: str) -> _Any:
    """``borderviz.layers`` etc. work after a bare ``import borderviz`` (imported on first use)."""
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{_SUBMODULES[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})


def load(data: str | _Path | None = None) -> dict[str, pd.DataFrame]:
    """Every layer, validated: ``{name: GeoDataFrame or DataFrame}`` (see data/README.md).

    ``data`` is a folder holding the layer files; by default the data shipped
    with borderviz (or ``$BORDERVIZ_DATA``). Raises
    :class:`borderviz.errors.DataError` listing every problem if any file is wrong.
    """
    from borderviz.model.layers import load_all

    return load_all(_Path(data) if data is not None else None)


def _dates(start: str | _dt.date | None, end: str | _dt.date | None) -> tuple[_dt.date, _dt.date]:
    from borderviz.model.schema import RECORD_START

    first = _dt.date.fromisoformat(start) if isinstance(start, str) else (start or RECORD_START)
    last = _dt.date.fromisoformat(end) if isinstance(end, str) else (end or _dt.date.today())
    if first > last:
        raise ValueError(f"start {first} is after end {last}")
    return first, last


def _criteria(types: _Iterable[str], countries: _Iterable[str], precisions: _Iterable[str], min_killed: int):
    from borderviz.model.schema import COUNTRIES, EVENT_TYPES, LOCATION_PRECISIONS
    from borderviz.model.timeline import IncidentFilter

    chosen = {"types": tuple(types), "countries": tuple(countries), "precisions": tuple(precisions)}
    allowed = {"types": EVENT_TYPES, "countries": COUNTRIES, "precisions": LOCATION_PRECISIONS}
    problems = [f"{key}: unknown {', '.join(repr(b) for b in bad)}; choose from {', '.join(allowed[key])}"
                for key, values in chosen.items() if (bad := [v for v in values if v not in allowed[key]])]
    if min_killed < 0:
        problems.append(f"min_killed: {min_killed} is negative")
    if problems:
        raise ValueError("; ".join(problems))
    return IncidentFilter(chosen["types"], chosen["countries"], chosen["precisions"], int(min_killed))


def incidents(start: str | _dt.date | None = None, end: str | _dt.date | None = None, *,
              types: _Iterable[str] = (), countries: _Iterable[str] = (), precisions: _Iterable[str] = (),
              min_killed: int = 0, frames: dict[str, pd.DataFrame] | None = None) -> gpd.GeoDataFrame:
    """The incidents between two days (ISO text or dates; inclusive) that match the filters,
    exactly as the app selects them.

    ``types`` are event types (``schema.EVENT_TYPES``), ``countries`` KG/TJ/UZ,
    ``precisions`` how precisely the place is known, ``min_killed`` the least
    number reported killed. Empty filters keep everything. ``frames`` is what
    :func:`load` returned (loaded if not given).
    """
    from borderviz.model.timeline import filter_incidents

    first, last = _dates(start, end)
    criteria = _criteria(types, countries, precisions, min_killed)
    frames = frames if frames is not None else load()
    return filter_incidents(frames["incidents"], first, last, criteria)


def map(start: str | _dt.date | None = None, end: str | _dt.date | None = None, *,  # noqa: A001
        layers: _Iterable[str] | None = None, basemap: str = "streets", types: _Iterable[str] = (),
        countries: _Iterable[str] = (), precisions: _Iterable[str] = (), min_killed: int = 0,
        frames: dict[str, pd.DataFrame] | None = None, imported: _Iterable[_Any] = (),
        width: str | int | None = None, height: str | int | None = None, tiles: _Any = None,
        attr: str | None = None, m: folium.Map | None = None) -> folium.Map:
    """The app's map as a folium map with every script and stylesheet inlined: brush, Play and popups included.

    With no arguments: the app's default view (the whole record, the state of
    the line today, the default layers). ``start``/``end`` and the filters
    choose the window the map opens on (the brush can move it across the whole
    record); the line, enclaves and crossings are drawn as they were on
    ``end``. ``imported`` are :func:`borderviz.io.importers.import_file` results
    or frames of your own incidents, drawn with the built-in ones. ``layers`` are the app's map
    layer keys (``mapview.LAYER_KEYS``): given, the map carries only those (a smaller notebook);
    ``basemap`` one of ``mapview.BASEMAPS`` (``"none"`` needs no network at all).

    As in ``GeoDataFrame.explore()``: ``width`` and ``height`` size the map (and its frame in a notebook:
    ``height=500`` is 500 px); ``tiles`` is a basemap key, an xyzservices provider or its name
    (``"CartoDB Positron"``), or a URL template with ``attr``, its attribution; ``m`` is a folium map of
    yours to draw onto (its tiles, layers and view kept: the engine, its layers and incidents are added).

    The map renders in Jupyter and ``.save()`` writes one HTML file that works
    offline (only basemap tiles use the network).
    """
    from borderviz.maps.mapview import BASEMAPS, DEFAULT_LAYERS, LAYER_KEYS

    problems = [f"layers: unknown {key!r}; choose from {', '.join(LAYER_KEYS)}"
                for key in (layers or ()) if key not in LAYER_KEYS]
    custom = None
    if isinstance(tiles, str) and tiles in BASEMAPS:
        basemap, tiles = tiles, None
    if tiles is not None:
        try:
            custom = _tiles(tiles, attr)
        except ValueError as exc:
            problems.append(str(exc))
    elif basemap not in BASEMAPS:
        problems.append(f"basemap: unknown {basemap!r}; choose from {', '.join(BASEMAPS)}")
    if problems:
        raise ValueError("; ".join(problems))
    from borderviz.maps.engine import MapState, build_map

    first, last = _dates(start, end)
    frames = frames if frames is not None else load()
    state = MapState(start=first, end=last, types=tuple(types), countries=tuple(countries),
                     precisions=tuple(precisions), min_killed=int(min_killed),
                     layers=tuple(DEFAULT_LAYERS if layers is None else layers),
                     basemap="custom" if custom else "none" if m is not None and tiles is None and
                     basemap == "streets" else basemap)
    size = {"width": _css(width) or "100%", "height": _css(height) or "100%"}
    built = build_map(frames, state, imported, layers=None if layers is None else [*layers, "incidents"],
                      tiles=custom, m=m, **size)
    return _inlined(built, width, height)


def _css(value: str | int | None) -> str | None:
    return f"{value}px" if isinstance(value, int | float) else value


def _tiles(tiles: _Any, attr: str | None) -> dict[str, _Any]:
    """A basemap of the caller's for the engine: {label, url, attribution, maxZoom}, as explore() takes it."""
    import xyzservices

    if isinstance(tiles, str) and "{" not in tiles:
        try:
            tiles = xyzservices.providers.query_name(tiles)
        except ValueError:
            raise ValueError(f"tiles: no basemap or xyzservices provider named {tiles!r}") from None
    if isinstance(tiles, xyzservices.TileProvider):
        return {"label": tiles.name, "url": tiles.build_url(), "attribution": tiles.html_attribution,
                "maxZoom": int(tiles.get("max_zoom", 18))}
    if isinstance(tiles, str) and tiles.startswith(("https://", "http://")):
        if not attr:
            raise ValueError("tiles: a URL template needs attr, its attribution (as folium and explore() ask)")
        return {"label": "custom", "url": tiles, "attribution": attr, "maxZoom": 18}
    raise ValueError(f"tiles: {tiles!r} is not a basemap key, an xyzservices provider or an http(s) URL template")


def _inlined(m: folium.Map, width: str | int | None = None, height: str | int | None = None) -> folium.Map:
    """Give ``m`` a root that inlines the local assets whenever it is rendered
    (Jupyter's display, ``save``, ``get_root().render()``); ``width``/``height`` size a notebook's frame.
    A map of the caller's that already has a root gets its root's rendering inlined the same way."""
    from branca.element import Figure

    from borderviz.maps.assets import inline

    class InlineFigure(Figure):
        def render(self, **kwargs: _Any) -> str:
            return inline(super().render(**kwargs))

    size = {k: _css(v) for k, v in (("width", width), ("height", height)) if v is not None}
    root = m.get_root()
    if isinstance(root, Figure) and root is not m and type(root) is not Figure:  # a caller's own kind of root
        if not isinstance(root, InlineFigure):
            root.__class__ = type("InlineFigure", (InlineFigure, type(root)), {})
        for key, value in size.items():
            setattr(root, key, value)
        return m
    InlineFigure(**size).add_child(m)
    return m
