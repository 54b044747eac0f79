"""The map's layers and styles: GeoDataFrames to GeoJSON features the engine draws. No Streamlit here.

Every layer but the incidents becomes a FeatureCollection whose features
carry their own style, marker icon and popup/tooltip HTML (built and
escaped by :mod:`borderviz.maps.popups`). States (the line's status, enclaves,
crossings) carry every interval with its dates ("from"/"to"), and the
browser shows those holding on the chosen day (``web/layers.js``).
Incidents are not features: they travel as columns (:mod:`borderviz.maps.points`).
These collections reach the browser inside a packet (:mod:`borderviz.maps.engine`),
never through a folium template.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import shapely
import xyzservices.providers as xyz
from branca.element import MacroElement
from jinja2 import Template

from borderviz.maps import popups
from borderviz.model.schema import BORDER_STATUS_LABELS, EVENT_TYPES
from borderviz.model.timeline import as_of

CENTER = (39.97, 70.30)  # Batken–Isfara–Leilek
ZOOM = 9

STATUS_STYLE = {
    "agreed": {"color": "#1a1a1a", "weight": 4, "dashArray": None, "opacity": 0.9},
    "disputed": {"color": "#d7191c", "weight": 6, "dashArray": "12 7", "opacity": 0.95},
    "not_documented": {"color": "#6b6b6b", "weight": 3, "dashArray": "2 7", "opacity": 0.9},
}
VINTAGE_2017_STYLE = {"color": "#7b3294", "weight": 2, "dashArray": "6 4", "opacity": 0.85}
DIFFERENCE_STYLE = {"color": "#7b3294", "weight": 1, "fillColor": "#c2a5cf", "fillOpacity": 0.55}
OWNER_FILL = {"TJ": "#4393c3", "UZ": "#5aae61", "KG": "#d6604d"}
COUNTRY_BACKGROUND = {"KG": "#fbe5d9", "TJ": "#dcebf7", "UZ": "#e6f2dc"}
EVENT_COLORS = dict(zip(EVENT_TYPES, (
    "#d62728", "#ff7f0e", "#bcbd22", "#8c564b", "#9467bd", "#e377c2",
    "#7f7f7f", "#17becf", "#393b79", "#2ca02c", "#1f77b4", "#8c6d31",
), strict=True))
CROSSING_STYLE = {"open": ("#1a9850", "✓"), "closed": ("#d73027", "✕"), "restricted": ("#f39c12", "!")}
# Lines and polygons are sent to the browser rounded to 1e-5° (about 1 m): far
# fewer bytes, invisible at any zoom the map offers.
DISPLAY_GRID_DEG = 1e-5
# Each kind of layer has its own pane (created by web/engine.js), so what lies on top
# of what does not depend on the order layers reach the browser: country fills under
# the tiles, then areas, lines, crossings, incident circles; labels above all.
BACKGROUND_PANE = "bv-background"
LAYER_PANE = {"background": BACKGROUND_PANE, "differences": "bv-areas", "enclaves": "bv-areas",
              "status": "bv-lines", "line2017": "bv-lines", "infrastructure": "bv-lines",
              "crossings": "bv-crossings", "incidents": "bv-points", "imported": "bv-points"}

BASEMAPS = {
    "streets": ("Streets (OpenStreetMap)", xyz.OpenStreetMap.Mapnik),
    "satellite": ("Satellite (Esri World Imagery)", xyz.Esri.WorldImagery),
    "terrain": ("Terrain (OpenTopoMap)", xyz.OpenTopoMap),
    "none": ("No tiles (works offline)", None),
}

LAYER_KEYS = {
    "status": "Border status (2024 line)",
    "line2017": "2017 version of the line",
    "differences": "Where the 2017 and 2024 versions disagree",
    "enclaves": "Enclaves",
    "crossings": "Crossing points",
    "infrastructure": "Contested infrastructure",
    "incidents": "Incidents",
}
DEFAULT_LAYERS = ("status", "differences", "enclaves", "crossings", "infrastructure", "incidents")
# Which map layer draws each data layer (for a map of an export's layers).
MAP_LAYER_OF = {"incidents": "incidents", "border_status": "status", "enclaves": "enclaves",
                "crossings": "crossings", "infrastructure": "infrastructure",
                "vintage_differences": "differences", "border_lines": "line2017"}


# --- features: what the renderer draws ------------------------------------------------------


def feature(geom, *, style: Mapping[str, Any] | None = None, popup: str | None = None,
            tooltip: str | None = None, icon: Mapping[str, Any] | None = None,
            interactive: bool = True, holds: tuple[Any, Any] | None = None) -> dict[str, Any]:
    """One GeoJSON feature for the renderer. ``popup``/``tooltip`` must come from :mod:`popups`.

    ``holds`` = (start, end) dates of a state (null = open): the renderer then
    draws it only on days start ≤ day < end, so one file serves every day.
    """
    display = shapely.set_precision(geom, DISPLAY_GRID_DEG, mode="pointwise")
    props: dict[str, Any] = {}
    if holds is not None:
        props["from"], props["to"] = (None if pd.isna(d) else f"{pd.Timestamp(d):%Y-%m-%d}" for d in holds)
    if style:
        props["style"] = {k: v for k, v in style.items() if v is not None}
    if icon:
        props["icon"] = dict(icon)
    if popup:
        props["popup"] = popup
    if tooltip:
        props["tooltip"] = tooltip
    if not interactive:
        props["interactive"] = False
    return {"type": "Feature", "geometry": shapely.geometry.mapping(display), "properties": props}


def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def to_json(value: Any) -> str:
    """Compact JSON safe inside a <script> element: '<', '>' and '&' become \\u escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def label_icon(text: str, color: str = "#222", width: int = 120, anchor: tuple[int, int] = (-6, 8)) -> dict:
    return {"html": popups.label_html(text, color), "className": "bv-label", "iconSize": [width, 16],
            "iconAnchor": list(anchor)}


