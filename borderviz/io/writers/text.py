"""Text built a column at a time: JSON values, XML-escaped text, defused spreadsheet cells.

The text writers (GeoJSON, KML, CSV) turn whole Arrow columns into text with
pyarrow's string kernels, so no Python code runs per row. Each function takes
an Arrow array and returns a string array of the same length; nulls become
JSON ``null`` (:func:`json_values`) or stay null (the others).

>>> json_values(pa.array(['a"b', None])).to_pylist()
['"a\\\\"b"', 'null']
>>> json_object(["n", "d"], [pa.array([1, None]), pa.array([None, "x"])]).to_pylist()
['{"n":1,"d":null}', '{"n":null,"d":"x"}']
>>> xml_text(pa.array(["<a & 'b'>"])).to_pylist()
['&lt;a &amp; &apos;b&apos;&gt;']
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CONTROL = "[\\x00-\\x1f]"
_SHORT_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
# Characters XML 1.0 cannot hold at all, even escaped (C0 controls other than tab, LF, CR).
XML_FORBIDDEN = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{fffe}\\x{ffff}]"


def plain(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array, dictionary decoded, large strings as strings."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


def any_true(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation (a str is the same text in every row); a null part gives a null."""
    return pc.binary_join_element_wise(*parts, "")


def json_strings(arr: pa.Array) -> pa.Array:
    """Text as JSON strings (quoted, escaped per RFC 8259; UTF-8 kept); nulls stay null."""
    text = plain(arr)
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    if len(text) and any_true(pc.match_substring_regex(text, CONTROL)):
        for code in range(32):
            char = chr(code)
            text = pc.replace_substring(text, char, _SHORT_ESCAPES.get(char, f"\\u{code:04x}"))
    return join('"', text, '"')


def _floats(arr: pa.Array) -> pa.Array:
    finite = pc.is_finite(arr)
    return pc.if_else(finite, arr.cast(pa.string()), pa.scalar(None, pa.string()))


def _python_json(arr: pa.Array) -> pa.Array:
    """Fallback for types without a kernel (binary as base64, anything else via Python's json)."""
    out = []
    for value in arr.to_pylist():
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out.append(None if value is None else json.dumps(value, ensure_ascii=False, default=str,
                                                         separators=(",", ":")))
    return pa.array(out, pa.string())


def json_values(arr: pa.Array, raw: bool = False, drop_nulls: bool = False) -> pa.Array:
    """Each value as JSON text, ``null`` for a missing one.

    ``raw`` marks a text column that already holds JSON (lists written as JSON
    text): it is inserted as is. Structs become objects (``drop_nulls`` leaves
    out keys whose value is null), lists arrays, dates ``"YYYY-MM-DD"``.
    """
    arr = plain(arr)
    kind = arr.type
    if pa.types.is_null(kind):
        return pa.array(["null"] * len(arr), pa.string())
    if pa.types.is_string(kind):
        text = arr if raw else json_strings(arr)
    elif pa.types.is_boolean(kind):
        text = pc.if_else(arr, "true", "false")
    elif pa.types.is_integer(kind):
        text = arr.cast(pa.string())
    elif pa.types.is_floating(kind):
        text = _floats(arr.cast(pa.float64()))
    elif pa.types.is_date(kind):
        text = join('"', pc.strftime(arr, format="%Y-%m-%d"), '"')
    elif pa.types.is_timestamp(kind):
        text = join('"', pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S"), '"')
    elif pa.types.is_struct(kind):
        names = [kind.field(i).name for i in range(kind.num_fields)]
        fields = [arr.field(i) for i in range(kind.num_fields)]
        text = json_object(names, fields, drop_nulls=drop_nulls)
        if arr.null_count:
            text = pc.if_else(arr.is_valid(), text, pa.scalar(None, pa.string()))
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        offsets = arr.offsets.to_numpy(zero_copy_only=False)
        values = json_values(arr.flatten(), drop_nulls=drop_nulls)
        lists = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), values,
                                         mask=arr.is_null() if arr.null_count else None)
        text = join("[", pc.binary_join(lists, ","), "]")
    else:
        text = _python_json(arr)
    return pc.fill_null(text, "null")


def json_object(names: Sequence[str], arrays: Sequence[pa.Array], raw: Sequence[bool] | None = None,
                drop_nulls: bool = False) -> pa.Array:
    """One JSON object per row, keys in ``names``' order (``raw[i]``: the column already holds JSON)."""
    raw = raw or [False] * len(names)
    if not names:
        return pa.array(["{}"] * (len(arrays[0]) if arrays else 0), pa.string())
    parts = []
    for i, (name, arr) in enumerate(zip(names, arrays, strict=True)):
        key = json.dumps(str(name), ensure_ascii=False) + ":"
        value = json_values(arr, raw=raw[i], drop_nulls=drop_nulls)
        if drop_nulls:
            present = plain(arr).is_valid()
            parts.append(pc.if_else(present, join(key, value, ","), ""))
        else:
            parts.append(join("," if i else "", key, value))
    body = join(*parts)
    if drop_nulls:
        body = pc.utf8_rtrim(body, characters=",")  # no JSON value ends with a comma
    return join("{", body, "}")


def xml_text(arr: pa.Array) -> pa.Array:
    """Text for XML content or a quoted attribute: &, <, >, quotes and CR escaped; nulls stay null."""
    text = plain(arr)
    if not pa.types.is_string(text.type):
        text = text.cast(pa.string())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&apos;"),
                         ("\r", "&#13;")):
        text = pc.replace_substring(text, char, entity)
    return text


def xml_escape(value: str) -> str:
    """One text for XML content or a quoted attribute (the scalar form of :func:`xml_text`)."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;").replace("\r", "&#13;"))


def xml_forbidden(arr: pa.Array) -> np.ndarray:
    """Rows whose text holds a character XML 1.0 cannot hold (a C0 control other than tab, LF, CR)."""
    text = plain(arr)
    if not pa.types.is_string(text.type) or not len(text):
        return np.zeros(len(text), dtype=bool)
    return pc.fill_null(pc.match_substring_regex(text, XML_FORBIDDEN), False).to_numpy(zero_copy_only=False)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(arr: pa.Array) -> pa.Array:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a leading apostrophe;
    text starting with one already gets one more (see :func:`borderviz.io.formats.defuse_formula`)."""
    text = plain(arr)
    risky = pc.fill_null(pc.match_substring_regex(text, "^[=+\\-@\\t\\r']"), False)
    if not any_true(risky):
        return text
    return pc.if_else(risky, join("'", text), text)


def contiguous(arr: pa.Array) -> memoryview:
    """The bytes of a string array's values, one after another (what a writer puts in the file)."""
    arr = plain(arr)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    _, offsets, data = arr.buffers()
    if data is None or not len(arr):
        return memoryview(b"")
    bounds = np.frombuffer(offsets, dtype=np.int32)[arr.offset: arr.offset + len(arr) + 1]
    return memoryview(data)[int(bounds[0]): int(bounds[-1])]
