"""The map engine's Python side: folium builds the map frame, the browser draws the data.

One engine serves three hosts: the Streamlit app (``borderviz.maps.component``),
the standalone HTML export and the notebook map (:func:`build_map`). Folium
builds the frame that never depends on data: the Leaflet map, panes, scale
bar, measure and full-screen controls, and the :class:`Engine` element that
loads ``web/*.js`` and calls ``bvx.attach(map, options)``. Everything that
comes from data (layers, incidents, presets, wars, events) travels as
packets (:mod:`borderviz.maps.packet`): in a file as base64, in the app as bytes.

Why this shape: folium renders every element through Jinja, twice
(``MacroElement`` output is compiled again as a template), so any text from
data inside a folium element is a template — ``{{ 7*191 }}`` comes out as
``1337`` and worse runs commands. Here the only value :class:`Engine` puts
into its template is base64 text, checked to hold nothing but ``A–Z a–z
0–9 + / =``: no data can reach a template engine, by construction.

>>> import borderviz
>>> m = build_map(borderviz.load(), MapState.default())       # doctest: +SKIP
>>> m.save("map.html")                                       # doctest: +SKIP
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from jinja2 import Template

from borderviz.maps import mapview, packet, points
from borderviz.model.schema import EVENT_TYPES, RECORD_START

TITLE = "Kyrgyzstan–Tajikistan border"
# One file per concern; loaded in this order (each adds to window.bvx).
ENGINE_JS = ("vendor/html-to-image/html-to-image.js", "decode.js", "filter.js", "popup.js", "layers.js", "draw.js",
             "legend.js", "picture.js", "brush.js", "engine.js", "api.js")
ENGINE_CSS = ("engine.css",)
STATE_LAYERS = ("status", "enclaves", "crossings")
SHORT_NAMES = {"all": "Whole record", "since-treaty": "Since treaty"}
# Shown on every map (and so on every picture of it); a constant, never data.
ATTRIBUTION = ("Borders © OpenStreetMap contributors (ODbL) · places: Who's On First, GeoNames · "
               "records: borderviz (CC BY 4.0)")


@dataclass(frozen=True)
class MapState:
    """What the map opens on: the window of days, filters, layers and basemap."""

    start: dt.date
    end: dt.date
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    precisions: tuple[str, ...] = ()
    min_killed: int = 0
    layers: tuple[str, ...] = mapview.DEFAULT_LAYERS
    basemap: str = "none"
    view: tuple[float, float, int] | None = None  # (lat, lon, zoom); None: the default view
    focus: Mapping[str, Any] | None = None  # {"incident": id} or {"lat", "lon", "zoom", "label"}

    @classmethod
    def default(cls, **changes: Any) -> MapState:
        return cls(start=RECORD_START, end=dt.date.today(), **changes)

    def for_browser(self) -> dict[str, Any]:
        out = {"start": self.start.isoformat(), "end": self.end.isoformat(), "layers": list(self.layers),
               "basemap": self.basemap, "filters": {"types": list(self.types), "countries": list(self.countries),
                                                    "precisions": list(self.precisions),
                                                    "minKilled": int(self.min_killed)}}
        if self.view is not None:
            out["view"] = {"lat": float(self.view[0]), "lon": float(self.view[1]), "zoom": int(self.view[2])}
        if self.focus:
            out["focus"] = dict(self.focus)
        return out


def _iso(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def config(frames: Mapping[str, pd.DataFrame], first: dt.date, last: dt.date, *,
           layers: Sequence[str] | None = None, title: str = TITLE, brush: bool = True,
           tiles: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything but the incidents: layers (states with every interval), basemaps, presets, wars, marks.

    ``frames["countries"]`` may be the full layer: it is simplified for drawing here.
    ``layers`` limits which map layers are included (an export of some layers). ``tiles`` adds a basemap
    of the caller's, ``custom`` ({label, url, attribution, maxZoom}: a notebook's ``map(tiles=...)``).
    """
    from borderviz.model.timeline import presets

    drawn = {**frames, "countries": mapview.display_countries(frames["countries"])}
    wanted = ["background", *(k for k in mapview.LAYER_KEYS if k != "incidents"
                               and (layers is None or k in layers))]
    geo = {key: {"features": mapview.STATIC_BUILDERS[key](drawn), "pane": mapview.LAYER_PANE[key],
                 "state": key in STATE_LAYERS} for key in wanted}
    wars = frames["conflicts"].sort_values("date_start")
    return {
        "kind": "config", "title": title, "attribution": ATTRIBUTION, "brush": brush,
        "first": first.isoformat(), "last": last.isoformat(),
        "layers": geo, "layerLabels": mapview.LAYER_KEYS,
        "defaultLayers": list(mapview.DEFAULT_LAYERS), "defaultBasemap": "none",
        "basemaps": {key: {"label": label, "url": provider.build_url() if provider is not None else None,
                           "attribution": provider.html_attribution if provider is not None else "",
                           "maxZoom": int(provider.get("max_zoom", 18)) if provider is not None else 18}
                     for key, (label, provider) in mapview.BASEMAPS.items()}
        | ({"custom": dict(tiles)} if tiles else {}),
        "types": list(EVENT_TYPES), "colors": mapview.EVENT_COLORS,
        "styles": {"status": mapview.STATUS_STYLE, "line2017": mapview.VINTAGE_2017_STYLE,
                   "difference": mapview.DIFFERENCE_STYLE, "owner": mapview.OWNER_FILL,
                   "crossing": mapview.CROSSING_STYLE, "statusLabels": dict(mapview.BORDER_STATUS_LABELS)},
        "typeLabels": {t: points.EVENT_TYPE_LABELS.get(t, t) for t in EVENT_TYPES},
        "presets": [{"key": p.key, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(),
                     "short": SHORT_NAMES.get(p.key, _short_war(p.label, p.start))}
                    for p in presets(frames["conflicts"], first, last)],
        "wars": [{"name": w["name"], "short": _short_war(w["name"], w["date_start"].date()),
                  "start": _iso(w["date_start"]), "end": _iso(w["date_end"])} for _, w in wars.iterrows()],
        "marks": [{"date": _iso(e["date_start"]), "kind": e["kind"], "title": e["title"]}
                  for _, e in frames["timeline_events"].sort_values("date_start").iterrows()],
    }


