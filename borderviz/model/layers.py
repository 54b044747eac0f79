"""Load borderviz layers from ``data/`` and validate them against :mod:`borderviz.model.schema`.

Each layer is one file. Loading checks every row against the layer's columns
(types, vocabularies, ranges, required values), its geometry (type, validity,
coordinates in range) and the whole file (unique ids, ordered dates), collects
every problem and raises them together as one :class:`~borderviz.errors.DataError`.

GeoJSON is read with the standard ``json`` module rather than GDAL so that
list-valued properties (``sources``, ``figures``) arrive as lists, not text.

>>> incidents = read_layer("incidents")          # doctest: +SKIP
>>> incidents.crs.to_epsg()                      # doctest: +SKIP
4326
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from borderviz.errors import DataError, Problem
from borderviz.model.schema import LAYERS, Field, LayerSpec


def _resource_root() -> Path:
    """The folder holding ``data/`` and ``docs/``: the installed package, or the checkout.

    A wheel ships the layers and the app's notes inside the package
    (``borderviz/data``, ``borderviz/docs``; see pyproject.toml); in a checkout
    (and an editable install) they are at the top of the repository.
    """
    package = Path(__file__).resolve().parent.parent
    return package if (package / "data" / "incidents.geojson").is_file() else package.parent


# Where data/ and docs/ are found (named for the checkout, where it is the repository).
RESOURCE_ROOT = REPO_ROOT = _resource_root()


def data_dir() -> Path:
    """The folder holding the layers: ``$BORDERVIZ_DATA`` if set, else the shipped ``data/``."""
    return Path(os.environ.get("BORDERVIZ_DATA", RESOURCE_ROOT / "data"))


# --- values -------------------------------------------------------------------


class _Bad(Exception):
    """A value that does not fit its column; the message says why."""


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else dt.date.fromisoformat(text)
    except ValueError as exc:
        raise _Bad(f"{text!r} is not a date (YYYY-MM-DD)") from exc


_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _parse_partial_date(value: Any) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return _parse_date(value).isoformat()
    text = str(value).strip()
    if not _PARTIAL_DATE.match(text):
        raise _Bad(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    try:
        dt.date.fromisoformat((text + "-01-01")[:10] if len(text) < 10 else text)
    except ValueError as exc:
        raise _Bad(f"{text!r} is not a real date") from exc
    return text


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _Bad(f"{value!r} is not a whole number")
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError as exc:
            raise _Bad(f"{text!r} is not a whole number") from exc
        if as_float.is_integer():
            return int(as_float)
        raise _Bad(f"{text!r} is not a whole number") from None


def _parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad(f"{value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise _Bad(f"{value!r} is not a number") from exc
    if not math.isfinite(number):
        raise _Bad(f"{value!r} is not a finite number")
    return number


def _parse_json(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return value
    try:
        return json.loads(str(value))
    except json.JSONDecodeError as exc:
        raise _Bad(f"not valid JSON ({exc.msg})") from exc


def _parse_sources(value: Any) -> list[dict]:
    """Citations: publisher, title and an http(s) url; or, for a user's own file, the file's name."""
    sources = _parse_json(value)
    if not isinstance(sources, list) or not sources:
        raise _Bad("must be a non-empty list of citations")
    for i, src in enumerate(sources):
        if not isinstance(src, dict):
            raise _Bad(f"citation {i + 1} is not an object")
        where = "url" if src.get("url") or not src.get("file") else "file"
        missing = [k for k in ("publisher", "title", where) if not str(src.get(k) or "").strip()]
        if missing:
            raise _Bad(f"citation {i + 1} lacks {', '.join(missing)}")
        if where == "url" and not str(src["url"]).startswith(("https://", "http://")):
            raise _Bad(f"citation {i + 1} url {src['url']!r} is not an http(s) address")
    return sources


_PARSERS = {
    "str": lambda v: str(v),
    "int": _parse_int,
    "float": _parse_float,
    "date": _parse_date,
    "partial_date": _parse_partial_date,
    "json": _parse_json,
    "sources": _parse_sources,
}


def is_null(value: Any) -> bool:
    """True for None, NaN, NaT, pd.NA and blank strings."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def parse_value(f: Field, value: Any) -> Any:
    """Convert ``value`` to the Python type of column ``f``; raise ValueError saying why not."""
    if is_null(value):
        if f.required:
            raise ValueError("is required but empty")
        return None
    try:
        parsed = _PARSERS[f.kind](value)
    except _Bad as exc:
        raise ValueError(str(exc)) from None
    if f.choices is not None and parsed not in f.choices:
        allowed = ", ".join(str(c) for c in f.choices)
        raise ValueError(f"{parsed!r} is not one of: {allowed}")
    if f.minimum is not None and parsed < f.minimum:
        raise ValueError(f"{parsed!r} is below the minimum {f.minimum:g}")
    if f.maximum is not None and parsed > f.maximum:
        raise ValueError(f"{parsed!r} is above the maximum {f.maximum:g}")
    return parsed


