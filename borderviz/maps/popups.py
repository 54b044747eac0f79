"""The only place borderviz builds HTML (and Markdown). Every value from data or uploads is escaped here.

Popups, tooltips and labels reach the map as HTML strings that Leaflet puts
into innerHTML, in an iframe allowed to run scripts with the app's origin.
Text is escaped for HTML and, as defence in depth for folium's own Popup and
Tooltip (which paste into JavaScript template literals), for template
literals too: ``<``, ``>``, ``&``, quotes, backtick, ``$`` and backslash all
become character references, which the browser shows as the characters they
stand for. Text shown through Streamlit Markdown goes through
:func:`escape_markdown`.

>>> escape("<img src=x onerror=alert(1)> `${alert(1)}`")
'&lt;img src=x onerror=alert(1)&gt; &#96;&#36;{alert(1)}&#96;'
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from borderviz.model.casualties import figure_text
from borderviz.model.schema import BORDER_STATUS_LABELS, EVENT_TYPE_LABELS, EVENT_TYPES, LOCATION_TOLERANCE_KM

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape(value: Any) -> str:
    """Text safe inside HTML and inside a JavaScript template literal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})


def escape_markdown(value: Any) -> str:
    """Text safe inside Streamlit Markdown: no links, images, emphasis or LaTeX from data.

    >>> escape_markdown("[update](https://evil.example)")
    '\\\\[update\\\\]\\\\(https\\\\://evil\\\\.example\\\\)'
    """
    return "" if value is None else str(value).translate(_MARKDOWN)


def safe_url(url: Any) -> str | None:
    """An http(s) URL escaped for an href, or None for anything else (javascript:, data:, ...)."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return escape(text)


def link(url: Any, label: Any) -> str:
    """An external link that opens in a new tab, or the label alone if the URL is unsafe."""
    href = safe_url(url)
    if href is None:
        return escape(label)
    return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{escape(label)}</a>'


def citation_html(src: Mapping[str, Any]) -> str:
    """One citation: publisher, linked title (or the file it came from), date."""
    date = f" ({escape(src['date'])})" if src.get("date") else ""
    where = f" (file {escape(src['file'])})" if src.get("file") and not src.get("url") else ""
    title = src.get("title") or src.get("url")
    return f"{escape(src.get('publisher'))}: {link(src.get('url'), title)}{where}{date}"


def sources_html(sources: Iterable[Mapping[str, Any]] | None) -> str:
    items = "".join(f"<li>{citation_html(s)}</li>" for s in sources or [])
    return f'<ol class="bv-sources">{items}</ol>' if items else "<p><em>No source recorded.</em></p>"


def _date_range(start: pd.Timestamp, end: pd.Timestamp, precision: str = "day") -> str:
    fmt = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y", "year": "%Y"}.get(precision, "%d %b %Y")
    first = start.strftime(fmt)
    last = end.strftime(fmt) if pd.notna(end) else first
    text = first if first == last else f"{first} – {last}"
    return text + ("" if precision == "day" else f" (known to the {precision})")


def precision_text(precision: str) -> str:
    """How precisely a point is placed, in words a reader can weigh."""
    km = LOCATION_TOLERANCE_KM.get(precision)
    words = {
        "exact": "exact position",
        "settlement": "placed at the village centre",
        "district": "only the district is known",
        "approximate": "placed approximately from a description",
        "region": "only the region is known",
        "country": "only the country is known",
    }.get(precision, precision)
    return f"{words} (within about {km:g} km)" if km else words


def figures_html(figures: Iterable[Mapping[str, Any]] | None) -> str:
    """Casualty figures, each with who reported it and when."""
    rows = []
    for f in figures or []:
        src = f.get("source") or {}
        when = f" on {escape(f['reported_on'])}" if f.get("reported_on") else ""
        rows.append(
            f"<tr><td>{escape(f.get('side'))}</td><td>{escape(f.get('measure'))}</td>"
            f"<td>{escape(figure_text(f.get('value', 0), f.get('qualifier', 'exact')))}</td>"
            f"<td>{escape(f.get('reported_by'))}{when}"
            + (f" ({link(src.get('url'), src.get('publisher') or 'source')})" if src else "")
            + "</td></tr>"
        )
    if not rows:
        return "<p><em>No casualty figures reported.</em></p>"
    return ('<table class="bv-figures"><tr><th>side</th><th>what</th><th>figure</th>'
            "<th>reported by</th></tr>" + "".join(rows) + "</table>")


POPUP_CSS = (
    ".bv-popup{font:13px/1.35 system-ui,sans-serif;max-width:380px;max-height:320px;overflow-y:auto}"
    ".bv-popup h4{margin:0 0 4px;font-size:14px}.bv-many{max-height:340px;overflow-y:auto}"
    ".bv-popup .bv-meta{color:#555;margin:0 0 6px}"
    ".bv-popup table{border-collapse:collapse;margin:4px 0}.bv-popup td,.bv-popup th{border:1px solid #ddd;"
    "padding:1px 4px;font-size:12px;text-align:left}.bv-popup ol{padding-left:18px;margin:4px 0}"
)
# POPUP_CSS travels once with the map (mapview.legend_html), not in every popup.


def incidents_popup(rows: list[Mapping[str, Any]]) -> str:
    """Popup for the incidents at one point: each in full, oldest first."""
    if len(rows) == 1:
        return incident_popup(rows[0])
    head = f'<p class="bv-meta"><b>{len(rows)} incidents placed at this point</b> (scroll for all)</p>'
    body = "<hr>".join(incident_body(r) for r in rows)
    return f'<div class="bv-popup bv-many">{head}{body}</div>'


def incidents_tooltip(rows: list[Mapping[str, Any]]) -> str:
    if len(rows) == 1:
        return incident_tooltip(rows[0])
    first, last = rows[0]["date_start"], rows[-1]["date_start"]
    return escape(f"{len(rows)} incidents here, {first:%d %b %Y} – {last:%d %b %Y}: "
                  f"{rows[-1]['place_reported']}")


def incident_popup(row: Mapping[str, Any]) -> str:
    """Popup for one incident: dates, place, precision, figures with who reported them, sources."""
    return f'<div class="bv-popup">{incident_body(row)}</div>'


def incident_body(row: Mapping[str, Any]) -> str:
    """One incident's details (the inside of its popup)."""
    kind = EVENT_TYPE_LABELS.get(row["event_type"], row["event_type"])
    return (
        f"<h4>{escape(kind)}: {escape(row['place_reported'])}</h4>"
        f'<p class="bv-meta">{escape(_date_range(row["date_start"], row["date_end"], row["date_precision"]))}'
        f" · {escape(row['district'])}, {escape(row['region'])} ({escape(row['country'])})"
        f" · confidence {escape(row['confidence'])}</p>"
        f"<p>{escape(row['description'])}</p>"
        f"{figures_html(row.get('figures'))}"
        f"<p class=\"bv-meta\">Location: {escape(precision_text(row['location_precision']))}. "
        f"{escape(row['location_method'])}</p>"
        f"<b>Sources</b>{sources_html(row.get('sources'))}"
        f"<p class=\"bv-meta\">id {escape(row['id'])}</p>"
    )


