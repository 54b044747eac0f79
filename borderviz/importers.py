"""Import a user's own incidents: ACLED and UCDP GED exports, and generic files.

Accepted: ACLED CSV, UCDP GED CSV, and GeoJSON, GeoPackage, KML, zipped
Shapefile or CSV with latitude/longitude columns. Rows are mapped onto the
incident schema (:data:`borderviz.schema.IMPORTED_INCIDENTS`), keeping the
source dataset's ids, precision codes and raw fields, and flagged when they
likely duplicate a built-in incident (within a day and 5 km).

A file is checked before any parser sees it (size, zip members and
compression ratio, XML entities), and every problem found is reported
together, naming the file, the row or feature and the problem. A refused
file loads nothing: what was loaded before stays as it was.

ACLED's terms forbid redistributing its rows: imported rows live in the
user's session and exports only, never in this repository.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from defusedxml import ElementTree as safe_xml
from defusedxml.common import DefusedXmlException

from .errors import InputError, Problem
from .geodesy import WGS84
from .layers import build_frame, is_null
from .schema import EVENT_TYPES, IMPORTED_INCIDENTS

ACCEPTED_SUFFIXES = ("csv", "geojson", "json", "gpkg", "kml", "zip")
MAX_BYTES = 25 * 1024 * 1024
ZIP_MAX_MEMBERS = 12
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd"}
DUPLICATE_DAYS = 1
DUPLICATE_KM = 5.0

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
UCDP_DATE = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
# UCDP type_of_violence: 1 state-based, 2 non-state (e.g. communities), 3 one-sided (against civilians).
UCDP_TYPES = {"1": "armed_clash", "2": "communal_clash", "3": "shooting"}

# Column names a generic file may use for each field, most specific first.
SYNONYMS = {
    "date_start": ("date_start", "date", "event_date", "start_date", "start", "day"),
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


@dataclass
class ImportResult:
    """What a file gave: the incidents, which dataset it was, and warnings that did not stop it."""

    frame: gpd.GeoDataFrame
    dataset: str
    file: str
    warnings: list[str] = field(default_factory=list)
    attribution: list[dict[str, str]] = field(default_factory=list)


# --- checks before parsing ------------------------------------------------------------


def check_zip(data: bytes, file: str) -> tuple[str, dict[str, bytes]]:
    """The members of a zipped Shapefile, after checking names, count, sizes and ratios."""
    problems = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError([Problem(file, "", "is not a valid zip file")]) from None
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > ZIP_MAX_MEMBERS:
        problems.append(Problem(file, "", f"has {len(infos)} files; a zipped Shapefile has at most "
                                          f"{ZIP_MAX_MEMBERS}"))
    total = 0
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or ":" in name or name.startswith(("/", "\\")):
            problems.append(Problem(file, f"member {name!r}", "has a path-like name (absolute, '..' "
                                                              "or a drive); refused"))
            continue
        if pure.suffix.lower() not in SHAPEFILE_PARTS:
            problems.append(Problem(file, f"member {name!r}", "is not part of a Shapefile "
                                    f"(expected {', '.join(sorted(SHAPEFILE_PARTS))})"))
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO:
            problems.append(Problem(file, f"member {name!r}",
                                    f"expands {info.file_size / info.compress_size:.0f}-fold "
                                    f"(limit {ZIP_MAX_RATIO}); refused as a possible zip bomb"))
    if total > ZIP_MAX_UNCOMPRESSED:
        problems.append(Problem(file, "", f"would expand to {total / 1e6:.0f} MB "
                                          f"(limit {ZIP_MAX_UNCOMPRESSED / 1e6:.0f} MB)"))
    shps = [i.filename for i in infos if i.filename.lower().endswith(".shp")]
    if len(shps) != 1 and not problems:
        problems.append(Problem(file, "", f"holds {len(shps)} .shp files; expected exactly one"))
    if problems:
        raise InputError(problems)
    try:
        members = {PurePosixPath(i.filename).name: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as exc:
        raise InputError([Problem(file, "", f"cannot be unpacked ({exc}); an encrypted or damaged zip?")]) \
            from None
    return PurePosixPath(shps[0]).name, members


def check_kml(data: bytes, file: str):
    """Parse KML safely and return its root; refuse DTDs, entities and links to other files.

    DTDs and entities allow XXE and "billion laughs"; NetworkLink elements
    would make the reader fetch other files or URLs.
    """
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError([Problem(file, "", f"contains a DTD or XML entities ({type(exc).__name__}); "
                                            "refused for safety")]) from None
    except safe_xml.ParseError as exc:
        raise InputError([Problem(file, f"line {exc.position[0]}", f"is not well-formed XML ({exc})")]) \
            from None
    if any(el.tag.rsplit("}", 1)[-1] == "NetworkLink" for el in root.iter()):
        raise InputError([Problem(file, "", "contains a NetworkLink to other files; refused for safety")])
    return root


# --- reading ----------------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(file, "", "is not text in UTF-8 or Windows-1251")])


def read_csv_rows(data: bytes, file: str) -> list[dict[str, str]]:
    text = _decode(data, file)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    except csv.Error as exc:
        raise InputError([Problem(file, "", f"is not valid CSV ({exc})")]) from None
    if not rows:
        raise InputError([Problem(file, "", "has no data rows")])
    ragged = [i for i, r in enumerate(rows, start=2) if None in r or None in r.values()]
    if ragged:
        raise InputError([Problem(file, f"row {n}", "has a different number of fields than the header")
                          for n in ragged[:20]])
    return [{(k or "").strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items()} for r in rows]


# What each accepted suffix must be, checked before GDAL sees the file: GDAL
# picks a format by content, so a GDAL "VRT" (XML pointing at other files or
# URLs) renamed to .kml or .gpkg would otherwise read files on the server.
EXPECTED_DRIVERS = {"geojson": {"GeoJSON"}, "json": {"GeoJSON"}, "gpkg": {"GPKG"}, "kml": {"LIBKML", "KML"},
                    "zip": {"ESRI Shapefile"}}
SHP_MAGIC = b"\x00\x00\x27\x0a"  # a Shapefile's file code, 9994, big-endian


def check_signature(data: bytes, file: str, suffix: str, where: str = "") -> None:
    """Refuse a file whose content is not what its name says, before any parser opens it."""
    if suffix == "gpkg":
        ok = data.startswith(b"SQLite format 3\x00")
    elif suffix in ("geojson", "json"):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(file, f"line {exc.lineno} column {exc.colno}",
                                      f"is not valid JSON: {exc.msg}")]) from None
        ok = isinstance(doc, dict) and doc.get("type") in ("FeatureCollection", "Feature")
    elif suffix == "kml":
        root = check_kml(data, file)
        ok = root.tag.rsplit("}", 1)[-1] == "kml"
    elif suffix == "shp":
        ok = data.startswith(SHP_MAGIC)
    else:
        ok = True
    if not ok:
        raise InputError([Problem(file, where, f"is not a {suffix.upper()} file (its content does not match "
                                               "its name); refused")])


def read_vector(data: bytes, file: str, suffix: str) -> tuple[gpd.GeoDataFrame, list[str]]:
    """A GDAL-readable file as a frame in EPSG:4326; warnings say what was reprojected.

    The upload is written to a temporary folder that is deleted before this
    returns: nothing a user brings is kept on disk.
    """
    with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
        folder = Path(tmp)
        if suffix == "zip":
            shp_name, members = check_zip(data, file)
            check_signature(members[shp_name], file, "shp", where=f"member {shp_name!r}")
            for name, content in members.items():
                (folder / name).write_bytes(content)
            path = folder / shp_name
            if not any(Path(n).suffix.lower() == ".prj" for n in members):
                raise InputError([Problem(file, "", "has no .prj file, so its coordinate system is unknown; "
                                                    "add the .prj or export it in EPSG:4326")])
        else:
            check_signature(data, file, suffix)
            path = folder / f"upload.{suffix}"
            path.write_bytes(data)
        try:
            driver = pyogrio.read_info(path, layer=0)["driver"]
            if driver not in EXPECTED_DRIVERS[suffix]:
                raise InputError([Problem(file, "", f"was read as {driver}, not {suffix.upper()}; refused")])
            spatial = [name for name, geometry in pyogrio.list_layers(path) if geometry is not None]
            parts = [pyogrio.read_dataframe(path, layer=name, datetime_as_string=True) for name in spatial]
        except InputError:
            raise
        except Exception as exc:  # GDAL reports many kinds of broken files
            raise InputError([Problem(file, "", f"cannot be read as {suffix.upper()}: {exc}")]) from None
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError([Problem(file, "", "has no features")])
    warnings: list[str] = []
    frames = []
    for part in parts:
        if part.crs is None:
            raise InputError([Problem(file, "", "declares no coordinate system; export it in EPSG:4326 "
                                                "(longitude/latitude) or include the CRS")])
        if part.crs.to_epsg() != 4326:
            warnings.append(f"{file}: reprojected from {part.crs.to_string()} to EPSG:4326")
            part = part.to_crs(4326)
        frames.append(part)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=4326), warnings


# --- mapping rows onto the incident schema -------------------------------------------------------


def _find(columns: list[str], field_name: str) -> str | None:
    lower = {c.lower(): c for c in columns}
    return next((lower[s] for s in SYNONYMS[field_name] if s in lower), None)


def _missing(file: str, columns: list[str], needed: dict[str, str]) -> list[Problem]:
    problems = []
    for what, field_name in needed.items():
        if _find(columns, field_name) is None:
            close = list(dict.fromkeys(c for synonym in SYNONYMS[field_name]
                                       for c in difflib.get_close_matches(synonym, columns, n=2, cutoff=0.6)))[:2]
            hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
            problems.append(Problem(file, "", f"has no {what} column (looked for "
                                              f"{', '.join(SYNONYMS[field_name])}){hint}. "
                                              f"Columns found: {', '.join(columns)}"))
    return problems


def _date(value: Any) -> str | None:
    """ISO date text from the date formats people's files hold; unparseable text is kept as is."""
    if is_null(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return pd.Timestamp(value).date().isoformat()
    text = str(value).strip()
    if len(text) > 10 and text[10] in " T" and text[:4].isdigit():  # e.g. UCDP's "2016-05-01 00:00:00.000"
        text = text[:10]
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text  # left as is; validation names the row


def _number(value: Any) -> Any:
    if is_null(value):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return value


def _coordinates(row: dict[str, Any], file: str, where: str, lat_col: str, lon_col: str,
                 problems: list[Problem]) -> shapely.Point | None:
    lat, lon = _number(row.get(lat_col)), _number(row.get(lon_col))
    if lat is None or lon is None:
        problems.append(Problem(file, where, f"has no coordinates ({lat_col}, {lon_col})"))
        return None
    if not isinstance(lat, float) or not isinstance(lon, float):
        problems.append(Problem(file, where, f"coordinates {row.get(lat_col)!r}, {row.get(lon_col)!r} "
                                             "are not numbers"))
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        problems.append(Problem(file, where, f"coordinates out of range (latitude {lat:g}, longitude "
                                             f"{lon:g}); expected degrees"))
        return None
    if 60 <= lat <= 80 and 36 <= lon <= 44:
        problems.append(Problem(file, where, f"latitude {lat:g} and longitude {lon:g} appear swapped "
                                             "(this region lies near 40° N, 70° E)"))
        return None
    return shapely.Point(lon, lat)


def _country(value: Any) -> str:
    text = str(value or "").strip()
    if text.upper() in ("KG", "TJ", "UZ"):
        return text.upper()
    if text.lower() == "disputed":
        return "disputed"
    return COUNTRY_CODES.get(text.lower(), "other")


def _acled_type(event_type: str, sub_type: str) -> str:
    return ACLED_SUB_TYPES.get(sub_type.lower(), ACLED_TYPES.get(event_type.lower(), "other"))


def _cite(publisher: str, title: str, url: str | None, note: str, file: str | None = None) -> list[dict[str, str]]:
    """One citation; a row from the user's own file cites the file when it gives no web address."""
    citation = {"publisher": publisher, "title": title or publisher, "note": note}
    if url:
        citation["url"] = url
    else:
        citation["file"] = file
    return [citation]


def map_acled(rows: list[dict[str, str]], file: str) -> tuple[list[dict], list, list[Problem]]:
    records, geoms, problems = [], [], []
    for n, row in enumerate(rows, start=2):
        where = f"row {n} (id 'acled-{row.get('event_id_cnty')}')"
        point = _coordinates(row, file, where, "latitude", "longitude", problems)
        day = _date(row.get("event_date"))
        records.append({
            "id": f"acled-{row.get('event_id_cnty')}",
            "dataset": "acled",
            "source_id": row.get("event_id_cnty"),
            "date_start": day,
            "date_end": day,
            "date_precision": ACLED_TIME.get(str(row.get("time_precision")), "day"),
            "event_type": _acled_type(row.get("event_type") or "", row.get("sub_event_type") or ""),
            "source_event_type": " / ".join(x for x in (row.get("event_type"), row.get("sub_event_type")) if x),
            "place_reported": row.get("location"),
            "country": _country(row.get("country")),
            "region": row.get("admin1"),
            "district": row.get("admin2"),
            "location_precision": ACLED_GEO.get(str(row.get("geo_precision")), "region"),
            "source_precision": f"geo_precision {row.get('geo_precision')}; time_precision "
                                f"{row.get('time_precision')}",
            "killed_total": row.get("fatalities"),
            "description": row.get("notes"),
            "source_fields": dict(row),
            "sources": _cite("ACLED (the user's own export)", row.get("source") or "ACLED event",
                             "https://acleddata.com/", f"ACLED event {row.get('event_id_cnty')}; "
                             f"source scale: {row.get('source_scale') or 'not given'}"),
        })
        geoms.append(point)
    return records, geoms, problems


def map_ucdp(rows: list[dict[str, str]], file: str) -> tuple[list[dict], list, list[Problem]]:
    records, geoms, problems = [], [], []
    for n, row in enumerate(rows, start=2):
        where = f"row {n} (id 'ucdp-{row.get('id')}')"
        point = _coordinates(row, file, where, "latitude", "longitude", problems)
        records.append({
            "id": f"ucdp-{row.get('id')}",
            "dataset": "ucdp",
            "source_id": row.get("id"),
            "date_start": _date(row.get("date_start")),
            "date_end": _date(row.get("date_end") or row.get("date_start")),
            "date_precision": UCDP_DATE.get(str(row.get("date_prec")), "day"),
            "event_type": UCDP_TYPES.get(str(row.get("type_of_violence") or "1"), "other"),
            "source_event_type": f"type_of_violence {row.get('type_of_violence')}; {row.get('dyad_name') or ''}"
                                 .strip("; "),
            "place_reported": row.get("where_description"),
            "country": _country(row.get("country")),
            "region": row.get("adm_1"),
            "district": row.get("adm_2"),
            "location_precision": UCDP_WHERE.get(str(row.get("where_prec")), "region"),
            "source_precision": f"where_prec {row.get('where_prec')}; date_prec {row.get('date_prec')}",
            "killed_total": row.get("best"),
            "description": row.get("source_headline") or row.get("source_article"),
            "source_fields": dict(row),
            "sources": _cite("UCDP Georeferenced Event Dataset (GED)", row.get("source_article") or "UCDP GED event",
                             "https://ucdp.uu.se/", f"GED id {row.get('id')}, relid {row.get('relid')}"),
        })
        geoms.append(point)
    return records, geoms, problems


def _generic_type(value: Any) -> str:
    text = str(value or "").strip().lower().replace(" ", "_")
    return text if text in EVENT_TYPES else "other"


def map_generic(frame: pd.DataFrame, geoms: list | None, file: str, stem: str,
                row_kind: str) -> tuple[list[dict], list, list[Problem]]:
    """Rows of a generic file (CSV with coordinates, or a vector file) onto the schema."""
    columns = [c for c in frame.columns if c != "geometry"]
    needed = {"date": "date_start"}
    if geoms is None:
        needed |= {"latitude": "latitude", "longitude": "longitude"}
    problems = _missing(file, columns, needed)
    if problems:
        return [], [], problems
    col = {name: _find(columns, name) for name in SYNONYMS}
    records, points = [], []
    for i, row in enumerate(frame.to_dict("records")):
        n = i + (2 if row_kind == "row" else 1)
        ident = row.get(col["source_id"]) if col["source_id"] else None
        where = f"{row_kind} {n} (id 'file-{ident if not is_null(ident) else n}')"
        if geoms is None:
            point = _coordinates(row, file, where, col["latitude"], col["longitude"], problems)
        else:
            point = geoms[i]
            if point is not None and point.geom_type != "Point":
                if not point.is_valid:
                    problems.append(Problem(file, where, f"geometry is invalid "
                                                         f"({shapely.is_valid_reason(point)})"))
                    point = None
                else:
                    point = point.representative_point()
        start = _date(row.get(col["date_start"]))
        source = row.get(col["source"]) if col["source"] else None
        url = source if isinstance(source, str) and source.startswith(("http://", "https://")) else None
        records.append({
            "id": f"file-{ident if not is_null(ident) else n}",
            "dataset": "file",
            "source_id": str(ident) if not is_null(ident) else str(n),
            "date_start": start,
            "date_end": (_date(row.get(col["date_end"])) if col["date_end"] else None) or start,
            "date_precision": "day",
            "event_type": _generic_type(row.get(col["event_type"])) if col["event_type"] else "other",
            "source_event_type": row.get(col["event_type"]) if col["event_type"] else None,
            "place_reported": row.get(col["place_reported"]) if col["place_reported"] else None,
            "country": _country(row.get(col["country"])) if col["country"] else "other",
            "region": row.get(col["region"]) if col["region"] else None,
            "district": row.get(col["district"]) if col["district"] else None,
            "location_precision": "approximate",
            "source_precision": "not given by the file; treated as approximate",
            "killed_total": _number(row.get(col["killed_total"])) if col["killed_total"] else None,
            "description": row.get(col["description"]) if col["description"] else None,
            "source_fields": {k: _plain(v) for k, v in row.items() if k != "geometry"},
            "sources": _cite(f"User file {stem}", str(source or f"row {n} of {file}"), url,
                             f"imported from {file}", file=file),
        })
        points.append(point)
    return records, points, problems


def _plain(value: Any) -> Any:
    if is_null(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) else str(value)


# --- duplicates ----------------------------------------------------------------------------


def flag_duplicates(imported: gpd.GeoDataFrame, builtin: gpd.GeoDataFrame) -> list[str | None]:
    """For each imported incident, the built-in ones within a day and 5 km (comma-joined).

    "Within a day" means the two incidents' date ranges, each widened by a
    day, overlap: a report of the last day of a four-day clash still matches.
    """
    out = []
    b_start = builtin["date_start"].to_numpy()
    b_end = builtin["date_end"].fillna(builtin["date_start"]).to_numpy()
    b_x = builtin.geometry.x.to_numpy()
    b_y = builtin.geometry.y.to_numpy()
    window = np.timedelta64(DUPLICATE_DAYS, "D")
    ends = imported["date_end"].fillna(imported["date_start"])
    for start, end, point in zip(imported["date_start"], ends, imported.geometry, strict=True):
        near_in_time = (b_start <= np.datetime64(end) + window) & (b_end >= np.datetime64(start) - window)
        if not near_in_time.any():
            out.append(None)
            continue
        idx = np.flatnonzero(near_in_time)
        _, _, metres = WGS84.inv(np.full(idx.size, point.x), np.full(idx.size, point.y), b_x[idx], b_y[idx])
        hits = builtin["id"].to_numpy()[idx[metres <= DUPLICATE_KM * 1000]]
        out.append(", ".join(hits) if hits.size else None)
    return out


# --- the entry point ---------------------------------------------------------------------------


def detect(columns: list[str]) -> str:
    """'acled', 'ucdp' or 'file', from a CSV's header."""
    names = set(columns)
    if {"event_id_cnty", "event_date", "geo_precision"} <= names:
        return "acled"
    if {"where_prec", "date_prec", "best"} <= names and "id" in names:
        return "ucdp"
    return "file"


ATTRIBUTION = {
    "acled": {"text": "Armed Conflict Location & Event Data (ACLED), from the user's own export; cite "
                      "ACLED with your access date and filters, per its terms", "url": "https://acleddata.com/"},
    "ucdp": {"text": "UCDP Georeferenced Event Dataset (GED), CC BY 4.0; cite Sundberg & Melander (2013) "
                     "and Davies et al.", "url": "https://ucdp.uu.se/"},
    "file": {"text": "Incidents from a file the user imported; cite that file's own sources", "url": ""},
}


def import_file(name: str, data: bytes, builtin: gpd.GeoDataFrame) -> ImportResult:
    """Read ``data`` (a file called ``name``) into imported incidents, or raise InputError."""
    file = Path(name).name
    suffix = Path(name).suffix.lower().lstrip(".")
    if len(data) > MAX_BYTES:
        raise InputError([Problem(file, "", f"is {len(data) / 1e6:.1f} MB; the limit is "
                                            f"{MAX_BYTES / 1e6:.0f} MB")])
    if suffix not in ACCEPTED_SUFFIXES:
        raise InputError([Problem(file, "", f"has an unsupported type '.{suffix}'; accepted: "
                                            f"{', '.join('.' + s for s in ACCEPTED_SUFFIXES)}")])
    warnings: list[str] = []
    if suffix == "csv":
        rows = read_csv_rows(data, file)
        dataset = detect(list(rows[0]))
        if dataset == "acled":
            records, geoms, problems = map_acled(rows, file)
        elif dataset == "ucdp":
            records, geoms, problems = map_ucdp(rows, file)
        else:
            records, geoms, problems = map_generic(pd.DataFrame(rows), None, file, Path(name).stem, "row")
        row_kind, first = "row", 2
    else:
        frame, warnings = read_vector(data, file, suffix)
        dataset = "file"
        records, geoms, problems = map_generic(frame, list(frame.geometry), file, Path(name).stem, "feature")
        row_kind, first = "feature", 1
    if problems:
        raise InputError(problems)
    built, more = build_frame(IMPORTED_INCIDENTS, records, geoms, file, row_kind=row_kind, first_row=first)
    bad_start = {p.where for p in more if p.message.startswith("date_start ")}
    more = [p for p in more if not (p.message.startswith("date_end ") and p.where in bad_start)]
    if more:
        raise InputError(more)
    built["possible_duplicate_of"] = pd.Series(flag_duplicates(built, builtin), index=built.index, dtype=object)
    return ImportResult(built, dataset, file, warnings, [ATTRIBUTION[dataset]])
