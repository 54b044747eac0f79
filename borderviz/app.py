"""borderviz: the Kyrgyzstan–Tajikistan border conflict on a map, in a browser.

    streamlit run app.py        (or: borderviz app)

This file wires widgets, caching and the map; everything it shows is computed
by the borderviz package (timeline filters, status, casualties, popups, the
folium map, exports).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse

import altair as alt
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from borderviz.errors import DataError
from borderviz.io import formats, importers, uploads
from borderviz.maps import component, engine, mapview, points
from borderviz.maps.popups import escape_markdown
from borderviz.model import casualties, layers, readout, search, status, timeline
from borderviz.model.checks import FIRST_DAY
from borderviz.model.schema import EVENT_TYPE_LABELS, EVENT_TYPES, LOCATION_PRECISIONS
from borderviz.model.viewstate import COUNTRY_CHOICES, FREQUENCIES, ViewState, view_of

st.set_page_config(page_title="borderviz: the Kyrgyzstan–Tajikistan border", page_icon="🗺️",
                   layout="wide")
# Page layout only (constant CSS, no data): less space above the map; on a phone the map fills the width.
st.html("""<style>
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding-top: 0; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.75rem 0.35rem 1rem 0.35rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.3rem; }
  .st-key-intro [data-testid="stCaptionContainer"] { display: none; }
}
</style>""")

@st.cache_resource(show_spinner="Loading layers…")
def load_frames() -> dict[str, pd.DataFrame]:
    return layers.load_all()


@st.cache_resource
def config_packet(last: dt.date) -> bytes:
    """Layers, presets, wars and events for the map engine: built once per day, sent once per browser."""
    return engine.config_packet(load_frames(), FIRST_DAY.date(), last)


@st.cache_resource
def builtin_packet() -> bytes:
    return points.encode(load_frames()["incidents"], origin="builtin")


def import_upload(name: str, data: bytes, keep_outside: bool = False) -> importers.ImportResult | DataError:
    """The import (in a bounded child process), or why it was refused, with its progress shown.

    Not cached: each upload is imported once and kept in the session (see below), so its
    memory goes with the session.
    """
    label = f"Reading {escape_markdown(name)}…"
    bar = st.sidebar.progress(0.0, text=label)
    try:
        return uploads.import_upload(name, data, load_frames()["incidents"], keep_outside=keep_outside,
                                     progress=lambda f: bar.progress(min(max(float(f), 0.0), 1.0), text=label))
    except DataError as exc:
        return exc
    finally:
        bar.empty()


try:
    frames = load_frames()
except DataError as exc:
    st.error("The data in data/ did not validate, so the app cannot start. Fix these and reload:")
    st.code(str(exc), language=None)
    st.stop()

FIRST = FIRST_DAY.date()
IMPORTED_TABLE_ROWS = 1_000
LAST = dt.date.today()
DEFAULTS = ViewState(start=FIRST, end=LAST)
PRESETS = {p.key: p for p in timeline.presets(frames["conflicts"], FIRST, LAST)}
INCIDENT_IDS = frozenset(frames["incidents"]["id"])
FOUND_ZOOM = {"enclave": 13, "place": 13, "crossing": 14}


# --- state: the URL first, then the widgets --------------------------------------------


def matching_preset(dates: tuple[dt.date, dt.date]) -> str:
    return next((k for k, p in PRESETS.items() if (p.start, p.end) == dates), "custom")


ss = st.session_state
if "init" not in ss:
    state, ss.url_problems = ViewState.from_params(st.query_params.to_dict(), DEFAULTS)
    ss.dates = (state.start, state.end)
    ss.types, ss.countries, ss.precisions = list(state.types), list(state.countries), list(state.precisions)
    ss.min_killed, ss.layers, ss.basemap, ss.freq = state.min_killed, list(state.layers), state.basemap, state.freq
    ss.preset = matching_preset(ss.dates)
    ss.seq, ss.init = 0, True
    # What the map is told once, with the seq it goes with: the link's view, then the incident to open.
    ss.push = {"seq": 0, "view": state.view}
    ss.view, ss.opened = state.view, ""
    if state.incident in INCIDENT_IDS:
        ss.push["focus"], ss.opened = {"incident": state.incident}, state.incident
    elif state.incident:
        ss.url_problems.append(f"incident: there is no incident {state.incident!r} in the data; "
                               "the map opens without it")


def follow_the_map() -> None:
    """Take what the user did on the map (brushed dates, basemap, view, open popup) into the app's state."""
    reported = ss.get("map")
    if not reported or reported.get("n") == ss.get("map_n"):
        return
    ss.map_n = reported["n"]
    try:
        start, end = (dt.date.fromisoformat(d) for d in reported.get("range") or ())
    except (TypeError, ValueError):
        start = end = None
    if start is not None and FIRST <= start <= end <= LAST and (start, end) != tuple(ss.dates):
        ss.dates = (start, end)
        ss.preset = matching_preset(ss.dates)
    if reported.get("basemap") in mapview.BASEMAPS:
        ss.basemap = reported["basemap"]
    if (view := view_of(reported.get("view"))) is not None:
        ss.view = view
    if "opened" in reported:
        opened = reported["opened"]
        ss.opened = opened if isinstance(opened, str) and opened in INCIDENT_IDS else ""


