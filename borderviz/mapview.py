"""GeoDataFrames to a folium map. No Streamlit here.

The map is split in two so that changing dates or filters never remounts it:

- :func:`base_map` holds what no date or filter changes: the frame, controls
  (measure, full screen, scale), the legend, and the layers that do not change
  over time (where the two vintages disagree, the 2017 line, infrastructure).
  Its script is the same for the same layer choice, so streamlit-folium keeps
  the iframe, the zoom and the position; only switching one of those layers
  on or off rebuilds it.
- :func:`overlay_groups` builds what depends on the dates and filters (the
  basemap, the line's status on the chosen day, enclaves, crossings, the
  selected incidents) as feature groups that streamlit-folium swaps in place,
  so each change sends only these.

:func:`standalone_map` joins both into one map for the HTML export.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import folium
import pandas as pd
import shapely
import xyzservices.providers as xyz
from branca.element import MacroElement
from folium import plugins
from jinja2 import Template

from . import popups
from .assets import localise
from .schema import EVENT_TYPE_LABELS, EVENT_TYPES
from .timeline import as_of

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
ROUGH_PRECISIONS = ("district", "approximate")
# Lines and polygons are sent to the browser rounded to 1e-5° (about 1 m): a
# third of the bytes, invisible at any zoom the map offers.
DISPLAY_GRID_DEG = 1e-5
# Country fills drawn when there are no tiles sit in their own pane, under
# every data layer whichever order the layers reach the browser in.
BACKGROUND_PANE = "bv-background"

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


@dataclass(frozen=True)
class View:
    """What the map shows: the day whose state is drawn, the incidents, layers and basemap."""

    day: pd.Timestamp
    incidents: pd.DataFrame
    layers: frozenset[str] = field(default_factory=lambda: frozenset(DEFAULT_LAYERS))
    basemap: str = "streets"


# --- the fixed part ---------------------------------------------------------------


class Legend(MacroElement):
    """The always-visible legend. Static HTML: it holds no data, so nothing to escape."""

    _template = Template("""
{% macro html(this, kwargs) %}{{ this.body }}{% endmacro %}
""")

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = legend_html()


def _line_swatch(style: Mapping[str, object]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (f'<svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" stroke="{style["color"]}" '
            f'stroke-width="{min(int(style["weight"]), 5)}"{dash}/></svg>')


def legend_html() -> str:
    status = "".join(
        f"<div>{_line_swatch(STATUS_STYLE[k])} {label}</div>"
        for k, label in (("agreed", "agreed"), ("disputed", "disputed sector (indicative)"),
                         ("not_documented", "status not published"))
    )
    types = "".join(
        f'<span><span class="bv-dot" style="background:{EVENT_COLORS[t]}"></span>{EVENT_TYPE_LABELS[t]}</span>'
        for t in EVENT_TYPES
    )
    crossings = "".join(
        f'<span class="bv-sq" style="background:{c}">{s}</span>{k} ' for k, (c, s) in CROSSING_STYLE.items()
    )
    return f"""
<div id="bv-legend" class="bv-legend"><details open><summary>Legend</summary>
<b>Border on the chosen day</b>{status}
<div>{_line_swatch(VINTAGE_2017_STYLE)} 2017 version of the line</div>
<div><span class="bv-box" style="background:{DIFFERENCE_STYLE['fillColor']}"></span>versions disagree</div>
<div><span class="bv-box" style="background:{OWNER_FILL['TJ']}"></span>Tajik
 <span class="bv-box" style="background:{OWNER_FILL['UZ']}"></span>Uzbek
 <span class="bv-box" style="background:{OWNER_FILL['KG']}"></span>Kyrgyz enclave</div>