def incident_tooltip(row: Mapping[str, Any]) -> str:
    kind = EVENT_TYPE_LABELS.get(row["event_type"], row["event_type"])
    return f"{escape(row['date_start'].strftime('%d %b %Y'))}: {escape(kind)}, {escape(row['place_reported'])}"


def _date_or(value: Any, default: str) -> str:
    return value.strftime("%d %b %Y") if isinstance(value, pd.Timestamp) and pd.notna(value) else default


def interval_text(start: Any, end: Any) -> str:
    """'from 30 Apr 2021 until 13 Mar 2025' with open ends said in words."""
    return f"from {_date_or(start, 'the start of the record')} until {_date_or(end, 'now')}"


def status_popup(row: Mapping[str, Any]) -> str:
    return (
        f'<div class="bv-popup"><h4>{escape(row["name"])}</h4>'
        f'<p class="bv-meta">{escape(BORDER_STATUS_LABELS.get(row["status"], row["status"]))} '
        f"{escape(interval_text(row['date_start'], row['date_end']))} · "
        f"{escape(row['length_km'])} km drawn · geometry: {escape(row['geometry_basis'])}</p>"
        f"<p>{escape(row['description'])}</p><b>Sources</b>{sources_html(row.get('sources'))}</div>"
    )


def enclave_popup(row: Mapping[str, Any]) -> str:
    names = " · ".join(escape(row[c]) for c in ("name_ru", "name_ky", "name_tg", "name_uz")
                       if isinstance(row.get(c), str))
    other = f"<p>Also: {escape(row['other_names'])}</p>" if isinstance(row.get("other_names"), str) else ""
    ended = ""
    if pd.notna(row.get("valid_to")):
        ended = f"<p><b>Ceased to be an exclave on {escape(_date_or(row['valid_to'], ''))}</b>: " \
                f"{escape(row.get('valid_to_event'))}</p>"
    note = f"<p>{escape(row['note'])}</p>" if isinstance(row.get("note"), str) else ""
    return (
        f'<div class="bv-popup"><h4>{escape(row["name_en"])}</h4>'
        f'<p class="bv-meta">{names}</p>{other}'
        f"<p>Territory of {escape(row['owner'])} inside {escape(row['host'])} · "
        f"{escape(row['area_km2'])} km² in the {escape(row['vintage'])} OSM vintage</p>"
        f"{ended}{note}<b>Sources</b>{sources_html(row.get('sources'))}</div>"
    )