def changed_here() -> None:
    """A sidebar control changed the view: the map applies it (see component.map_component's seq)."""
    ss.seq += 1


def focus_on(target: dict, scroll: bool = False) -> None:
    """Show ``target`` on the map once: {"incident": id} opens its popup, {"lat", "lon", "zoom", "label"} a place.

    ``scroll``: the request came from below the map (table, import notice): bring the map into view.
    """
    changed_here()
    if scroll:
        ss.scroll_to_map = ss.seq
    ss.push = {"seq": ss.seq, "focus": target}
    if target.get("incident") in INCIDENT_IDS:
        ss.opened = target["incident"]


def row_clicked() -> None:
    """A click on a row of the incidents table: open that incident on the map."""
    rows = ss.table.selection.rows if ss.get("table") else []
    ids = ss.get("table_ids") or []
    if rows and 0 <= rows[0] < len(ids):
        focus_on({"incident": ids[rows[0]]}, scroll=True)


def found() -> None:
    """A search result was chosen: go to it on the map."""
    hits = ss.get("hits") or []
    k = ss.get("hit")
    if k is None or not 0 <= k < len(hits):
        return
    hit = hits[k]
    if hit.kind == "incident":
        focus_on({"incident": hit.id})
    else:
        focus_on({"lat": hit.lat, "lon": hit.lon, "zoom": FOUND_ZOOM.get(hit.kind, 12), "label": hit.label})


def apply_preset() -> None:
    if ss.preset in PRESETS:
        ss.dates = (PRESETS[ss.preset].start, PRESETS[ss.preset].end)
    changed_here()


def dates_changed() -> None:
    ss.preset = matching_preset(ss.dates)
    changed_here()


follow_the_map()


# --- sidebar ----------------------------------------------------------------------------

with st.sidebar:
    st.subheader("When")
    st.selectbox("Period", [*PRESETS, "custom"], key="preset", on_change=apply_preset,
                 format_func=lambda k: PRESETS[k].label if k in PRESETS else "Custom range")
    st.slider("Dates", min_value=FIRST, max_value=LAST, key="dates", format="DD MMM YYYY",
              on_change=dates_changed, help="Incidents between these days; the border, enclaves and "
              "crossings are drawn as they were on the last day. Or brush the dates on the chart under "
              "the map, and press Play there to animate them.")

    st.subheader("What")
    st.multiselect("Event types", EVENT_TYPES, key="types", format_func=EVENT_TYPE_LABELS.get,
                   placeholder="All types", on_change=changed_here)
    st.multiselect("Where (whose territory, as reported)", COUNTRY_CHOICES, key="countries",
                   format_func={"KG": "Kyrgyzstan", "TJ": "Tajikistan", "disputed": "Disputed land"}.get,
                   placeholder="Both sides", on_change=changed_here)
    st.number_input("At least this many killed", min_value=0, step=1, key="min_killed", on_change=changed_here)
    st.multiselect("Location precision", LOCATION_PRECISIONS, key="precisions", placeholder="Any precision",
                   on_change=changed_here)

    st.subheader("Map")
    st.multiselect("Layers", list(mapview.LAYER_KEYS), key="layers", format_func=mapview.LAYER_KEYS.get,
                   on_change=changed_here)
    st.radio("Basemap", list(mapview.BASEMAPS), key="basemap",
             format_func=lambda k: mapview.BASEMAPS[k][0], on_change=changed_here)

    st.subheader("Your own incidents")
    upload = st.file_uploader("Import ACLED or UCDP CSV, GeoJSON, GeoPackage, KML, zipped Shapefile, or "
                              "CSV with latitude/longitude", type=list(importers.ACCEPTED_SUFFIXES),
                              key="upload")
    st.checkbox("Keep rows outside the border region", key="keep_outside",
                help="An import keeps the rows in Kyrgyzstan, Tajikistan and the Fergana valley, with 25 km around "
                     "them, and says how many lay outside. Tick to keep every row of the file.")

