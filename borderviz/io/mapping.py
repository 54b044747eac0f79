"""Map a file's columns onto the imported-incident schema, a column at a time, and name every bad row.

ACLED, UCDP GED, generic files (a date and coordinates or geometries) and
borderviz's own exports each have a mapping here. The mapping runs on whole
Arrow columns (no Python loop over rows), checks what
:func:`borderviz.model.layers.build_frame` checks (required values, vocabularies,
date order, geometry, unique ids) with the same messages, and spends Python
time only on the rows that fail, so a million-row file maps in seconds.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from borderviz.errors import Problem
from borderviz.io import columns as cols
from borderviz.io.readers import Table
from borderviz.io.records import RecordArray
from borderviz.model.layers import parse_value
from borderviz.model.schema import EVENT_TYPES, IMPORTED_INCIDENTS

MAX_PROBLEMS = 1000

COUNTRY_CODES = {"kyrgyzstan": "KG", "kyrgyz republic": "KG", "tajikistan": "TJ", "uzbekistan": "UZ"}
ACLED_TYPES = {
    "battles": "armed_clash",
    "violence against civilians": "shooting",
    "explosions/remote violence": "armed_clash",
    "riots": "communal_clash",
    "protests": "other",
    "strategic developments": "other",
}
ACLED_SUB_TYPES = {"arrests": "detention", "abduction/forced disappearance": "detention",
                   "looting/property destruction": "destruction", "agreement": "agreement",
                   "non-violent transfer of territory": "occupation", "mob violence": "communal_clash"}
ACLED_GEO = {"1": "settlement", "2": "approximate", "3": "district"}
ACLED_TIME = {"1": "day", "2": "week", "3": "month"}
UCDP_WHERE = {"1": "settlement", "2": "approximate", "3": "district", "4": "region", "5": "region",
              "6": "country", "7": "country"}
# GED date_prec: 1 exact day; 2 within 2-6 days; 3 the week; 4 within 8-30 days or the month; 5 longer (year).
UCDP_DATE = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
# UCDP type_of_violence: 1 state-based, 2 non-state (e.g. communities), 3 one-sided (against civilians).
UCDP_TYPES = {"1": "armed_clash", "2": "communal_clash", "3": "shooting"}

# Column names a generic file may use for each field, most specific first. KML gives a placemark's
# <TimeStamp> as `timestamp` and its <TimeSpan> as `begin`/`end`.
SYNONYMS = {
    "date_start": ("date_start", "date", "event_date", "start_date", "start", "day", "timestamp", "begin"),
    "date_end": ("date_end", "end_date", "end"),
    "event_type": ("event_type", "type", "category", "kind"),
    "place_reported": ("place_reported", "place", "location", "locality", "name", "where", "village"),
    "description": ("description", "notes", "note", "summary", "desc", "details"),
    "killed_total": ("killed_total", "killed", "fatalities", "deaths", "dead", "best"),
    "source": ("source", "sources", "url", "link", "reference"),
    "source_id": ("id", "event_id", "source_id", "uid", "fid"),
    "country": ("country", "iso2", "country_code"),
    "region": ("region", "admin1", "adm_1", "oblast"),
    "district": ("district", "admin2", "adm_2", "raion"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
}
# A file with these columns is one of borderviz's own exports of imported incidents, read back as it is.
OWN_COLUMNS = {"id", "dataset", "source_id", "date_start", "date_precision", "event_type", "country",
               "location_precision", "sources"}


class Rows:
    """The rows being mapped: their ids, and every problem found, in row order."""

    def __init__(self, file: str, table: Table, ids: pa.Array):
        self.file, self.kind, self.ids = file, table.row_kind, ids
        self.numbers = table.numbers()
        self.found: list[tuple[int, int, Problem]] = []
        self.more = 0
        self.n = len(ids)

    def where(self, i: int) -> str:
        ident = self.ids[i].as_py()
        number = int(self.numbers[i])
        return f"{self.kind} {number} (id {ident!r})" if ident else f"{self.kind} {number}"

    def flag(self, mask: np.ndarray, message: Callable[[int], str], order: int = 0) -> None:
        bad = np.flatnonzero(mask)
        room = max(0, MAX_PROBLEMS - len(self.found))
        for i in bad[:room]:
            self.found.append((int(i), order, Problem(self.file, self.where(int(i)), message(int(i)))))
        self.more += max(0, bad.size - room)

    def problems(self) -> list[Problem]:
        out = [p for _, _, p in sorted(self.found, key=lambda t: (t[0], t[1]))]
        if self.more:
            out.append(Problem(self.file, "", f"... and {self.more:,} more problems like these"))
        return out


# --- helpers over columns -----------------------------------------------------------------------------


def _columns(table: pa.Table) -> Callable[[str | None], pa.Array]:
    """A reader of the table's columns: text trimmed with blanks as null (numbers and dates keep their type),
    each converted once however often it is read."""
    cache: dict[str, pa.Array] = {}

    def column(name: str | None) -> pa.Array:
        if name is None or name not in table.column_names:
            return pa.nulls(table.num_rows, pa.string())
        if name not in cache:
            col = table.column(name)
            col = cols.one_chunk(col) if isinstance(col, pa.ChunkedArray) else col
            kind = col.type
            keep = pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_timestamp(kind) or \
                pa.types.is_date(kind)
            cache[name] = col if keep else cols.as_text(col)
        return cache[name]

    return column


def _prefixed(prefix: str, ident: pa.Array, fallback: pa.Array | None = None) -> pa.Array:
    text = cols.as_text(ident)
    if fallback is not None:
        text = pc.coalesce(text, fallback)
    return pc.binary_join_element_wise(prefix, pc.fill_null(text, ""), "")


def _country(value: str | None) -> str:
    text = (value or "").strip()
    if text.upper() in ("KG", "TJ", "UZ"):
        return text.upper()
    if text.lower() == "disputed":
        return "disputed"
    return COUNTRY_CODES.get(text.lower(), "other")


def _acled_type(event_type: str | None, sub_type: str | None) -> str:
    return ACLED_SUB_TYPES.get((sub_type or "").lower(), ACLED_TYPES.get((event_type or "").lower(), "other"))


def _generic_type(value: str | None) -> str:
    text = (value or "").strip().lower().replace(" ", "_")
    return text if text in EVENT_TYPES else "other"


def _citations(publisher: str, title: pa.Array, url: pa.Array, note: pa.Array, file: pa.Array) -> RecordArray:
    """One citation per row, as a list of one dict (``url`` or ``file``, whichever the row has)."""
    n = len(title)
    struct = pa.StructArray.from_arrays(
        [pa.repeat(pa.scalar(publisher, pa.string()), n), title, url, note, file],
        names=["publisher", "title", "url", "note", "file"])
    lists = pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), struct)
    return RecordArray(lists, "sparse")


def _dates(rows: Rows, out: dict, name: str, col: pa.Array) -> None:
    days, bad, outside = cols.dates(col)
    text = cols.as_text(col)
    out[name] = days
    rows.flag(bad, lambda i: f"{name} {text[i].as_py()!r} is not a date (YYYY-MM-DD)", 1)
    rows.flag(outside, lambda i: f"{name} {text[i].as_py()!r} is outside the dates borderviz accepts "
                                 f"({cols.FIRST_DATE} to {cols.LAST_DATE})", 1)
    if name == "date_start":
        rows.flag(cols.blank(text), lambda i: f"{name} is required but empty", 1)
        out["_bad_start"] = bad | outside | cols.blank(text)


def _killed(rows: Rows, out: dict, col: pa.Array) -> None:
    values, bad = cols.counts(col)
    raw = cols.as_text(col)

    def message(i: int) -> str:
        value = raw[i].as_py()
        number = values[i]
        if np.isnan(number) or not np.isfinite(number):
            return f"killed_total {value!r} is not a whole number"
        if number < 0:
            return f"killed_total {value} is below the minimum 0"
        if number > cols.MAX_KILLED:
            return f"killed_total {value} is above {cols.MAX_KILLED:,}, not a plausible count of deaths"
        return f"killed_total {value!r} is not a whole number"

    rows.flag(bad, message, 2)
    values = np.where(bad, np.nan, values)
    out["killed_total"] = pa.array(np.where(np.isnan(values), 0, values).astype(np.int64), mask=np.isnan(values))


def _points(rows: Rows, out: dict, lat_col: pa.Array, lon_col: pa.Array, lat_name: str, lon_name: str) -> None:
    lat, lat_bad = cols.floats(lat_col, decimal_comma=True)
    lon, lon_bad = cols.floats(lon_col, decimal_comma=True)
    lat_text, lon_text = cols.as_text(lat_col), cols.as_text(lon_col)
    missing = cols.blank(lat_text) | cols.blank(lon_text)
    rows.flag(missing, lambda i: f"has no coordinates ({lat_name}, {lon_name})", 0)
    not_numbers = ~missing & (lat_bad | lon_bad)
    rows.flag(not_numbers, lambda i: f"coordinates {lat_text[i].as_py()!r}, {lon_text[i].as_py()!r} are not numbers")
    ok = ~missing & ~not_numbers
    with np.errstate(invalid="ignore"):
        out_of_range = ok & (~np.isfinite(lat) | ~np.isfinite(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180))
        swapped = ok & ~out_of_range & (lat >= 60) & (lat <= 80) & (lon >= 36) & (lon <= 44)
    rows.flag(out_of_range, lambda i: f"coordinates out of range (latitude {lat[i]:g}, longitude {lon[i]:g}); "
                                      "expected degrees")
    rows.flag(swapped, lambda i: f"latitude {lat[i]:g} and longitude {lon[i]:g} appear swapped "
                                 "(this region lies near 40° N, 70° E)")
    good = ok & ~out_of_range & ~swapped
    out["_x"], out["_y"] = np.where(good, lon, np.nan), np.where(good, lat, np.nan)


def _geometries(rows: Rows, out: dict, geoms: np.ndarray) -> None:
    """Points from geometries: a point is kept, another valid shape gives a point inside it."""
    geoms = np.asarray(geoms, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    rows.flag(missing, lambda i: "has no geometry")
    present = ~missing
    coords_ok = np.zeros(len(geoms), dtype=bool)
    if present.any():
        bounds = shapely.bounds(geoms[present])
        with np.errstate(invalid="ignore"):
            fine = np.isfinite(bounds).all(axis=1) & (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1) & \
                   (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)
        coords_ok[present] = fine

    def range_message(i: int) -> str:
        b = shapely.bounds(geoms[i])
        return (f"coordinates out of range (longitude {b[0]:g}..{b[2]:g}, latitude {b[1]:g}..{b[3]:g}); "
                "expected lon/lat in degrees, EPSG:4326")

    rows.flag(present & ~coords_ok, range_message)
    check = present & coords_ok
    points = shapely.get_type_id(geoms) == 0
    others = check & ~points
    valid = np.ones(len(geoms), dtype=bool)
    if others.any():
        valid[others] = shapely.is_valid(geoms[others])
    rows.flag(others & ~valid, lambda i: f"geometry is invalid ({shapely.is_valid_reason(geoms[i])})")
    use = check & valid
    located = np.full(len(geoms), None, dtype=object)
    located[use & points] = geoms[use & points]
    if (use & others).any():
        located[use & others] = shapely.point_on_surface(geoms[use & others])
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[use], y[use] = shapely.get_x(located[use]), shapely.get_y(located[use])
    out["_x"], out["_y"] = x, y


def find(columns: list[str], field_name: str) -> str | None:
    lower = {c.lower(): c for c in columns}
    return next((lower[s] for s in SYNONYMS[field_name] if s in lower), None)


def _filled(columns: list[str], field_name: str, column: Callable[[str | None], pa.Array]) -> str | None:
    """The first column named like ``field_name`` that holds a value (KML has empty `timestamp` when it
    dates a placemark with a <TimeSpan>'s `begin`)."""
    lower = {c.lower(): c for c in columns}
    found = [lower[s] for s in SYNONYMS[field_name] if s in lower]
    return next((name for name in found if column(name).null_count < len(column(name))), None)


def missing_columns(file: str, columns: list[str], needed: dict[str, str]) -> list[Problem]:
    problems = []
    for what, field_name in needed.items():
        if find(columns, field_name) is None:
            close = list(dict.fromkeys(c for synonym in SYNONYMS[field_name]
                                       for c in difflib.get_close_matches(synonym, columns, n=2, cutoff=0.6)))[:2]
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            problems.append(Problem(file, "", f"has no {what} column (looked for "
                                              f"{', '.join(SYNONYMS[field_name])}){hint}. "
                                              f"Columns found: {', '.join(columns)}"))
    return problems


def _codes(rows: Rows, col: pa.Array, table: dict[str, str], name: str, known: str) -> np.ndarray:
    """A precision code mapped through ``table``; an unknown or missing code is named, never guessed."""
    mapped = cols.per_value(lambda v: table.get(v or ""), col)
    raw = cols.as_text(col)
    rows.flag(cols.blank(mapped),
              lambda i: f"{name} {raw[i].as_py()!r} is not a known code ({known}); its precision cannot be "
                        "stated", 3)
    return mapped


# --- the mappings -----------------------------------------------------------------------------------


def map_acled(table: Table, file: str) -> tuple[dict, Rows]:
    t, n = table.columns, table.columns.num_rows
    c = _columns(t)
    ident = c("event_id_cnty")
    rows = Rows(file, table, _prefixed("acled-", ident))
    out: dict[str, Any] = {"id": rows.ids, "dataset": cols.constant("acled", n)}
    out["source_id"] = cols.objects(ident)
    _dates(rows, out, "date_start", c("event_date"))
    out["date_end"] = out["date_start"]
    out["date_precision"] = _codes(rows, c("time_precision"), ACLED_TIME, "time_precision", "ACLED: 1, 2, 3")
    out["event_type"] = cols.per_value(_acled_type, c("event_type"), c("sub_event_type"))
    out["source_event_type"] = cols.per_value(lambda a, b: " / ".join(x for x in (a, b) if x) or None,
                                              c("event_type"), c("sub_event_type"))
    out["place_reported"] = cols.objects(c("location"))
    out["country"] = cols.per_value(_country, c("country"))
    out["region"], out["district"] = cols.objects(c("admin1")), cols.objects(c("admin2"))
    out["location_precision"] = cols.per_value(lambda v: ACLED_GEO.get(v or "", "region"), c("geo_precision"))
    out["source_precision"] = cols.per_value(lambda g, tp: f"geo_precision {g or ''}; time_precision {tp or ''}",
                                             c("geo_precision"), c("time_precision"))
    _killed(rows, out, c("fatalities"))
    out["description"] = cols.objects(c("notes"))
    idt = pc.fill_null(cols.as_text(ident), "")
    out["sources"] = _citations(
        "ACLED (the user's own export)", pc.coalesce(cols.as_text(c("source")), pa.scalar("ACLED event")),
        pa.repeat(pa.scalar("https://acleddata.com/"), n),
        pc.binary_join_element_wise("ACLED event ", idt, "; source scale: ",
                                    pc.coalesce(cols.as_text(c("source_scale")), pa.scalar("not given")), ""),
        pa.nulls(n, pa.string()))
    _points(rows, out, c("latitude"), c("longitude"), "latitude", "longitude")
    return out, rows


def map_ucdp(table: Table, file: str) -> tuple[dict, Rows]:
    t, n = table.columns, table.columns.num_rows
    c = _columns(t)
    ident = c("id")
    rows = Rows(file, table, _prefixed("ucdp-", ident))
    out: dict[str, Any] = {"id": rows.ids, "dataset": cols.constant("ucdp", n)}
    out["source_id"] = cols.objects(ident)
    _dates(rows, out, "date_start", c("date_start"))
    _dates(rows, out, "date_end", pc.coalesce(cols.as_text(c("date_end")), cols.as_text(c("date_start"))))
    out["date_precision"] = _codes(rows, c("date_prec"), UCDP_DATE, "date_prec", "UCDP GED: 1 to 5")
    out["event_type"] = cols.per_value(lambda v: UCDP_TYPES.get(v or "1", "other"), c("type_of_violence"))
    out["source_event_type"] = cols.per_value(lambda v, d: f"type_of_violence {v or ''}; {d or ''}".strip("; "),
                                              c("type_of_violence"), c("dyad_name"))
    out["place_reported"] = cols.objects(c("where_description"))
    out["country"] = cols.per_value(_country, c("country"))
    out["region"], out["district"] = cols.objects(c("adm_1")), cols.objects(c("adm_2"))
    out["location_precision"] = cols.per_value(lambda v: UCDP_WHERE.get(v or "", "region"), c("where_prec"))
    out["source_precision"] = cols.per_value(lambda w, d: f"where_prec {w or ''}; date_prec {d or ''}",
                                             c("where_prec"), c("date_prec"))
    _killed(rows, out, c("best"))
    out["description"] = cols.objects(pc.coalesce(cols.as_text(c("source_headline")),
                                                  cols.as_text(c("source_article"))))
    idt = pc.fill_null(cols.as_text(ident), "")
    out["sources"] = _citations(
        "UCDP Georeferenced Event Dataset (GED)",
        pc.coalesce(cols.as_text(c("source_article")), pa.scalar("UCDP GED event")),
        pa.repeat(pa.scalar("https://ucdp.uu.se/"), n),
        pc.binary_join_element_wise("GED id ", idt, ", relid ", pc.fill_null(cols.as_text(c("relid")), "None"), ""),
        pa.nulls(n, pa.string()))
    _points(rows, out, c("latitude"), c("longitude"), "latitude", "longitude")
    return out, rows


def map_generic(table: Table, file: str, stem: str) -> tuple[dict | None, Rows | list[Problem]]:
    """A generic file: a date column, and coordinates (CSV) or geometries (vector files)."""
    t, n = table.columns, table.columns.num_rows
    names = list(t.column_names)
    needed = {"date": "date_start"}
    if table.geometries is None:
        needed |= {"latitude": "latitude", "longitude": "longitude"}
    missing = missing_columns(file, names, needed)
    if missing:
        return None, missing
    col = {name: find(names, name) for name in SYNONYMS}
    by_name = _columns(t)
    dated = _filled(names, "date_start", by_name)
    if not dated:
        empty = [c for c in names if c.lower() in SYNONYMS["date_start"]]
        return None, [Problem(file, "", f"has no date column with any value (looked for "
                                        f"{', '.join(SYNONYMS['date_start'])}; {', '.join(empty)} "
                                        f"{'is' if len(empty) == 1 else 'are'} empty)")]
    col["date_start"] = dated
    c = lambda key: by_name(col[key])  # noqa: E731
    numbers = pc.cast(pa.array(table.numbers()), pa.string())
    ident_text = cols.as_text(c("source_id"))
    rows = Rows(file, table, _prefixed("file-", ident_text, numbers))
    out: dict[str, Any] = {"id": rows.ids, "dataset": cols.constant("file", n)}
    out["source_id"] = cols.objects(pc.coalesce(ident_text, numbers))
    _dates(rows, out, "date_start", c("date_start"))
    end = pc.coalesce(cols.as_text(c("date_end")), cols.as_text(c("date_start")))
    _dates(rows, out, "date_end", end)
    out["date_precision"] = cols.constant("day", n)
    out["event_type"] = cols.per_value(_generic_type, c("event_type")) if col["event_type"] else \
        cols.constant("other", n)
    out["source_event_type"] = cols.objects(c("event_type"))
    out["place_reported"] = cols.objects(c("place_reported"))
    out["country"] = cols.per_value(_country, c("country")) if col["country"] else cols.constant("other", n)
    out["region"], out["district"] = cols.objects(c("region")), cols.objects(c("district"))
    out["location_precision"] = cols.constant("approximate", n)
    out["source_precision"] = cols.constant("not given by the file; treated as approximate", n)
    if col["killed_total"]:
        _killed(rows, out, c("killed_total"))
    else:
        out["killed_total"] = pa.nulls(n, pa.int64())
    out["description"] = cols.objects(c("description"))
    source = cols.as_text(c("source"))
    is_url = pc.fill_null(pc.match_substring_regex(source, r"^https?://"), False)
    url = pc.if_else(is_url, source, pa.scalar(None, pa.string()))
    title = pc.coalesce(source, pc.binary_join_element_wise(f"{table.row_kind} ", numbers, f" of {file}", ""))
    out["sources"] = _citations(f"User file {stem}", title, url,
                                pa.repeat(pa.scalar(f"imported from {file}"), n),
                                pc.if_else(is_url, pa.scalar(None, pa.string()), pa.scalar(file)))
    if table.geometries is None:
        _points(rows, out, c("latitude"), c("longitude"), col["latitude"], col["longitude"])
    else:
        _geometries(rows, out, table.geometries)
    return out, rows


def map_own(table: Table, file: str) -> tuple[dict, Rows]:
    """borderviz's own export of imported incidents, read back with its ids, datasets and citations."""
    t, n = table.columns, table.columns.num_rows
    c = _columns(t)
    rows = Rows(file, table, pc.fill_null(cols.as_text(c("id")), ""))
    out: dict[str, Any] = {}
    for f in IMPORTED_INCIDENTS.fields:
        if f.kind == "str":
            out[f.name] = cols.objects(c(f.name))
            if f.name == "id":  # the other required fields are checked by finish()
                rows.flag(cols.blank(cols.as_text(c(f.name))), lambda i: "id is required but empty", 1)
            if f.choices:
                text = cols.as_text(c(f.name))
                bad = ~cols.blank(text) & ~pc.is_in(text, pa.array(f.choices)).to_numpy(zero_copy_only=False)
                rows.flag(bad, lambda i, f=f, text=text: f"{f.name} {text[i].as_py()!r} is not one of: "
                                                         f"{', '.join(f.choices)}", 1)
    _dates(rows, out, "date_start", c("date_start"))
    _dates(rows, out, "date_end", pc.coalesce(cols.as_text(c("date_end")), cols.as_text(c("date_start"))))
    _killed(rows, out, c("killed_total"))
    shared = exported_citation(table.provenance)
    text = cols.as_text(c("sources")).to_pylist()
    field = IMPORTED_INCIDENTS.field("sources")
    parsed: list[Any] = []
    bad = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}
    for i, value in enumerate(text):
        try:
            if shared and value:  # the fields every citation shares were written once, in the provenance
                value = [{**shared, **c} if isinstance(c, dict) else c for c in json.loads(value)]
            parsed.append(parse_value(field, value))
        except (ValueError, RecursionError) as exc:
            parsed.append(None)
            bad[i] = True
            reasons[i] = str(exc)[:200] if isinstance(exc, ValueError) else "nests too deeply"
    rows.flag(bad, lambda i: f"sources {reasons[i]}", 2)
    out["sources"] = RecordArray(pa.array([None if v is None else json.dumps(v, ensure_ascii=False)
                                           for v in parsed], pa.string()), "json")
    if table.geometries is None:
        _points(rows, out, c("latitude"), c("longitude"), "latitude", "longitude")
    else:
        _geometries(rows, out, table.geometries)
    return out, rows


