"""Column operations for imports: text, dates, numbers and coordinates, a whole column at a time.

Each function takes an Arrow column and returns numpy arrays plus a mask of
the rows that failed, so the caller can name every bad row in one pass and
spend Python time only on those. Repeated text (a place, a region, a code)
is mapped once per distinct value and the resulting Python strings are
shared between rows.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%B %d, %Y")
# Dates outside these are refused (a typo such as 9999-12-31, or no date of this record at all).
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
MAX_KILLED = 10_000_000
NUL, SEP = "\x00", "\x1f"


def one_chunk(col: pa.ChunkedArray) -> pa.Array:
    """The column as one array (without a copy when it already is one chunk)."""
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


# Arrays as_text made (by id, with a weak reference): the mapping asks for a column's text many times.
_TEXTED: dict[int, weakref.ref] = {}


def as_text(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The column as trimmed text; numbers as written by Arrow, dates as ISO text, blanks as null."""
    if isinstance(col, pa.ChunkedArray):
        col = one_chunk(col)
    known = _TEXTED.get(id(col))
    if known is not None and known() is col:
        return col
    text = _as_text(col)
    key = id(text)
    _TEXTED[key] = weakref.ref(text, lambda _, key=key: _TEXTED.pop(key, None))
    return text


def _as_text(col: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if pa.types.is_null(col.type):
        return pa.nulls(len(col), pa.string())
    if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
        col = pc.strftime(col, format="%Y-%m-%dT%H:%M:%S" if pa.types.is_timestamp(col.type) else "%Y-%m-%d")
    if not pa.types.is_string(col.type):
        try:
            col = col.cast(pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # lists, structs: as JSON text
            col = pa.array([None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                            for v in col.to_pylist()], pa.string())
    return _empty_as_null(pc.utf8_trim_whitespace(col) if _may_need_trim(col) else col)


_ASCII_SPACE = np.zeros(256, dtype=bool)
_ASCII_SPACE[[9, 10, 11, 12, 13, 32]] = True
_ASCII_SPACE[128:] = True  # a byte of a multi-byte character: it may be a space (no-break, ideographic, ...)


def _may_need_trim(col: pa.StringArray) -> bool:
    """Whether any value may start or end with white space, from its first and last bytes (numpy over the
    offsets): most columns have none, and then trimming would only copy them."""
    if not len(col) or col.type != pa.string():
        return True
    _, offsets, data = col.buffers()
    if data is None:
        return False
    bounds = np.frombuffer(offsets, dtype=np.int32)[col.offset: col.offset + len(col) + 1]
    starts, ends = bounds[:-1], bounds[1:]
    filled = ends > starts
    if not filled.any():
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    return bool(_ASCII_SPACE[raw[starts[filled]]].any() or _ASCII_SPACE[raw[ends[filled] - 1]].any())


def _empty_as_null(col: pa.StringArray) -> pa.StringArray:
    """Empty strings as nulls, without copying the text (only the validity bitmap is new)."""
    filled = pc.utf8_length(col)
    if filled.null_count == 0 and pc.min(filled).as_py() != 0 or not len(col):
        return col
    valid = pc.fill_null(pc.greater(filled, 0), False)
    if col.offset:
        col = pa.concat_arrays([col])  # a fresh array with offset 0
        valid = pc.fill_null(pc.greater(pc.utf8_length(col), 0), False)
    valid = pa.concat_arrays([valid]) if valid.offset else valid
    _, offsets, data = col.buffers()
    return pa.Array.from_buffers(pa.string(), len(col), [valid.buffers()[1], offsets, data])


def blank(col: pa.Array) -> np.ndarray:
    return col.is_null().to_numpy(zero_copy_only=False)


def objects(col: pa.Array) -> pa.Array:
    """Text with blanks as null; dictionary-encoded when values repeat (one string per distinct value)."""
    text = as_text(col)
    encoded = text.dictionary_encode()
    return encoded if len(encoded.dictionary) <= len(text) // 2 else text


def constant(value: str, n: int) -> pa.DictionaryArray:
    """``value`` in every one of ``n`` rows, stored once."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], pa.string()))


def per_value(func: Callable[..., Any], *cols: pa.Array) -> pa.DictionaryArray:
    """``func`` applied once per distinct combination of the columns' values (text or None); a None
    result is a null."""
    texts = [pc.fill_null(pc.replace_substring(as_text(c), SEP, " "), NUL) for c in cols]
    key = texts[0] if len(texts) == 1 else pc.binary_join_element_wise(*texts, SEP)
    encoded = key.dictionary_encode()
    uniques = [[None if p == NUL else p for p in (k.split(SEP) if len(texts) > 1 else [k])]
               for k in encoded.dictionary.to_pylist()]
    results = [func(*u) for u in uniques]
    missing = np.array([r is None for r in results] + [True], dtype=bool)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32(), mask=missing[indices]),
                                          pa.array([r or "" for r in results], pa.string()))


def dates(col: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[ns] days with NaT, mask of unreadable values, mask of values outside the accepted range).

    Text such as UCDP's ``2016-05-01 00:00:00.000`` or ``2022-09-15T01:00:00+06:00`` keeps its
    own (local) calendar day: the part before the time is read.
    """
    if pa.types.is_timestamp(col.type) and col.type.tz is None or pa.types.is_date(col.type):
        col = as_text(col)
    text = as_text(col)
    has_time = pc.match_substring_regex(text, r"^\d{4}.{6}[ T]")
    text = pc.if_else(pc.fill_null(has_time, False), pc.utf8_slice_codeunits(text, 0, 10), text)
    parsed = pa.nulls(len(text), pa.timestamp("s"))
    for fmt in DATE_FORMATS:
        if parsed.null_count == text.null_count:
            break
        parsed = pc.coalesce(parsed, pc.strptime(text, format=fmt, unit="s", error_is_null=True))
    seconds = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)
    missing = blank(parsed)
    bad = missing & ~blank(text)
    lo = (dt.datetime.combine(FIRST_DATE, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds()
    hi = (dt.datetime.combine(LAST_DATE, dt.time()) - dt.datetime(1970, 1, 1)).total_seconds()
    seconds = np.where(missing, 0, seconds)
    outside = ~missing & ((seconds < lo) | (seconds > hi))
    days = (seconds // 86400).astype("datetime64[D]").astype("datetime64[ns]")
    days[missing | outside] = np.datetime64("NaT")
    return days, bad, outside


def floats(col: pa.Array, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values with NaN for blanks, mask of values that are not numbers)."""
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        values = col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return values, np.zeros(len(col), dtype=bool)
    text = as_text(col)
    if decimal_comma:
        text = pc.replace_substring(text, ",", ".")
    try:
        values = text.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return values, np.zeros(len(col), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    encoded = text.dictionary_encode()
    uniques = encoded.dictionary.to_pylist()
    table = np.full(len(uniques) + 1, np.nan)
    ok = np.ones(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(uniques):
        try:
            table[i] = float(value)
        except ValueError:
            ok[i] = False
    idx = encoded.indices.fill_null(len(uniques)).to_numpy(zero_copy_only=False)
    return table[idx], ~ok[idx]


def counts(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(float64 whole numbers with NaN for blanks, mask of values that are not a plausible count).

    Thousands separators are read as such (``1,000`` is a thousand, never one);
    a fraction, a negative, or more than :data:`MAX_KILLED` is refused.
    """
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        text = as_text(col)
        grouped = pc.fill_null(pc.match_substring_regex(text, "^\\d{1,3}([, \u00a0\u202f]\\d{3})+$"), False)
        stripped = pc.replace_substring_regex(text, "[, \u00a0\u202f]", "")
        col = pc.if_else(grouped, stripped, text)
    values, bad = floats(col)
    given = ~col.is_null().to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        wrong = given & (np.isnan(values) | (values != np.floor(values)) | (values < 0) | (values > MAX_KILLED)
                         | ~np.isfinite(values))
    return values, bad | wrong