def background_features(countries: pd.DataFrame) -> list[dict]:
    """The countries as pale fills with their names: a map that reads with no tiles at all."""
    out = []
    current = countries[countries["vintage"] == countries["vintage"].max()]
    for _, row in current.iterrows():
        out.append(feature(row.geometry, style={"color": "#9aa4ab", "weight": 0.6, "fillOpacity": 1,
                                               "fillColor": COUNTRY_BACKGROUND[row["country"]],
                                               "className": "bv-country", "interactive": False}))
    view = shapely.box(CENTER[1] - 1.2, CENTER[0] - 0.45, CENTER[1] + 1.2, CENTER[0] + 0.45)
    for _, row in current.iterrows():
        inside = row.geometry.intersection(view)
        if inside.is_empty:
            continue
        point = max(shapely.get_parts(inside), key=lambda g: g.area).representative_point()
        out.append(feature(point, icon=label_icon(row["name_en"].upper(), "#7d8790", 110, (55, 8)),
                           interactive=False))
    return out


def difference_features(differences: pd.DataFrame) -> list[dict]:
    return [feature(row.geometry, style={**DIFFERENCE_STYLE, "className": "bv-difference"},
                    popup=popups.difference_popup(row),
                    tooltip=popups.escape(f"Versions disagree: {row['area_km2']} km²"))
            for _, row in differences.iterrows()]


def line2017_features(border_lines: pd.DataFrame) -> list[dict]:
    return [feature(row.geometry, style={**VINTAGE_2017_STYLE, "className": "bv-line2017"},
                    tooltip=popups.escape(f"2017 OSM version: {row['id']} ({row['length_km']} km)"))
            for _, row in border_lines[border_lines["vintage"] == 2017].iterrows()]


def infrastructure_features(infrastructure: pd.DataFrame) -> list[dict]:
    out = []
    for _, row in infrastructure.iterrows():
        common = {"popup": popups.infrastructure_popup(row), "tooltip": popups.escape(row["name"])}
        if row.geometry.geom_type == "Point":
            icon = {"html": '<span style="display:block;width:11px;height:11px;background:#6a3d9a;'
                            'transform:rotate(45deg);border:1px solid #fff;box-shadow:0 0 2px #000"></span>',
                    "className": "bv-infrastructure", "iconSize": [13, 13], "iconAnchor": [6, 6]}
            out.append(feature(row.geometry, icon=icon, **common))
        else:
            out.append(feature(row.geometry, style={"color": "#6a3d9a", "weight": 3, "dashArray": "1 6",
                                                    "opacity": 0.9, "className": "bv-infrastructure"}, **common))
    return out


def _on(frame: pd.DataFrame, day: pd.Timestamp | None, layer: str) -> pd.DataFrame:
    """Rows holding on ``day``, or every row (each with its dates) when ``day`` is None."""
    return frame if day is None else as_of(frame, day, layer)


def status_features(border_status: pd.DataFrame, day: pd.Timestamp | None) -> list[dict]:
    """The line's sectors with their status on ``day`` (None: every interval, dated)."""
    return [feature(row.geometry, style={**STATUS_STYLE[row["status"]],
                                         "className": f"bv-status bv-status-{row['status']}"},
                    popup=popups.status_popup(row), holds=(row["date_start"], row["date_end"]),
                    tooltip=popups.escape(f"{row['name']}: {BORDER_STATUS_LABELS[row['status']]}"))
            for _, row in _on(border_status, day, "border_status").sort_values(["status", "id"]).iterrows()]