# --- geometry -------------------------------------------------------------------


def geometry_problem(geom: BaseGeometry | None, allowed: tuple[str, ...]) -> str | None:
    """Why ``geom`` cannot be used in a layer allowing ``allowed`` types, or None if it can."""
    if geom is None or geom.is_empty:
        return "has no geometry"
    if geom.geom_type not in allowed:
        return f"geometry is a {geom.geom_type}, expected {' or '.join(allowed)}"
    coords = shapely.get_coordinates(geom)
    if not (coords[:, 0].size and math.isfinite(coords.sum())):
        return "geometry has non-finite coordinates"
    lon, lat = coords[:, 0], coords[:, 1]
    if (abs(lon) > 180).any() or (abs(lat) > 90).any():
        return (
            f"coordinates out of range (longitude {lon.min():g}..{lon.max():g}, "
            f"latitude {lat.min():g}..{lat.max():g}); expected lon/lat in degrees, EPSG:4326"
        )
    if not geom.is_valid:
        return f"geometry is invalid ({shapely.is_valid_reason(geom)})"
    return None


# --- rows to frames ------------------------------------------------------------------


def _where(kind: str, number: int, record: Mapping[str, Any], id_field: str) -> str:
    ident = record.get(id_field)
    return f"{kind} {number} (id {ident!r})" if not is_null(ident) else f"{kind} {number}"


def build_frame(
    spec: LayerSpec,
    records: list[Mapping[str, Any]],
    geometries: list[BaseGeometry | None] | None,
    file: str,
    *,
    row_kind: str = "feature",
    first_row: int = 1,
    allow_extra: bool = False,
) -> tuple[gpd.GeoDataFrame | pd.DataFrame, list[Problem]]:
    """Validate ``records`` (and their geometries) against ``spec`` and build a typed frame.

    Returns the frame of the rows that validated and the list of every problem
    found; rows with a problem are left out of the frame. Row numbers in the
    messages start at ``first_row`` (so a CSV can count its header line).
    """
    problems: list[Problem] = []
    columns = spec.columns
    known = set(columns)
    rows: list[dict[str, Any]] = []
    kept_geoms: list[BaseGeometry] = []

    if records and not allow_extra:
        seen = set().union(*(r.keys() for r in records))
        missing = [c for c in columns if c not in seen and spec.field(c).required]
        if missing:
            problems.append(Problem(file, "", f"missing column(s): {', '.join(missing)}"))
        extra = sorted(seen - known)
        if extra:
            problems.append(
                Problem(file, "", f"unexpected column(s): {', '.join(extra)} "
                        f"(allowed: {', '.join(columns)})")
            )

    for i, record in enumerate(records):
        where = _where(row_kind, i + first_row, record, spec.id_field)
        row: dict[str, Any] = {}
        row_ok = True
        for f in spec.fields:
            try:
                row[f.name] = parse_value(f, record.get(f.name))
            except ValueError as exc:
                problems.append(Problem(file, where, f"{f.name} {exc}"))
                row_ok = False
        if spec.interval:
            start, end = (row.get(c) for c in spec.interval)
            if start and end and end < start:
                problems.append(
                    Problem(file, where, f"{spec.interval[1]} {end} is before "
                            f"{spec.interval[0]} {start}")
                )
                row_ok = False
        if spec.geometry:
            geom = geometries[i] if geometries else None
            reason = geometry_problem(geom, spec.geometry)
            if reason:
                problems.append(Problem(file, where, reason))
                row_ok = False
        if row_ok:
            rows.append(row)
            if spec.geometry:
                kept_geoms.append(geometries[i])

    ids = pd.Series([r.get(spec.id_field) for r in records], dtype=object).dropna()
    for dup in sorted(set(ids[ids.duplicated()]), key=str):
        problems.append(Problem(file, f"id {dup!r}", "id is not unique"))

    frame = typed_frame(spec, rows, kept_geoms if spec.geometry else None)
    return frame, problems


