"""borderviz: the Kyrgyzstan–Tajikistan border conflict on a map, in a browser.

    streamlit run app.py        (or: borderviz app)

This file wires widgets, caching and the map; everything it shows is computed
by the borderviz package (timeline filters, status, casualties, popups, the
folium map, exports).
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from borderviz import (
    casualties,
    component,
    engine,
    formats,
    importers,
    layers,
    mapview,
    points,
    status,
    timeline,
    uploads,
)
from borderviz.checks import FIRST_DAY
from borderviz.errors import DataError
from borderviz.popups import escape_markdown
from borderviz.schema import EVENT_TYPE_LABELS, EVENT_TYPES, LOCATION_PRECISIONS
from borderviz.viewstate import COUNTRY_CHOICES, FREQUENCIES, ViewState

st.set_page_config(page_title="borderviz: the Kyrgyzstan–Tajikistan border", page_icon="🗺️",
                   layout="wide")

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


def import_upload(name: str, data: bytes) -> importers.ImportResult | DataError:
    """The import (in a bounded child process), or why it was refused, with its progress shown.

    Not cached: each upload is imported once and kept in the session (see below), so its
    memory goes with the session.
    """
    label = f"Reading {escape_markdown(name)}…"
    bar = st.sidebar.progress(0.0, text=label)
    try:
        return uploads.import_upload(name, data, load_frames()["incidents"],
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


def follow_the_map() -> None:
    """Take what the user did on the map (brushed dates, basemap) into the app's state."""
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


def changed_here() -> None:
    """A sidebar control changed the view: the map applies it (see component.map_component's seq)."""
    ss.seq += 1


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

view = ViewState(start=ss.dates[0], end=ss.dates[1], types=tuple(ss.types), countries=tuple(ss.countries),
                 precisions=tuple(ss.precisions), min_killed=int(ss.min_killed), layers=tuple(ss.layers),
                 basemap=ss.basemap, freq=ss.freq)
if st.query_params.to_dict() != view.to_params():
    st.query_params.from_dict(view.to_params())

criteria = timeline.IncidentFilter(view.types, view.countries, view.precisions, view.min_killed)
selected = timeline.filter_incidents(frames["incidents"], view.start, view.end, criteria)
day = pd.Timestamp(view.end)


# --- imported incidents -----------------------------------------------------------------------

# An upload is imported once (not on every rerun). Taking a file out of the uploader never drops an
# import: the browser empties the uploader for a moment when one file replaces another, so only the
# Remove button does.
if upload is not None and ss.get("upload_seen") != upload.file_id:
    ss.upload_seen, ss.upload_outcome = upload.file_id, import_upload(upload.name, upload.getvalue())
    if not isinstance(ss.upload_outcome, DataError):
        ss.imported = ss.upload_outcome
if upload is not None and isinstance(ss.get("upload_outcome"), DataError):
    kept = (f" The map still shows {escape_markdown(ss.imported.file)}, imported earlier." if ss.get("imported")
            else " No imported incidents are shown.")
    st.sidebar.error(f"**{escape_markdown(upload.name)}** was not imported.{kept}")
    st.sidebar.code(str(ss.upload_outcome), language=None)
if ss.get("imported") is not None and st.sidebar.button(f"Remove {escape_markdown(ss.imported.file)} from the map",
                                                        key="remove_import"):
    ss.imported = None
imported = ss.get("imported")
if imported is not None:
    st.sidebar.success(f"{len(imported.frame)} incidents from {escape_markdown(imported.file)} ({imported.dataset}); "
                       f"{int(imported.frame['possible_duplicate_of'].notna().sum())} may duplicate "
                       "built-in incidents.")
    for warning in imported.warnings:
        st.sidebar.warning(escape_markdown(warning))
imported_selected = (timeline.filter_incidents(imported.frame, view.start, view.end, criteria)
                     if imported is not None else None)


# --- header ------------------------------------------------------------------------------------

st.title("The Kyrgyzstan–Tajikistan border")
st.caption("Where the line runs, which parts were agreed and which disputed, and what happened along "
           "it, when. Every feature says where it came from; click one for its sources.")
for problem in ss.get("url_problems", []):
    st.warning(f"Link: {escape_markdown(problem)}")

summary = status.summary(frames["border_status"], frames["official_figures"], day)
st.info(escape_markdown(summary.sentence()), icon=":material/straighten:")


# --- the map -----------------------------------------------------------------------------------

map_state = engine.MapState(start=view.start, end=view.end, types=view.types, countries=view.countries,
                            precisions=view.precisions, min_killed=view.min_killed, layers=view.layers,
                            basemap=view.basemap)
packets = [builtin_packet()]
if imported is not None:
    if ss.get("imported_packet_of") is not imported:  # encode each import once (ss.imported is kept as is)
        ss.imported_packet = points.encode(imported.frame, origin="imported", dataset=imported.dataset,
                                           file=imported.file)
        ss.imported_packet_of = imported
    packets.append(ss.imported_packet)
component.map_component(config_packet(LAST), packets, map_state.for_browser(), seq=ss.seq)


# --- what the selection holds -----------------------------------------------------------------