view = ViewState(start=ss.dates[0], end=ss.dates[1], types=tuple(ss.types), countries=tuple(ss.countries),
                 precisions=tuple(ss.precisions), min_killed=int(ss.min_killed), layers=tuple(ss.layers),
                 basemap=ss.basemap, freq=ss.freq, view=ss.get("view"), incident=ss.get("opened") or "")
if st.query_params.to_dict() != view.to_params():
    st.query_params.from_dict(view.to_params())

criteria = timeline.IncidentFilter(view.types, view.countries, view.precisions, view.min_killed)
selected = timeline.filter_incidents(frames["incidents"], view.start, view.end, criteria)
day = pd.Timestamp(view.end)


# --- header ------------------------------------------------------------------------------------

with st.container(key="intro"):
    st.title("The Kyrgyzstan–Tajikistan border")
    st.caption("Where the line runs, which parts were agreed and which disputed, and what happened along "
               "it, when. Every feature says where it came from; click one for its sources. Find a place, "
               "share this view and read the state of the line beside the map (below it on a phone).")
notices = st.container()  # link problems and the import's result, at the top of the page
for problem in ss.get("url_problems", []):
    notices.warning(f"Link: {escape_markdown(problem)}")


# --- imported incidents -----------------------------------------------------------------------

# An upload is imported once (not on every rerun). Taking a file out of the uploader never drops an
# import: the browser empties the uploader for a moment when one file replaces another, so only the
# Remove button does.
if upload is not None and ss.get("upload_seen") != (upload.file_id, ss.keep_outside):
    ss.upload_seen = (upload.file_id, ss.keep_outside)
    ss.upload_outcome = import_upload(upload.name, upload.getvalue(), ss.keep_outside)
    if not isinstance(ss.upload_outcome, DataError):
        ss.imported = ss.upload_outcome
if upload is not None and isinstance(ss.get("upload_outcome"), DataError):
    kept = (f" The map still shows {escape_markdown(ss.imported.file)}, imported earlier." if ss.get("imported")
            else " No imported incidents are shown.")
    notices.error(f"**{escape_markdown(upload.name)}** was not imported.{kept}")
    notices.code(str(ss.upload_outcome), language=None)
if ss.get("imported") is not None and st.sidebar.button(f"Remove {escape_markdown(ss.imported.file)} from the map",
                                                        key="remove_import"):
    ss.imported = None
imported = ss.get("imported")
if imported is not None:
    n_rows = len(imported.frame)
    flagged = imported.frame["possible_duplicate_of"].dropna()  # only these rows are looked at (imports are big)
    ids = imported.frame.loc[flagged.index, "id"] if "id" in imported.frame else flagged.index.to_series() + 1
    duplicates = [(own, found) for own, v in zip(ids, flagged, strict=True) if (found := readout.duplicate_ids(v))]
    notices.success(f"Imported {n_rows} incident{'' if n_rows == 1 else 's'} from "
                    f"**{escape_markdown(imported.file)}** ({escape_markdown(str(imported.dataset))}); they are "
                    "drawn on the map in their own colour, listed under *Incidents* and counted apart from the "
                    f"built-in ones. {len(duplicates)} may duplicate built-in incidents. "
                    + escape_markdown(" ".join(filter(None, (imported.outside_note(), imported.placed_note())))))
    for warning in imported.warnings:
        notices.warning(escape_markdown(warning))
    if duplicates:
        with notices.expander(f"Check the {len(duplicates)} possible duplicates"):
            st.caption("Each imported incident below lies within a day and 5 km of a built-in one. "
                       "Press a built-in incident to open it on the map.")
            for n, (own, theirs) in enumerate(duplicates[:30]):
                row = st.columns([2, 3])
                row[0].markdown(f"Imported: {escape_markdown(str(own))}")
                for k, other in enumerate(t for t in theirs[:5] if t in INCIDENT_IDS):
                    row[1].button(f"Open {other}", key=f"dup-{n}-{k}", on_click=focus_on,
                                  args=({"incident": other}, True), help="Show this built-in incident on the map")
            if len(duplicates) > 30:
                st.caption(f"… and {len(duplicates) - 30} more (see the *May duplicate* column under *Incidents*).")