def exported_citation(provenance: dict | None) -> dict[str, Any]:
    """The citation fields a borderviz export of imported incidents wrote once for every row."""
    layer = ((provenance or {}).get("imported") or {}).get(IMPORTED_INCIDENTS.name) or {}
    citation = layer.get("citation") if isinstance(layer, dict) else None
    return {str(k): v for k, v in citation.items() if isinstance(v, str)} if isinstance(citation, dict) else {}


# --- the file's own columns ------------------------------------------------------------------------------

# Names an imported file's own column does not keep (it is prefixed with the dataset instead): borderviz's
# columns, and those its exports use for geometry (CSV: latitude/longitude/wkt; GeoParquet: bbox; GDAL: fid).
RESERVED = frozenset({c.lower() for c in IMPORTED_INCIDENTS.columns} |
                     {"geometry", "geom", "latitude", "longitude", "wkt", "bbox", "fid", "ogc_fid", "_x", "_y"})
# Columns a borderviz export adds that are not the file's own (read back from it, not kept).
EXPORT_ADDED = frozenset({"latitude", "longitude", "wkt", "bbox", "geometry"})
_DECIMAL = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


SAMPLE_ROWS = 2000


def _all(text: pa.Array, pattern: str) -> bool:
    """Every value (not null) matches ``pattern``, and there is one: tried on the first rows first, so that a
    column of free text is given up after a few thousand values, not a million."""
    if text.null_count == len(text):
        return False
    head = text.slice(0, SAMPLE_ROWS)
    for part in (head, text) if len(text) > SAMPLE_ROWS else (text,):
        if not bool(pc.all(pc.match_substring_regex(part, pattern), skip_nulls=True).as_py()):
            return False
    return True