def _short_war(label: str, start: dt.date) -> str:
    return f"{start:%b %Y} war" if "war" in label.lower() else label


def config_packet(frames: Mapping[str, pd.DataFrame], first: dt.date, last: dt.date, **kwargs: Any) -> bytes:
    return packet.pack(config(frames, first, last, **kwargs), {}, level=6)


def incident_packets(frames: Mapping[str, pd.DataFrame], imported: Sequence[Any] = ()) -> list[bytes]:
    """The built-in incidents, then each import (an ``ImportResult`` or a frame), as packets."""
    out = [points.encode(frames["incidents"], origin="builtin")]
    for item in imported:
        if isinstance(item, pd.DataFrame):
            datasets = item["dataset"].dropna().unique() if "dataset" in item else []
            dataset, file = (str(datasets[0]) if len(datasets) == 1 else None), None
            frame = item
        else:
            frame, dataset, file = item.frame, item.dataset, item.file
        out.append(points.encode(frame, origin="imported", dataset=dataset, file=file))
    return out


def _options(config_blob: bytes | None, packets: Sequence[bytes], state: Mapping[str, Any]) -> str:
    """The engine's options: the state as base64 JSON, then the config and each packet in base64, joined by
    dots. Each packet is base64 once (not again inside a base64 JSON: that cost a map a third of its data)."""
    parts = [packet.to_base64(json.dumps({"state": dict(state)}, ensure_ascii=False).encode("utf-8"))]
    if config_blob is not None:
        parts += [packet.to_base64(config_blob), *(packet.to_base64(p) for p in packets)]
    return ".".join(parts)


OPTIONS = re.compile(r"^[A-Za-z0-9+/]*={0,2}(\.[A-Za-z0-9+/]*={0,2})*$")  # base64 parts, dot-separated