imported_selected = (timeline.filter_incidents(imported.frame, view.start, view.end, criteria)
                     if imported is not None else None)


# --- the map -----------------------------------------------------------------------------------

push = ss.push if ss.push.get("seq") == ss.seq else {}
map_state = engine.MapState(start=view.start, end=view.end, types=view.types, countries=view.countries,
                            precisions=view.precisions, min_killed=view.min_killed, layers=view.layers,
                            basemap=view.basemap, view=push.get("view"), focus=push.get("focus"))
packets = [builtin_packet()]
if imported is not None:
    if ss.get("imported_packet_of") is not imported:  # encode each import once (ss.imported is kept as is)
        ss.imported_packet = points.encode(imported.frame, origin="imported", dataset=imported.dataset,
                                           file=imported.file)
        ss.imported_packet_of = imported
    packets.append(ss.imported_packet)
map_column, side_column = st.columns([4, 1], gap="small")
with map_column:
    component.map_component(config_packet(LAST), packets, map_state.for_browser(), seq=ss.seq)


def share_link(params: dict[str, str]) -> str:
    """This view's address: the app's own URL with the view's query parameters."""
    base = (getattr(st.context, "url", None) or "http://localhost:8501/").split("?")[0].split("#")[0]
    return f"{base}?{urllib.parse.urlencode(params)}"


with side_column:
    st.text_input("Find a place or incident", key="query", max_chars=search.MAX_QUERY,
                  placeholder="Vorukh, Ворух, 2022-09-16…",
                  help="Villages and towns (offline gazetteer), enclaves, crossings and incidents, by any "
                       "name in any script or by an incident's id.")
    if ss.get("query"):
        hits = ss.hits = search.search(frames, ss.query, limit=8)
        if hits:
            st.radio("Results", list(range(len(hits))), key="hit", index=None, on_change=found,
                     format_func=lambda k, hits=hits: f"{hits[k].label} ({hits[k].kind})",
                     label_visibility="collapsed")
        else:
            st.caption("Nothing found by that name.")
    link = share_link(view.to_params())
    with st.popover("Share this view", icon=":material/share:", width="stretch"):
        st.caption("The link reopens these dates, filters, layers and basemap, the map's centre and zoom"
                   + (" and the open incident." if view.incident else ".") + " Copy it with the button in the box.")
        st.code(link, language=None, wrap_lines=True)
        st.caption("To embed the map in a page:")
        st.code(f'<iframe src="{link}&embed=true" width="100%" height="900" style="border:0"></iframe>',
                language=None, wrap_lines=True)

    gauge = readout.gauge_text(status.gauge(frames["border_status"], frames["official_figures"], day))
    st.markdown(f"**The line on {readout.day_text(day)}**")
    if gauge.share is not None:
        st.progress(gauge.share, text=escape_markdown(gauge.head))
    else:
        st.caption(escape_markdown(gauge.head))
    said_by = list(dict.fromkeys(c for _, _, c in gauge.readings if c != "not published"))
    st.markdown("  \n".join(f"**{what}:** {escape_markdown(km)}"
                             + (f" ({escape_markdown(credit)})" if len(said_by) > 1 else "")
                             for what, km, credit in gauge.readings))
    if len(said_by) == 1:
        st.caption(f"Source: {escape_markdown(said_by[0])}")
    st.caption(escape_markdown(gauge.mapped))
    summary = status.summary(frames["border_status"], frames["official_figures"], day)
    with st.expander("In full, with sources"):
        st.info(escape_markdown(summary.sentence()), icon=":material/straighten:")


# --- what the selection holds -----------------------------------------------------------------