wars = timeline.in_range(frames["conflicts"], view.start, view.end)
totals = casualties.selection_totals(selected)
cols = st.columns(5)
cols[0].metric("Incidents", len(selected), help="Incidents in the date range matching the filters.")
for col, (side, measure) in zip(cols[1:], [("KG", "killed"), ("TJ", "killed"), ("KG", "injured"),
                                           ("TJ", "injured")], strict=True):
    row = totals[(totals["side"] == side) & (totals["measure"] == measure)].iloc[0]
    col.metric(f"{measure.capitalize()}, {side}", f"{row['total']:,}",
               help=f"Sum of the per-incident figures reported for the {side} side "
                    f"({row['incidents_reporting']} incidents report one). Not an official total: "
                    "see the war totals below.")

for _, war in wars.iterrows():
    latest = casualties.latest_by_side(frames["casualty_reports"], war["id"])
    said = "; ".join(f"{r.side} {r.measure} {r.figure} ({r.reported_by})" for r in latest.itertuples()
                     if r.measure in ("killed", "injured"))
    st.caption(f"**{escape_markdown(war['name'])}**, latest whole-war figures as each source gave them: "
               f"{escape_markdown(said)}. All figures and dates: *War totals by source*.")

tab_chart, tab_table, tab_wars, tab_download, tab_about = st.tabs(
    ["Events over time", "Incidents", "War totals by source", "Download", "About the data"])

with tab_chart:
    st.radio("Group by", FREQUENCIES, key="freq", horizontal=True)
    freq = "MS" if ss.freq == "month" else "W-MON"
    counts = timeline.counts_by_period(selected, freq, view.start, view.end)
    colour = alt.Scale(domain=list(EVENT_TYPES), range=[mapview.EVENT_COLORS[t] for t in EVENT_TYPES])
    bars = alt.Chart(counts).mark_bar().encode(
        x=alt.X("period:T", title=None), x2="period_end:T",
        y=alt.Y("sum(events):Q", title="incidents"),
        color=alt.Color("event_type:N", scale=colour, title="type",
                        legend=alt.Legend(labelExpr="replace(datum.label, '_', ' ')")),
        tooltip=[alt.Tooltip("period:T", title="from"), "event_type:N", "events:Q"],
    )
    marks = timeline.in_range(frames["timeline_events"], view.start, view.end)[["date_start", "kind", "title"]]
    rules = alt.Chart(marks).mark_rule(color="#444", strokeDash=[3, 3]).encode(
        x="date_start:T", tooltip=[alt.Tooltip("date_start:T", title="date"), "kind:N", "title:N"])
    war_bands = alt.Chart(wars[["name", "date_start", "date_end"]]).mark_rect(opacity=0.12, color="#d7191c").encode(
        x="date_start:T", x2="date_end:T", tooltip=["name:N"])
    st.altair_chart(war_bands + bars + rules, width="stretch")
    st.caption("Bars: incidents per period by type, following the filters. Dashed lines: summits, "
               "treaties, ratifications and ceasefires (hover for what). Shaded: the two wars.")

with tab_table:
    table = selected.assign(source=[s[0]["url"] for s in selected["sources"]],
                            type=selected["event_type"].map(EVENT_TYPE_LABELS))
    st.dataframe(
        table[["date_start", "type", "place_reported", "country", "district", "killed_kg", "killed_tj",
               "injured_kg", "injured_tj", "location_precision", "confidence", "source", "id"]],
        hide_index=True, width="stretch",
        column_config={"date_start": st.column_config.DateColumn("date", format="D MMM YYYY"),
                       "source": st.column_config.LinkColumn("first source")})
    if imported_selected is not None:
        st.markdown(f"**Imported from {escape_markdown(imported.file)}** ({len(imported_selected):,} in range)")
        # The table travels to the browser on every rerun: a whole-region file would be megabytes each time.
        shown = imported_selected.sort_values("date_start").head(IMPORTED_TABLE_ROWS)
        st.dataframe(shown.drop(columns=[c for c in ("geometry", "source_fields", "sources") if c in shown]),
                     hide_index=True, width="stretch")
        if len(imported_selected) > IMPORTED_TABLE_ROWS:
            st.caption(f"The first {IMPORTED_TABLE_ROWS:,} by date; every row is on the map and in the "
                       "downloads.")

with tab_wars:
    if wars.empty:
        st.write("No war falls in the selected dates.")
    for _, war in wars.iterrows():
        st.markdown(f"**{escape_markdown(war['name'])}** ({war['date_start']:%d %b %Y} – {war['date_end']:%d %b %Y})")
        figures = casualties.conflict_totals(frames["casualty_reports"], war["id"])
        st.dataframe(figures.drop(columns=["value", "qualifier"]), hide_index=True, width="stretch",
                     column_config={"reported_on": st.column_config.TextColumn("reported on"),
                                    "url": st.column_config.LinkColumn("source")})
    st.caption("Each side published its own figures and revised them; all are listed with who "
               "reported them and when, never merged into one.")

with tab_download:
    choice = st.columns([1, 2])
    fmt = choice[0].selectbox("Format", list(formats.FORMATS), key="dl_format",
                              format_func=lambda k: formats.FORMATS[k].label)
    offered = [*layers.LAYERS, *(["imported_incidents"] if imported_selected is not None else [])]
    names = choice[1].multiselect("Layers", offered, default=["incidents"], key="dl_layers")
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