def difference_popup(row: Mapping[str, Any]) -> str:
    return (
        f'<div class="bv-popup"><h4>The two map versions disagree here</h4>'
        f"<p>{escape(row['area_km2'])} km² that the 2017 OSM version puts in {escape(row['in_2017'])} "
        f"and the 2024 version in {escape(row['in_2024'])}. Near {escape(row['near'])}.</p>"
        f'<p class="bv-meta">Slivers under 0.1 km² are not drawn (see the layer notes).</p>'
        f"<b>Sources</b>{sources_html(row.get('sources'))}</div>"
    )


def crossing_popup(row: Mapping[str, Any]) -> str:
    note = f"<p>{escape(row['note'])}</p>" if isinstance(row.get("note"), str) else ""
    return (
        f'<div class="bv-popup"><h4>{escape(row["name"])}</h4>'
        f'<p class="bv-meta">{escape(row["kind"])} crossing · <b>{escape(row["status"])}</b> '
        f"{escape(interval_text(row['date_start'], row['date_end']))}</p>{note}"
        f"<p class=\"bv-meta\">Location: {escape(precision_text(row['location_precision']))}. "
        f"{escape(row['location_method'])}</p>"
        f"<b>Sources</b>{sources_html(row.get('sources'))}</div>"
    )


def infrastructure_popup(row: Mapping[str, Any]) -> str:
    events = "".join(
        f"<li>{escape(e.get('date'))}: {escape(e.get('what'))}"
        + (f" ({link(e['source'].get('url'), e['source'].get('publisher'))})" if e.get("source") else "")
        + "</li>"
        for e in row.get("events") or []
    )
    return (
        f'<div class="bv-popup"><h4>{escape(row["name"])}</h4>'
        f"<p>{escape(row['description'])}</p>"
        + (f"<b>Events</b><ul>{events}</ul>" if events else "")
        + f"<p class=\"bv-meta\">Location: {escape(precision_text(row['location_precision']))}. "
        f"{escape(row['location_method'])}</p>"
        f"<b>Sources</b>{sources_html(row.get('sources'))}</div>"
    )


def label_html(text: Any, color: str = "#222") -> str:
    """A map label (enclave names): escaped text in a halo so it reads on any background."""
    return (f'<div style="font:600 12px system-ui,sans-serif;color:{escape(color)};white-space:nowrap;'
            f'text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff">{escape(text)}</div>')


def imported_popup(row: Mapping[str, Any]) -> str:
    """Popup for an imported incident: everything from the user's file is escaped."""
    duplicate = (f"<p><b>Possibly the same as</b> {escape(row['possible_duplicate_of'])}</p>"
                 if isinstance(row.get("possible_duplicate_of"), str) else "")
    killed = "" if pd.isna(row.get("killed_total")) else f" · killed: {escape(row['killed_total'])}"
    return (
        f'<div class="bv-popup"><h4>Imported ({escape(row["dataset"])}): '
        f"{escape(row.get('place_reported') or row['source_id'])}</h4>"
        f'<p class="bv-meta">{escape(_date_range(row["date_start"], row["date_end"], row["date_precision"]))}'
        f" · {escape(row.get('source_event_type') or row['event_type'])}{killed}</p>"
        f"<p>{escape(row.get('description') or '')}</p>{duplicate}"
        f"<p class=\"bv-meta\">Location: {escape(precision_text(row['location_precision']))} "
        f"({escape(row.get('source_precision') or '')}) · id {escape(row['source_id'])}</p>"
        f"<b>Source</b>{sources_html(row.get('sources'))}</div>"
    )


_FILTER_NAMES = {"from": "From", "to": "To", "types": "Event types", "countries": "Where",
                 "precisions": "Location precision", "min_killed": "At least this many killed"}
_PLACE_NAMES = {"KG": "Kyrgyzstan", "TJ": "Tajikistan", "disputed": "Disputed land"}


def _filter_value(name: str, value: Any) -> str:
    """One filter as a reader says it: dates as '14 Sep 2022', codes as their labels."""
    if name in ("from", "to"):
        try:
            d = pd.Timestamp(str(value))
            return f"{d.day} {d:%b %Y}"
        except ValueError:
            return str(value)
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    names = {**EVENT_TYPE_LABELS, **_PLACE_NAMES}
    return ", ".join(names.get(str(p), str(p).replace("_", " ")) for p in parts if str(p))


def _layer_title(name: str) -> str:
    from borderviz.model.schema import LAYERS

    return LAYERS[name].title if name in LAYERS else ("Imported incidents" if name == "imported_incidents"
                                                       else str(name).replace("_", " "))