def _whole_numbers(text: pa.Array) -> pa.Array | None:
    """int64 if every value is a whole number written as Python writes it (no sign but '-', no leading zero,
    no space), so that writing it again gives the same text."""
    if bool(pc.any(pc.match_substring(text, ".")).as_py()):  # decimals: a failing cast would cost more
        return None
    try:
        numbers = text.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    longer = pc.greater(pc.utf8_length(text), 1)
    for start in ("0", "-0"):
        if bool(pc.any(pc.and_(pc.starts_with(text, start), longer)).as_py()):
            return None
    if bool(pc.any(pc.starts_with(text, "+")).as_py()) or bool(pc.any(pc.equal(text, "-0")).as_py()):
        return None
    return numbers


def _decimals(text: pa.Array) -> pa.Array | None:
    """float64 if every value is a finite decimal written plainly (no '+', no leading zero or bare point)."""
    try:
        values = text.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if not bool(pc.all(pc.is_finite(values), skip_nulls=True).as_py()):
        return None  # nan, inf, or beyond a double: kept as written
    if any(bool(pc.any(pc.starts_with(text, start)).as_py()) for start in ("+", ".", "-.")) or \
            bool(pc.any(pc.ends_with(text, ".")).as_py()) or \
            bool(pc.any(pc.match_substring_regex(text, "^-?0[0-9]")).as_py()):
        return None
    return values