wars = timeline.in_range(frames["conflicts"], view.start, view.end)
n_imported = len(imported_selected) if imported_selected is not None else 0
width = 5 if imported_selected is None else 6
cols = st.columns(width)
cols[0].metric("Incidents" if imported_selected is None else "Incidents, built-in", len(selected),
               help="Incidents in the date range matching the filters"
                    + ("" if imported_selected is None else "; imported incidents are counted apart") + ".")
if imported_selected is not None:
    cols[-1].metric("Imported", n_imported, help=f"Incidents from {imported.file} in the range and filters; "
                    "not included in the other numbers (some may duplicate built-in incidents).")
# A war in the dates: its totals as each side last reported them, one row per war (never a sum of incidents).
for k, (_, war) in enumerate(wars.iterrows()):
    row = cols if k == 0 else st.columns(width)
    for col, fig in zip(row[1:5], readout.war_headline(frames["casualty_reports"], war["id"]), strict=True):
        col.metric(f"{fig.label} ({war['date_start']:%b %Y} war)", fig.figure, help=fig.credit)
        col.caption(escape_markdown(f"{fig.who}, {fig.when}" if fig.reports else "not reported"))
sums = readout.incident_sums(selected)
if wars.empty:
    for col, (label, total, reporting, n) in zip(cols[1:5], sums, strict=True):
        col.metric(f"{label} (sum of incidents)", f"{total:,}",
                   help=f"Sum of the per-incident figures reported for this side: {reporting} of {n} incidents "
                        "report one. Not an official total.")
else:
    st.caption("The war figures are the latest whole-war totals each side's count was given, with who "
               "reported them and when; every report is under *War totals by source*. Sums of the per-incident "
               "figures, which are not official totals: " + "; ".join(
                   f"{label} {total:,} ({reporting} of {n} incidents report one)"
                   for label, total, reporting, n in sums)
               + ("" if imported_selected is None else "; built-in incidents only") + ".")

tab_chart, tab_table, tab_wars, tab_download, tab_about = st.tabs(
    ["Events over time", "Incidents", "War totals by source", "Download", "About the data"])

with tab_chart:
    st.radio("Group by", FREQUENCIES, key="freq", horizontal=True, format_func=str.capitalize)
    freq = "MS" if ss.freq == "month" else "W-MON"
    counts = timeline.counts_by_period(selected, freq, view.start, view.end)
    counts = counts.assign(type=counts["event_type"].map(EVENT_TYPE_LABELS).fillna(counts["event_type"]))
    type_labels = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in EVENT_TYPE_LABELS.items()) \
        + "}[datum.label] || datum.label"
    colour = alt.Scale(domain=list(EVENT_TYPES), range=[mapview.EVENT_COLORS[t] for t in EVENT_TYPES])
    bars = alt.Chart(counts).mark_bar().encode(
        x=alt.X("period:T", title=None), x2="period_end:T",
        y=alt.Y("sum(events):Q", title="incidents"),
        color=alt.Color("event_type:N", scale=colour, title="Type",
                        legend=alt.Legend(labelExpr=type_labels)),
        tooltip=[alt.Tooltip("period:T", title="From", format="%-d %b %Y"), alt.Tooltip("type:N", title="Type"),
                 alt.Tooltip("events:Q", title="Incidents")],
    )
    marks = timeline.in_range(frames["timeline_events"], view.start, view.end)[["date_start", "kind", "title"]]
    marks = marks.assign(kind=[readout.words(k).capitalize() for k in marks["kind"]])
    rules = alt.Chart(marks).mark_rule(color="#444", strokeDash=[3, 3]).encode(
        x="date_start:T", tooltip=[alt.Tooltip("date_start:T", title="Date", format="%-d %b %Y"),
                                   alt.Tooltip("kind:N", title="What"), alt.Tooltip("title:N", title="Event")])
    war_bands = alt.Chart(wars[["name", "date_start", "date_end"]]).mark_rect(opacity=0.12, color="#d7191c").encode(
        x="date_start:T", x2="date_end:T", tooltip=[alt.Tooltip("name:N", title="War")])
    st.altair_chart(war_bands + bars + rules, width="stretch")
    st.caption("Bars: incidents per period by type, following the filters. Dashed lines: summits, "
               "treaties, ratifications and ceasefires (hover for what). Shaded: the two wars.")