def export_panel_html(prov: Mapping[str, Any]) -> str:
    """The attribution and provenance panel of a standalone HTML export, as a readable list.

    Collapsed to one line (what, when, credits) so it never covers the map; the
    full provenance stays machine-readable in the ``borderviz-provenance`` element.
    """
    attribution = " · ".join(link(a["url"], a["text"]) if a.get("url") else escape(a["text"])
                             for a in prov["attribution"])
    filters = prov.get("filters") or {}
    shown = [(name, filters[name]) for name in _FILTER_NAMES if filters.get(name) not in (None, "", "0", 0, [])]
    shown += [(name, v) for name, v in filters.items() if name not in _FILTER_NAMES and v not in (None, "", [])]
    items = "".join(f"<li>{escape(_FILTER_NAMES.get(n, str(n).replace('_', ' ')))}: {escape(_filter_value(n, v))}</li>"
                    for n, v in shown) or "<li>No filters: every record</li>"
    layers = ", ".join(escape(_layer_title(n)) for n in prov.get("layers") or []) or "—"
    try:
        stamp = pd.Timestamp(str(prov["exported_at"]))
        exported = f"{stamp.day} {stamp:%b %Y}, {stamp:%H:%M} UTC"
    except (KeyError, ValueError):
        exported = str(prov.get("exported_at", "—"))
    return (f'<div class="bv-provenance" style="position:fixed;bottom:18px;right:0;z-index:1001;'
            f'background:rgba(255,255,255,.92);font:12px/1.4 system-ui,sans-serif;padding:3px 8px;'
            f'max-width:min(60%,520px);max-height:60vh;overflow:auto;border-radius:4px 0 0 4px">'
            f'<details><summary>About this map: exported {escape(exported)}</summary><ul style="margin:4px 0;'
            f'padding-left:18px"><li>Layers: {layers}</li>{items}'
            f"<li>Data version {escape(prov.get('data_version', '—'))}, made with {escape(prov.get('generator', ''))}"
            f"</li><li>{escape(str(prov.get('sources', '')).replace('`', ''))}</li></ul></details>"
            f"{attribution}</div>")


def _line_swatch(style: Mapping[str, object]) -> str:
    dash = f' stroke-dasharray="{style["dashArray"]}"' if style.get("dashArray") else ""
    return (f'<svg width="34" height="10"><line x1="1" y1="5" x2="33" y2="5" stroke="{style["color"]}" '
            f'stroke-width="{min(int(style["weight"]), 5)}"{dash}/></svg>')


def legend_html(status_style: Mapping[str, Mapping[str, Any]], vintage_2017_style: Mapping[str, Any],
                difference_style: Mapping[str, Any], owner_fill: Mapping[str, str],
                event_colors: Mapping[str, str], crossing_style: Mapping[str, tuple[str, str]]) -> str:
    """The map's legend and the CSS the map's popups and markers use. Built from style constants only."""
    status = "".join(f"<div>{_line_swatch(status_style[k])} {label}</div>"
                     for k, label in BORDER_STATUS_LABELS.items())
    types = "".join(
        f'<span><span class="bv-dot" style="background:{event_colors[t]}"></span>{EVENT_TYPE_LABELS[t]}</span>'
        for t in EVENT_TYPES
    )
    crossings = "".join(
        f'<span class="bv-sq" style="background:{c}">{s}</span>{k} ' for k, (c, s) in crossing_style.items()
    )
    return f"""
<div id="bv-legend" class="bv-legend"><details open><summary>Legend</summary>
<b>Border on the chosen day</b>{status}
<div>{_line_swatch(vintage_2017_style)} 2017 version of the line</div>
<div><span class="bv-box" style="background:{difference_style['fillColor']}"></span>versions disagree</div>
<div><span class="bv-box" style="background:{owner_fill['TJ']}"></span>Tajik
 <span class="bv-box" style="background:{owner_fill['UZ']}"></span>Uzbek
 <span class="bv-box" style="background:{owner_fill['KG']}"></span>Kyrgyz enclave</div>
<b>Incidents</b><details><summary>colour: type of event</summary><div class="bv-grid">{types}</div></details>
<div><span class="bv-dot" style="background:#555"></span>placed at a village or exactly ·
<span class="bv-dot bv-rough"></span>approximate or district only</div>
<div>larger circle: more killed · black ring: your imported incidents</div>
<b>Crossings</b><div>{crossings}</div>
<div><span class="bv-diamond"></span>contested infrastructure</div>
</details></div>
<style>
.bv-legend{{position:absolute;z-index:650;left:10px;bottom:10px;background:rgba(255,255,255,.93);
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
{POPUP_CSS}
.leaflet-marker-icon.bv-count-icon,.leaflet-marker-icon.bv-label{{pointer-events:none}}
.bv-count{{display:inline-block;background:#222;color:#fff;border-radius:7px;padding:0 4px;
 font:bold 10px/14px system-ui,sans-serif;pointer-events:none}}
</style>"""