def _iso_days(text: pa.Array) -> pa.Array | None:
    """date32 if every value is a real day written YYYY-MM-DD (2022-02-30 is none: it would roll over);
    checked on the distinct values, which a column of days has few of."""
    encoded = text.dictionary_encode()
    days_text = encoded.dictionary
    if not _all(days_text, _ISO_DATE):
        return None
    days = pc.strptime(days_text, format="%Y-%m-%d", unit="s", error_is_null=True)
    if days.null_count or not bool(pc.all(pc.equal(pc.strftime(days, format="%Y-%m-%d"), days_text)).as_py()):
        return None
    return days.cast(pa.date32()).take(encoded.indices)


def typed(col: pa.Array, numbers: bool) -> pa.Array:
    """A file's column with its values' type: text that is all whole numbers (written without leading zeros)
    as int64, all decimals as float64 (``numbers``: for text formats), all ISO days (real ones: 2022-02-30 stays
    text) as date32; anything else as it is. Empty text is null; lists and objects are JSON text."""
    col = cols.one_chunk(col) if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    if pa.types.is_null(col.type):
        return pa.nulls(len(col), pa.string())
    if not pa.types.is_string(col.type):
        if pa.types.is_list(col.type) or pa.types.is_struct(col.type) or pa.types.is_large_list(col.type) or \
                pa.types.is_map(col.type):
            return cols.as_text(col)
        return col
    values = text = cols._empty_as_null(col)  # text with spaces around it stays text, as written
    if numbers and _all(text.slice(0, SAMPLE_ROWS), _DECIMAL):
        found = _whole_numbers(text)
        found = found if found is not None else _decimals(text)
        if found is not None:
            return found
    if _all(text.slice(0, SAMPLE_ROWS), _ISO_DATE):
        days = _iso_days(text)
        if days is not None:
            return days
    return values