def decode_options(options: str) -> dict[str, Any]:
    """The options as :func:`_options` wrote them: {"state": ..., "config": bytes, "packets": [bytes]}."""
    head, *rest = options.split(".")
    out = json.loads(base64.b64decode(head))
    if rest:
        out["config"], out["packets"] = base64.b64decode(rest[0]), [base64.b64decode(p) for p in rest[1:]]
    return out


class Engine(JSCSSMixin, MacroElement):
    """Loads the engine's scripts and attaches it to the map. Its template sees only base64 text."""

    _template = Template("""
{% macro script(this, kwargs) %}
bvx.attach({{ this._parent.get_name() }}, "{{ this.options }}");
{% endmacro %}
""")
    default_js = [(f"bv_{name}", name) for name in ENGINE_JS]
    default_css = [(f"bv_{name}", name) for name in ENGINE_CSS]

    def __init__(self, config_blob: bytes | None = None, packets: Sequence[bytes] = (),
                 state: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._name = "BorderVizEngine"
        self.options = _options(config_blob, packets, state or {})
        if not OPTIONS.match(self.options):  # the guarantee this class exists for
            raise ValueError("engine options must be base64 (parts joined by dots)")


def base_map(*, engine: Engine | None = None, width: str | int = "100%", height: str | int = "100%",
             m: folium.Map | None = None) -> folium.Map:
    """The frame folium builds: Leaflet map, panes, controls, and the engine element. No data.

    Given ``m`` (a folium map of the caller's), only the engine is added to it (its own scripts local, to be
    inlined); its tiles, layers, controls and view are left as they are."""
    from borderviz.maps.assets import localise

    if m is not None:
        element = engine or Engine()
        element.add_to(m)
        localise(element)
        return m
    m = folium.Map(location=mapview.CENTER, zoom_start=mapview.ZOOM, tiles=None, min_zoom=6, max_zoom=18,
                   control_scale=False, width=width, height=height)
    mapview.ScaleBar().add_to(m)
    mapview.FocusWithoutScrolling().add_to(m)
    plugins.Fullscreen(position="topright").add_to(m)
    plugins.MeasureControl(position="topright", primary_length_unit="kilometers",
                           secondary_length_unit="meters", primary_area_unit="sqkilometers",
                           secondary_area_unit="hectares").add_to(m)
    (engine or Engine()).add_to(m)
    mapview.stable_ids(m)
    return localise(m)


def build_map(frames: Mapping[str, pd.DataFrame], state: MapState | None = None, imported: Sequence[Any] = (),
              *, layers: Sequence[str] | None = None, first: dt.date | None = None,
              last: dt.date | None = None, title: str = TITLE, include_builtin: bool = True,
              tiles: Mapping[str, Any] | None = None, width: str | int = "100%", height: str | int = "100%",
              m: folium.Map | None = None) -> folium.Map:
    """A self-contained map of ``frames`` (and imports) opening on ``state``: for files and notebooks.

    The brush, Play, popups and the day's border state all work from the
    file, with no server; assets are inlined by :func:`borderviz.maps.assets.inline`.
    """
    state = state or MapState.default()
    first = first or RECORD_START
    last = last or max(dt.date.today(), state.end)
    blob = config_packet(frames, first, last, layers=layers, title=title, tiles=tiles)
    packets = incident_packets(frames, imported)
    if not include_builtin:
        packets = packets[1:]
    return base_map(engine=Engine(blob, packets, state.for_browser()), width=width, height=height, m=m)


def html_document(m: folium.Map) -> str:
    """The map as one HTML file that needs no server and no network (tiles aside)."""
    from borderviz.maps.assets import inline

    return inline(m.get_root().render())


def frame_parts(m: folium.Map) -> dict[str, str]:
    """The map's body HTML and script, for a host page that already loaded the assets (the component)."""
    root = m.get_root()
    root.render()
    return {"html": root.html.render(), "script": root.script.render(), "id": m.get_name()}


__all__ = ["MapState", "Engine", "base_map", "build_map", "config", "config_packet", "incident_packets",
           "html_document", "frame_parts"]
