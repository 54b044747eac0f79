"""Incidents, built-in or imported, as one packet of columns for the browser's map engine.

Rows are sorted by first day, so the browser finds a date window by binary
search and draws only what is in it. Every incident travels as numbers
(days since 1970-01-01, lon/lat as float32 ≈ 1 m, codes into small
vocabularies, killed or -1 for "not reported"); its text travels in the
header's tables and is turned into a popup only when the incident is opened,
by the browser, with ``textContent`` (``web/popup.js``): no HTML is built here.

>>> import geopandas as gpd, pandas as pd
>>> frame = gpd.GeoDataFrame({"id": ["a"], "date_start": [pd.Timestamp("2022-09-14")],
...     "date_end": [pd.NaT], "event_type": ["armed_clash"], "place_reported": ["{{ 7*191 }}"],
...     "country": ["KG"], "location_precision": ["settlement"], "killed_total": [3]},
...     geometry=gpd.points_from_xy([70.5], [39.9]), crs=4326)
>>> header, columns = packet.unpack(encode(frame, origin="imported", dataset="csv", file="x.csv"))
>>> header["places"][columns["place"][0]], int(columns["d0"][0]), int(columns["k"][0])
('{{ 7*191 }}', 19249, 3)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from borderviz.maps import packet
from borderviz.model.schema import EVENT_TYPE_LABELS, EVENT_TYPES, LOCATION_PRECISIONS

COUNTRIES = ("KG", "TJ", "disputed", "UZ", "unknown")
# Imported rows carry their description in the packet only up to this many rows
# (beyond it the table, not the popup, shows it): 1,000,000 notes would be ~200 MB.
FULL_DETAILS_MAX_ROWS = 20_000
DESCRIPTION_MAX_CHARS = 600
# Fields of a built-in incident its popup shows (sources and figures in full).
BUILTIN_DETAILS = ("id", "date_precision", "event_type", "place_reported", "country", "region", "district",
                   "location_precision", "location_method", "description", "confidence", "conflict",
                   "killed_kg", "killed_tj", "injured_kg", "injured_tj", "figures", "sources")
SOURCE_KEYS = ("publisher", "title", "url", "date", "file")


def _days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values, errors="coerce")
    days = (stamps.dt.normalize() - pd.Timestamp("1970-01-01")).dt.days
    return days.to_numpy(dtype="float64")


def _codes(values: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """Codes into ``vocabulary``, extending it with values it lacks (kept in first-seen order)."""
    text = values.astype("string").fillna("unknown")
    for value in pd.unique(text):
        if value not in vocabulary:
            vocabulary.append(str(value))
    lookup = {v: i for i, v in enumerate(vocabulary)}
    if len(vocabulary) > 255:
        raise ValueError("more than 255 distinct values in a coded column")
    return text.map(lookup).to_numpy(dtype="uint8")


def _plain(value: Any) -> Any:
    """A JSON-ready value: no NaN/NA, timestamps as ISO dates, nested lists/dicts kept."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _sources(sources: Any) -> list[dict[str, Any]]:
    return [{k: _plain(s.get(k)) for k in SOURCE_KEYS if s.get(k) is not None} for s in sources or []
            if isinstance(s, Mapping)]


def _builtin_details(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _plain(row.get(k)) for k in BUILTIN_DETAILS if k not in ("figures", "sources")}
    out["sources"] = _sources(row.get("sources"))
    out["figures"] = [{**{k: _plain(f.get(k)) for k in ("side", "measure", "value", "qualifier", "reported_by",
                                                        "reported_on")},
                       "source": (_sources([f["source"]]) or [None])[0] if f.get("source") else None}
                      for f in row.get("figures") or [] if isinstance(f, Mapping)]
    return out