<b>Incidents</b><details><summary>colour: type of event</summary><div class="bv-grid">{types}</div></details>
<div><span class="bv-dot" style="background:#555"></span>placed at a village or exactly ·
<span class="bv-dot bv-rough"></span>approximate or district only</div>
<div>larger circle: more killed · black ring: your imported incidents</div>
<b>Crossings</b><div>{crossings}</div>
<div><span class="bv-diamond"></span>contested infrastructure</div>
</details></div>
<style>
.bv-legend{{position:absolute;z-index:1000;left:10px;bottom:10px;background:rgba(255,255,255,.93);
 padding:5px 8px;border-radius:5px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:11px/1.4 system-ui,sans-serif;
 max-height:calc(100% - 60px);max-width:330px;overflow:auto}}
.bv-grid{{display:grid;grid-template-columns:1fr 1fr;column-gap:8px}}
.bv-legend summary{{font-weight:600;cursor:pointer}}
.bv-legend b{{display:block;margin-top:4px}}
.bv-dot{{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;vertical-align:middle}}
.bv-rough{{background:transparent;border:2px dashed #555;width:7px;height:7px}}
.bv-box{{display:inline-block;width:14px;height:10px;margin:0 4px 0 2px;vertical-align:middle;opacity:.8}}
.bv-sq{{display:inline-block;width:13px;height:13px;color:#fff;font:bold 10px/13px sans-serif;
 text-align:center;margin:0 3px 0 2px;border:1px solid #fff}}
.bv-diamond{{display:inline-block;width:9px;height:9px;background:#6a3d9a;transform:rotate(45deg);
 margin:0 6px 0 3px}}
.leaflet-container{{background:#eef2f4}}
{popups.POPUP_CSS}
.leaflet-marker-icon.bv-count-icon,.leaflet-marker-icon.bv-label{{pointer-events:none}}
.bv-count{{display:inline-block;background:#222;color:#fff;border-radius:7px;padding:0 4px;
 font:bold 10px/14px system-ui,sans-serif;pointer-events:none}}
</style>"""


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


STATIC_LAYERS = ("differences", "line2017", "infrastructure")


def base_map(frames: Mapping[str, pd.DataFrame] | None = None,
             layers: frozenset[str] | tuple[str, ...] = ()) -> folium.Map:
    """The map frame: view, controls, scale bar, legend, and the chosen layers that never change."""
    m = folium.Map(location=CENTER, zoom_start=ZOOM, tiles=None, min_zoom=6, max_zoom=18)
    folium.map.CustomPane(BACKGROUND_PANE, z_index=250, pointer_events=False).add_to(m)
    ScaleBar().add_to(m)
    FocusWithoutScrolling().add_to(m)
    if frames is not None:
        static = {
            "differences": lambda: differences_group(frames["vintage_differences"]),
            "line2017": lambda: line2017_group(frames["border_lines"]),
            "infrastructure": lambda: infrastructure_group(frames["infrastructure"]),
        }
        for key in STATIC_LAYERS:
            if key in layers:
                static[key]().add_to(m)
    stable_ids(m)
    plugins.Fullscreen(position="topright").add_to(m)
    plugins.MeasureControl(position="topright", primary_length_unit="kilometers",
                           secondary_length_unit="meters", primary_area_unit="sqkilometers",
                           secondary_area_unit="hectares").add_to(m)
    Legend().add_to(m)
    return localise(m)


# --- the parts that follow the view --------------------------------------------------


def stable_ids(element, prefix: str = "bv") -> None:
    """Name every element in the tree by its position instead of folium's random ids.

    The same map then always produces the same script, which is what keeps
    streamlit-folium from remounting it (and makes the output testable).
    """
    counter = iter(range(10**9))

    def rename(el) -> None:
        el._id = f"{prefix}{next(counter):05d}"
        # Popups keep their content in side containers (html, header, script),
        # keyed by the name each child had when it was added.
        for container in (el, *(getattr(el, a, None) for a in ("html", "header", "script"))):
            children = getattr(container, "_children", None)
            if not children or (container is not el and getattr(container, "_parent", None) is not el):
                continue
            for child in children.values():
                rename(child)
            container._children = {child.get_name(): child for child in children.values()}

    rename(element)


def _geojson(geom, style: Mapping[str, object], popup_html: str | None = None,
             tooltip: str | None = None, class_name: str | None = None,
             pane: str | None = None) -> folium.GeoJson:
    style = {k: v for k, v in style.items() if v is not None}
    if class_name:
        style["className"] = class_name
    display = shapely.set_precision(geom, DISPLAY_GRID_DEG, mode="pointwise")
    layer = folium.GeoJson(shapely.geometry.mapping(display), style_function=lambda _f, s=style: s,
                           tooltip=folium.Tooltip(tooltip) if tooltip else None,
                           **({"pane": pane} if pane else {}))
    if popup_html:
        folium.Popup(popup_html, max_width=420).add_to(layer)
    return layer


def display_countries(countries: pd.DataFrame, tolerance_deg: float = 0.001) -> pd.DataFrame:
    """The 2024 countries simplified for drawing as a background (about 100 m).

    Simplified together as a coverage, so neighbours keep one shared edge (no
    gaps or overlaps), and rounded to 1e-5° (about 1 m). For display only:
    measures and checks use the full layer.
    """
    current = countries[countries["vintage"] == 2024].copy()
    simplified = shapely.coverage_simplify(list(current.geometry), tolerance_deg)
    current["geometry"] = shapely.set_precision(simplified, 1e-5)
    return current


def basemap_group(countries: pd.DataFrame, basemap: str) -> folium.FeatureGroup:
    """Tiles for the chosen basemap, or, with no tiles, the countries drawn as pale fills."""
    group = folium.FeatureGroup(name="basemap")
    label, provider = BASEMAPS.get(basemap, BASEMAPS["streets"])
    if provider is not None:
        folium.TileLayer(tiles=provider.build_url(), attr=provider.html_attribution, name=label,
                         max_zoom=provider.get("max_zoom", 18)).add_to(group)
        return group
    for _, row in countries[countries["vintage"] == countries["vintage"].max()].iterrows():
        _geojson(row.geometry, {"color": "#9aa4ab", "weight": 0.6,
                                "fillColor": COUNTRY_BACKGROUND[row["country"]], "fillOpacity": 1},
                 class_name="bv-country", pane=BACKGROUND_PANE).add_to(group)
    view = shapely.box(CENTER[1] - 1.2, CENTER[0] - 0.45, CENTER[1] + 1.2, CENTER[0] + 0.45)
    for _, row in countries[countries["vintage"] == countries["vintage"].max()].iterrows():
        inside = row.geometry.intersection(view)
        if inside.is_empty:
            continue
        largest = max(shapely.get_parts(inside), key=lambda g: g.area)
        point = largest.representative_point()
        folium.Marker((point.y, point.x), icon=folium.DivIcon(
            html=popups.label_html(row["name_en"].upper(), "#7d8790"), icon_size=(110, 16),
            icon_anchor=(55, 8), class_name="bv-label")).add_to(group)
    return group


def status_group(border_status: pd.DataFrame, day: pd.Timestamp) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="status")
    for _, row in as_of(border_status, day, "border_status").sort_values("status").iterrows():
        _geojson(row.geometry, STATUS_STYLE[row["status"]], popups.status_popup(row),
                 tooltip=popups.escape(f"{row['name']}: {row['status'].replace('_', ' ')}"),
                 class_name=f"bv-status bv-status-{row['status']}").add_to(group)
    return group


def line2017_group(border_lines: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="line2017")
    for _, row in border_lines[border_lines["vintage"] == 2017].iterrows():
        _geojson(row.geometry, VINTAGE_2017_STYLE,
                 tooltip=popups.escape(f"2017 OSM version: {row['id']} ({row['length_km']} km)"),
                 class_name="bv-line2017").add_to(group)
    return group


def differences_group(differences: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="differences")
    for _, row in differences.iterrows():
        _geojson(row.geometry, DIFFERENCE_STYLE, popups.difference_popup(row),
                 tooltip=popups.escape(f"Versions disagree: {row['area_km2']} km²"),
                 class_name="bv-difference").add_to(group)
    return group


def enclaves_group(enclaves: pd.DataFrame, day: pd.Timestamp) -> folium.FeatureGroup:
    """Enclaves that exist on ``day``, drawn from the 2024 vintage (2017 where 2024 lacks one)."""
    group = folium.FeatureGroup(name="enclaves")
    current = as_of(enclaves, day, "enclaves").sort_values("vintage")
    current = current.drop_duplicates("enclave", keep="last")
    for _, row in current.iterrows():
        style = {"color": OWNER_FILL[row["owner"]], "weight": 1.5, "fillColor": OWNER_FILL[row["owner"]],
                 "fillOpacity": 0.35}
        _geojson(row.geometry, style, popups.enclave_popup(row),
                 tooltip=popups.escape(f"{row['name_en']} ({row['owner']} in {row['host']})"),
                 class_name="bv-enclave").add_to(group)
        point = row.geometry.representative_point()
        folium.Marker((point.y, point.x), icon=folium.DivIcon(
            html=popups.label_html(row["name_en"]), icon_size=(120, 16), icon_anchor=(-6, 8),
            class_name="bv-label")).add_to(group)
    return group


def crossings_group(crossings: pd.DataFrame, day: pd.Timestamp) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="crossings")
    for _, row in as_of(crossings, day, "crossings").iterrows():
        color, symbol = CROSSING_STYLE[row["status"]]
        icon = folium.DivIcon(
            html=f'<span class="bv-sq" style="background:{color};display:block;width:15px;height:15px;'
                 f'color:#fff;font:bold 11px/15px sans-serif;text-align:center;border:1px solid #fff;'
                 f'box-shadow:0 0 2px #000">{symbol}</span>',
            icon_size=(17, 17), icon_anchor=(8, 8), class_name="bv-crossing")
        folium.Marker((row.geometry.y, row.geometry.x), icon=icon,
                      tooltip=folium.Tooltip(popups.escape(f"{row['name']}: {row['status']}")),
                      popup=folium.Popup(popups.crossing_popup(row), max_width=420)).add_to(group)
    return group


def infrastructure_group(infrastructure: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="infrastructure")
    for _, row in infrastructure.iterrows():
        tooltip = popups.escape(row["name"])
        html = popups.infrastructure_popup(row)
        if row.geometry.geom_type == "Point":
            icon = folium.DivIcon(
                html='<span style="display:block;width:11px;height:11px;background:#6a3d9a;'
                     'transform:rotate(45deg);border:1px solid #fff;box-shadow:0 0 2px #000"></span>',
                icon_size=(13, 13), icon_anchor=(6, 6), class_name="bv-infrastructure")
            folium.Marker((row.geometry.y, row.geometry.x), icon=icon, tooltip=folium.Tooltip(tooltip),
                          popup=folium.Popup(html, max_width=420)).add_to(group)
        else:
            _geojson(row.geometry, {"color": "#6a3d9a", "weight": 3, "dashArray": "1 6", "opacity": 0.9},
                     html, tooltip=tooltip, class_name="bv-infrastructure").add_to(group)
    return group


def marker_radius(killed: object) -> float:
    """Circle radius in pixels: area grows with the number killed, capped for readability."""
    n = 0 if killed is None or pd.isna(killed) else int(killed)
    return round(min(5 + 2.4 * math.sqrt(n), 20), 1)


def incidents_group(incidents: pd.DataFrame) -> folium.FeatureGroup:
    """One circle per place: colour by type, size by killed, hollow and dashed if approximate.

    Incidents placed at the same point (the same village, say) share one
    circle with a count, and its popup lists each of them by date, so none
    hides under another. The circle takes the style of the deadliest (then
    latest) incident there. Circles are Leaflet paths with the class
    ``bv-incident`` so a test can count them.
    """
    group = folium.FeatureGroup(name="incidents")
    if incidents.empty:
        return group
    places = incidents.assign(_x=incidents.geometry.x.round(6), _y=incidents.geometry.y.round(6))
    for (_x, _y), here in places.groupby(["_x", "_y"], sort=True):
        here = here.sort_values(["date_start", "id"])
        lead = here.assign(_k=here["killed_total"].fillna(0)).sort_values(["_k", "date_start"]).iloc[-1]
        color = EVENT_COLORS[lead["event_type"]]
        rough = lead["location_precision"] in ROUGH_PRECISIONS
        killed = here["killed_total"].dropna()
        location = (lead.geometry.y, lead.geometry.x)
        folium.CircleMarker(
            location=location,
            radius=marker_radius(killed.sum() if len(killed) else None),
            color="#ffffff" if not rough else color,
            weight=1 if not rough else 2.5,
            dash_array="3 3" if rough else None,
            fill=True, fill_color=color, fill_opacity=0.85 if not rough else 0.25,
            class_name=f"bv-incident bv-type-{lead['event_type']}",
            popup=folium.Popup(popups.incidents_popup([r for _, r in here.iterrows()]), max_width=440),
            tooltip=folium.Tooltip(popups.incidents_tooltip([r for _, r in here.iterrows()])),
        ).add_to(group)
        if len(here) > 1:
            folium.Marker(location, icon=folium.DivIcon(
                html=f'<span class="bv-count">{len(here)}</span>', icon_size=(18, 14), icon_anchor=(-4, 16),
                class_name="bv-count-icon")).add_to(group)
    return group


def empty_group(name: str) -> folium.FeatureGroup:
    """A placeholder group, so the list of groups keeps its shape when a layer is off."""
    return folium.FeatureGroup(name=name)


def imported_group(imported: pd.DataFrame) -> folium.FeatureGroup:
    """The user's imported incidents: black-ringed circles, so they never pass for built-in ones."""
    group = folium.FeatureGroup(name="imported")
    for _, row in imported.sort_values(["date_start", "id"]).iterrows():
        color = EVENT_COLORS.get(row["event_type"], "#555555")
        folium.CircleMarker(
            location=(row.geometry.y, row.geometry.x), radius=marker_radius(row["killed_total"]),
            color="#000000", weight=2, fill=True, fill_color=color, fill_opacity=0.6,
            class_name="bv-imported",
            popup=folium.Popup(popups.imported_popup(row), max_width=420),
            tooltip=folium.Tooltip(popups.escape(f"Imported ({row['dataset']}): {row['place_reported'] or ''}")),
        ).add_to(group)
    return group


def overlay_groups(frames: Mapping[str, pd.DataFrame], view: View) -> list[folium.FeatureGroup]:
    """The date- and filter-dependent groups for ``view``, bottom to top; always the same list.

    Layers switched off are empty groups, so the structure the browser sees
    stays the same and nothing remounts.
    """
    layers = view.layers
    builders = [
        ("basemap", lambda: basemap_group(frames["countries"], view.basemap)),
        ("enclaves", lambda: enclaves_group(frames["enclaves"], view.day)),
        ("status", lambda: status_group(frames["border_status"], view.day)),
        ("crossings", lambda: crossings_group(frames["crossings"], view.day)),
        ("incidents", lambda: incidents_group(view.incidents)),
    ]
    groups = [build() if key == "basemap" or key in layers else empty_group(key) for key, build in builders]
    for i, group in enumerate(groups):
        stable_ids(group, prefix=f"g{i}x")
    return groups


def standalone_map(frames: Mapping[str, pd.DataFrame], view: View) -> folium.Map:
    """Base map and view groups as one self-contained folium map (for the HTML export)."""
    m = base_map(frames, view.layers)
    frames = {**frames, "countries": display_countries(frames["countries"])}
    for group in overlay_groups(frames, view):
        group.add_to(m)
    return localise(m)