def file_columns(table: Table, dataset: str, own: bool = False) -> list[tuple[str, pa.Array]]:
    """The file's own columns, typed (:func:`typed`), each under its own name or, where that name is
    :data:`RESERVED` (case-insensitively), prefixed with ``dataset``. For borderviz's own export (``own``):
    the columns that are not borderviz's, as they are named there."""
    out, taken = [], set(RESERVED)
    for name in table.columns.column_names:
        if own and (name in IMPORTED_INCIDENTS.columns or name.lower() in EXPORT_ADDED):
            continue
        kept = name
        while not own and kept.lower() in taken:
            kept = f"{dataset}_{kept}"
        taken.add(kept.lower())
        out.append((kept, typed(table.columns.column(name), numbers=table.row_kind == "row")))
    return out


# --- the frame ------------------------------------------------------------------------------------------


def finish(out: dict, rows: Rows, file: str, extra: list[tuple[str, pa.Array]] = ()) -> \
        tuple[pa.Table | None, list[Problem]]:
    """Check what build_frame checks; if nothing is wrong, the rows as an Arrow table in the schema's
    column order, then the ``extra`` columns (the file's own), then the points as ``_x``/``_y``
    (``possible_duplicate_of`` still empty)."""
    start, end = out["date_start"], out["date_end"]
    with np.errstate(invalid="ignore"):
        backwards = ~np.isnat(start) & ~np.isnat(end) & (end < start)
    rows.flag(backwards, lambda i: f"date_end {str(end[i])[:10]} is before date_start {str(start[i])[:10]}", 1)
    for f in IMPORTED_INCIDENTS.fields:
        value = out.get(f.name)
        if f.required and f.kind == "str" and isinstance(value, pa.Array) and f.name != "id" and value.null_count:
            rows.flag(cols.blank(value), lambda i, f=f: f"{f.name} is required but empty", 1)
    problems = rows.problems()
    bad_start = out.get("_bad_start")
    if bad_start is not None and bad_start.any():
        wheres = {rows.where(i) for i in np.flatnonzero(bad_start)[:MAX_PROBLEMS]}
        problems = [p for p in problems if not (p.message.startswith("date_end ") and p.where in wheres)]
    counts = pc.value_counts(rows.ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values").to_pylist()
    problems += [Problem(file, f"id {dup!r}", "id is not unique") for dup in sorted(repeated, key=str)[:100]]
    if problems:
        return None, problems
    n = rows.n
    arrays, fields = [], []
    for f in IMPORTED_INCIDENTS.fields:
        value = out.get(f.name)
        meta = None
        if f.name == "possible_duplicate_of":
            value = pa.nulls(n, pa.string())
        elif f.kind == "date":
            value = pa.array(value.astype("datetime64[ns]"), pa.timestamp("ns"))
        elif isinstance(value, RecordArray):
            value, meta = value.storage, {b"record": value.mode.encode()}
        elif f.kind == "int":
            value = value.cast(pa.int64())
        else:
            value = value if pa.types.is_dictionary(value.type) else cols.as_text(value)
        arrays.append(value)
        fields.append(pa.field(f.name, value.type, metadata=meta))
    for name, value in extra:
        arrays.append(value)
        fields.append(pa.field(name, value.type))
    for name in ("_x", "_y"):
        arrays.append(pa.array(out[name], pa.float64()))
        fields.append(pa.field(name, pa.float64()))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields)), []