def typed_frame(
    spec: LayerSpec, rows: list[dict[str, Any]], geometries: list[BaseGeometry] | None
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Build a frame with one dtype per column kind (dates as datetime64, ints as Int64)."""
    data: dict[str, Any] = {}
    for f in spec.fields:
        values = [r.get(f.name) for r in rows]
        if f.kind == "date":
            data[f.name] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif f.kind == "int":
            data[f.name] = pd.array(values, dtype="Int64")
        elif f.kind == "float":
            data[f.name] = pd.array(values, dtype="float64")
        elif f.kind == "str":
            data[f.name] = pd.Series(values, dtype=object)
        else:
            data[f.name] = pd.Series(values, dtype=object)
    frame = pd.DataFrame(data, columns=spec.columns)
    if spec.geometry is None:
        return frame
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=spec.crs), crs=spec.crs)


# --- files -----------------------------------------------------------------------------


def _crs_problem(fc: Mapping[str, Any]) -> str | None:
    crs = fc.get("crs")
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", ""))
    if name.endswith(("CRS84", ":4326", "EPSG::4326")):
        return None
    return f"declares CRS {name!r}; borderviz layers are EPSG:4326 (lon/lat)"


def read_geojson_records(
    text: str, file: str
) -> tuple[list[dict[str, Any]], list[BaseGeometry | None], list[Problem]]:
    """Parse a GeoJSON FeatureCollection into property dicts and shapely geometries.

    A feature whose geometry cannot be built is kept with geometry None and a
    problem naming it, so that every bad feature is reported, not just the first.
    """
    try:
        fc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [], [Problem(file, f"line {exc.lineno} column {exc.colno}",
                                f"not valid JSON: {exc.msg}")]
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        return [], [], [Problem(file, "", "is not a GeoJSON FeatureCollection")]
    problems = []
    if reason := _crs_problem(fc):
        problems.append(Problem(file, "", reason))
    records, geoms = [], []
    for i, feat in enumerate(fc.get("features") or []):
        props = dict((feat or {}).get("properties") or {})
        records.append(props)
        raw = (feat or {}).get("geometry")
        try:
            geoms.append(shape(raw) if raw else None)
        except Exception as exc:  # shapely raises several types for broken geometry
            geoms.append(None)
            problems.append(Problem(file, _where("feature", i + 1, props, "id"),
                                    f"geometry cannot be read ({exc})"))
    return records, geoms, problems


def read_csv_records(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV file as dicts of strings (empty cells become None)."""
    reader = csv.DictReader(io.StringIO(text))
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in reader]


def read_layer(name: str, directory: Path | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Load one layer and validate it; raise :class:`DataError` listing every problem."""
    frame, problems = load_layer(name, directory)
    if problems:
        raise DataError(problems)
    return frame


def load_layer(
    name: str, directory: Path | None = None
) -> tuple[gpd.GeoDataFrame | pd.DataFrame, list[Problem]]:
    """Load one layer, returning its valid rows and the problems found (no exception)."""
    spec = LAYERS[name]
    path = (directory or data_dir()) / spec.file
    file = spec.file
    if not path.exists():
        return typed_frame(spec, [], [] if spec.geometry else None), [
            Problem(file, "", f"file not found at {path}")
        ]
    text = path.read_text(encoding="utf-8")
    if spec.geometry:
        records, geoms, problems = read_geojson_records(text, file)
        frame, more = build_frame(spec, records, geoms, file)
    else:
        records = read_csv_records(text)
        problems = []
        frame, more = build_frame(spec, records, None, file, row_kind="row", first_row=2)
    return frame, problems + more


def load_all(
    directory: Path | None = None, names: Iterable[str] | None = None
) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Load every layer (or ``names``), run the cross-layer checks, and raise all problems once."""
    from borderviz.model.checks import cross_layer_problems

    frames, problems = {}, []
    for name in names or LAYERS:
        frames[name], found = load_layer(name, directory)
        problems += found
    if names is None and not problems:
        problems += cross_layer_problems(frames, (directory or data_dir()) / "sources" / "gazetteer"
                                         / "gazetteer_KG_TJ.csv")
    elif names is None:
        problems.append(Problem("data/", "", "checks between layers (sides of the line, references, "
                                             "overlapping intervals) run once the problems above are fixed"))
    if problems:
        raise DataError(problems)
    return frames


# --- writing ------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def record_values(spec: LayerSpec, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's values in schema order as plain JSON types (dates as ISO text)."""
    return {f.name: _jsonable(row.get(f.name)) for f in spec.fields}


def dump_geojson(spec: LayerSpec, rows: list[Mapping[str, Any]],
                 geometries: list[BaseGeometry | None], extra: Mapping[str, Any] | None = None) -> str:
    """Serialise rows as a GeoJSON FeatureCollection, one feature per line (readable diffs).

    Properties follow the schema's column order; output is byte-for-byte
    deterministic for the same input. ``extra`` adds foreign members at the
    top level (RFC 7946 section 6.1), e.g. an export's provenance.
    """
    lines = []
    for row, geom in zip(rows, geometries, strict=True):
        feature = {
            "type": "Feature",
            "properties": record_values(spec, row),
            "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps({"type": "FeatureCollection", "name": spec.name, **(extra or {})},
                      ensure_ascii=False)[:-1]
    return head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"


def dump_csv(spec: LayerSpec, rows: list[Mapping[str, Any]]) -> str:
    """Serialise rows as CSV in schema column order; list/dict values as compact JSON."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(spec.columns)
    for row in rows:
        values = record_values(spec, row)
        writer.writerow(
            "" if v is None
            else json.dumps(v, ensure_ascii=False, separators=(",", ":")) if isinstance(v, (list, dict))
            else v
            for v in values.values()
        )
    return buffer.getvalue()