def enclave_features(enclaves: pd.DataFrame, day: pd.Timestamp | None) -> list[dict]:
    """Enclaves that exist on ``day`` (None: all, dated), from the 2024 vintage or 2017 where 2024 lacks one."""
    current = _on(enclaves, day, "enclaves").sort_values("vintage").drop_duplicates("enclave", keep="last")
    out = []
    for _, row in current.sort_values("enclave").iterrows():
        fill = OWNER_FILL[row["owner"]]
        when = (row["valid_from"], row["valid_to"])
        out.append(feature(row.geometry, style={"color": fill, "weight": 1.5, "fillColor": fill,
                                                "fillOpacity": 0.35, "className": "bv-enclave"},
                           popup=popups.enclave_popup(row), holds=when,
                           tooltip=popups.escape(f"{row['name_en']} ({row['owner']} in {row['host']})")))
        out.append(feature(row.geometry.representative_point(), icon=label_icon(row["name_en"]),
                           interactive=False, holds=when))
    return out


def crossing_features(crossings: pd.DataFrame, day: pd.Timestamp | None) -> list[dict]:
    """Crossing points with their status on ``day`` (None: every interval, dated)."""
    out = []
    for _, row in _on(crossings, day, "crossings").sort_values("id").iterrows():
        color, symbol = CROSSING_STYLE[row["status"]]
        icon = {"html": f'<span class="bv-sq" style="background:{color};display:block;width:15px;height:15px;'
                        f'color:#fff;font:bold 11px/15px sans-serif;text-align:center;border:1px solid #fff;'
                        f'box-shadow:0 0 2px #000">{symbol}</span>',
                "className": "bv-crossing", "iconSize": [17, 17], "iconAnchor": [19, 19]}
        out.append(feature(row.geometry, icon=icon, popup=popups.crossing_popup(row),
                           holds=(row["date_start"], row["date_end"]),
                           tooltip=popups.escape(f"{row['name']}: {row['status']}")))
    return out


# --- folium elements --------------------------------------------------------------------------


class ScaleBar(MacroElement):
    """A metric scale bar (folium's own shows miles too and takes no options)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.control.scale({imperial: false, maxWidth: 160, position: "bottomright"}).addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class FocusWithoutScrolling(MacroElement):
    """Keep the page still when the map is clicked.

    Leaflet's keyboard handler focuses the map on mousedown; when the map is
    partly below the fold the browser then scrolls it into view between
    mousedown and mouseup, and the click (on an incident, say) is lost. This
    focuses with preventScroll instead, keeping keyboard panning.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function (kb) {
  kb.disable();
  kb._onMouseDown = function () {
    if (this._focused) { return; }
    this._map._container.focus({preventScroll: true});
  };
  kb.enable();
})({{ this._parent.get_name() }}.keyboard);
{% endmacro %}
""")


STATIC_BUILDERS = {
    "background": lambda f: background_features(f["countries"]),
    "differences": lambda f: difference_features(f["vintage_differences"]),
    "line2017": lambda f: line2017_features(f["border_lines"]),
    "infrastructure": lambda f: infrastructure_features(f["infrastructure"]),
    # States: every interval, dated; the browser shows those holding on the chosen day.
    "status": lambda f: status_features(f["border_status"], None),
    "enclaves": lambda f: enclave_features(f["enclaves"], None),
    "crossings": lambda f: crossing_features(f["crossings"], None),
}


def stable_ids(element, prefix: str = "bv") -> None:
    """Name every element in the tree by its position instead of folium's random ids.

    The same map then always produces the same script, which is what keeps
    streamlit-folium from remounting it (and makes the output testable).
    """
    counter = iter(range(10**9))

    def rename(el) -> None:
        el._id = f"{prefix}{next(counter):05d}"
        for container in (el, *(getattr(el, a, None) for a in ("html", "header", "script"))):
            children = getattr(container, "_children", None)
            if not children or (container is not el and getattr(container, "_parent", None) is not el):
                continue
            for child in children.values():
                rename(child)
            container._children = {child.get_name(): child for child in children.values()}

    rename(element)


def display_countries(countries: pd.DataFrame, tolerance_deg: float = 0.001) -> pd.DataFrame:
    """The 2024 countries simplified for drawing as a background (about 100 m).

    Simplified together as a coverage, so neighbours keep one shared edge (no
    gaps or overlaps). For display only: measures and checks use the full layer.
    """
    current = countries[countries["vintage"] == 2024].copy()
    current["geometry"] = shapely.coverage_simplify(list(current.geometry), tolerance_deg)
    return current