def to_frame(table: pa.Table) -> gpd.GeoDataFrame:
    """The imported incidents as the app uses them: object text, datetime64 days, Int64 counts,
    :class:`RecordArray` for the per-row dicts and lists, and points."""
    data = {}
    for field in table.schema:
        if field.name in ("_x", "_y"):
            continue
        col = cols.one_chunk(table.column(field.name))
        if field.name not in IMPORTED_INCIDENTS.columns:  # the file's own columns stay in Arrow
            data[field.name] = pd.Series(pd.arrays.ArrowExtensionArray(col), copy=False)
            continue
        kind = IMPORTED_INCIDENTS.field(field.name).kind
        if field.metadata and b"record" in field.metadata:
            # a copy, so that the frame does not keep the whole of the table's buffers alive
            col = pa.concat_arrays([col, pa.array([], col.type)])
            data[field.name] = pd.Series(RecordArray(col, field.metadata[b"record"].decode()))
        elif kind == "date":
            data[field.name] = pd.Series(col.to_numpy(zero_copy_only=False), dtype="datetime64[ns]")
        elif kind == "int":
            missing = col.is_null().to_numpy(zero_copy_only=False)
            values = col.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            data[field.name] = pd.Series(pd.arrays.IntegerArray(values, missing))
        elif pa.types.is_dictionary(col.type):
            values = np.empty(len(col.dictionary) + 1, dtype=object)
            values[:-1] = col.dictionary.to_pylist()
            data[field.name] = pd.Series(values[col.indices.fill_null(len(col.dictionary)).to_numpy()], dtype=object)
        else:
            data[field.name] = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    points = gpd.points_from_xy(table.column("_x").to_numpy(), table.column("_y").to_numpy(), crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.DataFrame(data, copy=False), geometry=points, crs="EPSG:4326")