TABLE_COLUMNS = {"Date": st.column_config.DateColumn("Date", format="D MMM YYYY"),
                 "First source": st.column_config.LinkColumn("First source")}

with tab_table:
    st.caption("Click a row to open that incident on the map. Figures are each incident's own, as reported.")
    ss.table_ids = list(selected["id"])
    st.dataframe(readout.incident_table(selected), hide_index=True, width="stretch", key="table",
                 on_select=row_clicked, selection_mode="single-row", column_config=TABLE_COLUMNS)
    if imported_selected is not None:
        st.markdown(f"**Imported from {escape_markdown(imported.file)}** ({len(imported_selected):,} in range; "
                    "not included in the numbers above)")
        # The table travels to the browser on every rerun: a whole-region file would be megabytes each time.
        shown = imported_selected.sort_values("date_start").head(IMPORTED_TABLE_ROWS)
        st.dataframe(readout.incident_table(shown, duplicates=True), hide_index=True, width="stretch",
                     column_config=TABLE_COLUMNS)
        if len(imported_selected) > IMPORTED_TABLE_ROWS:
            st.caption(f"The first {IMPORTED_TABLE_ROWS:,} by date; every row is on the map and in the "
                       "downloads.")

with tab_wars:
    if wars.empty:
        st.write("No war falls in the selected dates.")
    for _, war in wars.iterrows():
        st.markdown(f"**{escape_markdown(war['name'])}** ({war['date_start']:%d %b %Y} – {war['date_end']:%d %b %Y})")
        figures = casualties.conflict_totals(frames["casualty_reports"], war["id"])
        st.dataframe(readout.war_table(figures), hide_index=True, width="stretch",
                     column_config={"Source": st.column_config.LinkColumn("Source")})
    st.caption("Each side published its own figures and revised them; all are listed with who "
               "reported them and when, never merged into one.")

with tab_download:
    choice = st.columns([1, 2])
    fmt = choice[0].selectbox("Format", list(formats.FORMATS), key="dl_format",
                              format_func=lambda k: formats.FORMATS[k].label)
    offered = [*layers.LAYERS, *(["imported_incidents"] if imported_selected is not None else [])]
    names = choice[1].multiselect("Layers", offered, default=["incidents"], key="dl_layers",
                                  format_func=lambda n: layers.LAYERS[n].title if n in layers.LAYERS
                                  else "Imported incidents")
    history = st.checkbox("Every state of the border, crossings and enclaves in these dates, each with its "
                          "start and end (for QGIS's temporal controller or kepler.gl), not only the last day",
                          key="dl_history")
    subset = {n: imported_selected if n == "imported_incidents"
              else timeline.layer_selection(frames, n, view.start, view.end, selected, history=history)
              for n in names}
    credits = imported.attribution if imported is not None and "imported_incidents" in names else None
    filters = {"from": view.start.isoformat(), "to": view.end.isoformat(), **{
        k: v for k, v in view.to_params().items() if k in ("types", "countries", "precisions", "min_killed") and v
        not in ("", "0")}, **({"history": True} if history else {})}

    def build_download(subset=subset, fmt=fmt, filters=filters, map_state=map_state, credits=credits) -> bytes:
        return formats.export(subset, fmt, filters, view=map_state, extra_attribution=credits,
                              context=frames).single()[1]

    st.download_button(f"Download {formats.FORMATS[fmt].label}", data=build_download, disabled=not names,
                       file_name=formats.download_name(fmt, names), mime=formats.FORMATS[fmt].mime,
                       on_click="ignore", key="download", type="primary")
    states = ("with every state they had in these dates" if history
              else f"as they were on {view.end:%d %b %Y}")
    st.caption(f"{formats.FORMATS[fmt].note}. Incidents follow the dates and filters; layers that change "
               f"over time are exported {states}. Every file carries its "
               "provenance: layers, filters, export time, data version, sources and licences.")

with tab_about:
    st.markdown((layers.REPO_ROOT / "docs" / "about.md").read_text(encoding="utf-8"))

if ss.get("scroll_to_map") == ss.seq:  # constant script, no data: scroll the page up to the map
    components.html(f"<!-- {int(ss.seq)} --><script>const f = parent.document.querySelector("
                    "'iframe[title=\"borderviz.maps.component.borderviz_map\"]'); "
                    "if (f) f.scrollIntoView({block: 'start'});</script>", height=0)