def _arrow_text(values: pd.Series, limit: int | None = None) -> pa.Array:
    """A column as Arrow text, a column at a time (no Python code per row): missing values null, text
    longer than ``limit`` characters cut there with an ellipsis."""
    try:
        text = pa.array(values, from_pandas=True)
        if pa.types.is_dictionary(text.type):
            text = text.cast(text.type.value_type)
        if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
            text = text.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        text = pa.array([None if _missing(v) else str(v) for v in values.tolist()], pa.string())
    if limit is not None and len(text):
        long = pc.fill_null(pc.greater(pc.utf8_length(text), limit), False)
        if pc.any(long).as_py():
            text = pc.if_else(long, pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 0, limit), "…", ""),
                              text)
    return text


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _text(values: pd.Series, limit: int | None = None) -> list[str | None]:
    return _arrow_text(values, limit).to_pylist()


def _present(values: pd.Series) -> dict[str, str]:
    """{row number: text} for the rows that have a (non-empty) value: a sparse column for the header."""
    text = _arrow_text(values)
    if not len(text):
        return {}
    keep = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
    rows = pa.array(np.flatnonzero(keep.to_numpy(zero_copy_only=False))).cast(pa.string()).to_pylist()
    return dict(zip(rows, text.filter(keep).to_pylist(), strict=True))


def encode(frame: pd.DataFrame, *, origin: str = "builtin", dataset: str | None = None,
           file: str | None = None) -> bytes:
    """Incidents as a packet: columns d0, d1, x, y, t, p, c, k, place; text in the header.

    ``origin`` is "builtin" (full details: sources, figures) or "imported"
    (ids, places, dataset, duplicates; descriptions for small files).
    """
    n = len(frame)
    first = _days(frame["date_start"]) if n else np.zeros(0)
    last = _days(frame["date_end"]) if n and "date_end" in frame else first
    last = np.where(np.isnan(last), first, last)
    order = np.argsort(first, kind="stable")
    rows = frame.iloc[order]
    first, last = first[order], np.maximum(first[order], last[order])
    types = list(EVENT_TYPES)
    precisions = list(LOCATION_PRECISIONS)
    countries = list(COUNTRIES)
    places = rows["place_reported"] if "place_reported" in rows else pd.Series([None] * n, dtype="object")
    place_codes, place_table = pd.factorize(places.astype("string").fillna(""), sort=False)
    killed = pd.to_numeric(rows["killed_total"], errors="coerce") if "killed_total" in rows else pd.Series(
        np.nan, index=rows.index)
    killed = killed.where(killed.between(0, 2**31 - 1), np.nan)
    geoms = rows.geometry
    columns = {
        "d0": first.astype("<i4"), "d1": last.astype("<i4"),
        "x": geoms.x.to_numpy(dtype="<f4"), "y": geoms.y.to_numpy(dtype="<f4"),
        "t": _codes(rows["event_type"], types), "p": _codes(rows["location_precision"], precisions),
        "c": _codes(rows["country"] if "country" in rows else pd.Series(["unknown"] * n), countries),
        "k": killed.fillna(-1).to_numpy(dtype="<i4"),
        "place": place_codes.astype("<u4"),
    }
    header: dict[str, Any] = {
        "kind": "incidents", "origin": origin, "dataset": dataset, "file": file, "n": n,
        "types": types, "typeLabels": {t: EVENT_TYPE_LABELS.get(t, t.replace("_", " ")) for t in types},
        "precisions": precisions, "countries": countries, "places": [str(p) for p in place_table],
        "maxSpan": int((last - first).max()) if n else 0,
        "ids": _text(rows["id"]) if "id" in rows else [str(i) for i in range(n)],
    }
    if origin == "builtin":
        header["rows"] = [_builtin_details(r) for r in rows.drop(columns="geometry").to_dict("records")]
    else:
        for key, column in (("sourceTypes", "source_event_type"), ("precisionNotes", "source_precision"),
                            ("duplicates", "possible_duplicate_of")):
            if column in rows:
                header[key] = _present(rows[column])
        if "description" in rows and n <= FULL_DETAILS_MAX_ROWS:
            header["descriptions"] = _text(rows["description"], DESCRIPTION_MAX_CHARS)
        if "sources" in rows and n <= FULL_DETAILS_MAX_ROWS:
            header["sources"] = [_sources(s) for s in rows["sources"].tolist()]
    return packet.pack(header, columns)
