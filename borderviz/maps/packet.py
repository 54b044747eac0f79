"""Data for the browser as compact, gzipped columns: the map engine's only data channel.

Why not GeoJSON with popup HTML per feature (what folium does)? A point then
costs ~240 bytes and a popup string built in Python; 100,000 points are
~25 MB and every string has passed through folium's Jinja templates, where
user text like ``{{ 7*191 }}`` is evaluated. Why not Arrow IPC or FlatGeobuf?
Both need a decoder library in the browser (≥ 100 kB) for what is here a
dozen fixed-width columns. So a packet is simply::

    "BVP1" | uint32 LE header length | header JSON (UTF-8) | padding to 8
    | column 0 | padding | column 1 | ...

gzipped as a whole (the browser's ``DecompressionStream`` undoes it). The
header names each column's type, offset and length, and holds the text
tables (dictionaries of places, ids, the built-in incidents' details).
Columns are little-endian typed arrays the browser reads without copying.

Where a packet sits inside HTML or a folium template it travels as base64,
whose alphabet (``A–Z a–z 0–9 + / =``) holds no character any template
syntax needs: text from data or uploads cannot reach a template engine.

>>> blob = pack({"kind": "demo"}, {"day": np.array([1, 2], dtype="<i4")})
>>> header, columns = unpack(blob)
>>> header["kind"], columns["day"].tolist()
('demo', [1, 2])
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

MAGIC = b"BVP1"
DTYPES = {"<i4": "int32", "<f4": "float32", "|u1": "uint8", "<u4": "uint32", "<f8": "float64"}
BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def _pad(n: int) -> int:
    return (8 - n % 8) % 8


def pack(header: Mapping[str, Any], columns: Mapping[str, np.ndarray], level: int = 1) -> bytes:
    """Header and typed columns as one gzipped packet (see the module doc for the layout)."""
    layout, blobs, offset = [], [], 0
    for name, array in columns.items():
        array = np.ascontiguousarray(array)
        if array.dtype.str not in DTYPES:
            raise TypeError(f"column {name}: dtype {array.dtype.str} is not one of {sorted(DTYPES)}")
        raw = array.tobytes()
        layout.append({"name": name, "type": DTYPES[array.dtype.str], "offset": offset, "length": len(array)})
        blobs += [raw, b"\0" * _pad(len(raw))]
        offset += len(raw) + _pad(len(raw))
    head = json.dumps({**header, "columns": layout}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    start = 8 + len(head)
    parts = [MAGIC, struct.pack("<I", len(head)), head, b"\0" * _pad(start), *blobs]
    # mtime=0: the same data gives the same bytes, so the same hash (the browser's cache key).
    return gzip.compress(b"".join(parts), compresslevel=level, mtime=0)


def unpack(blob: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The inverse of :func:`pack` (for tests; the browser has its own in ``web/decode.js``)."""
    raw = gzip.decompress(blob)
    if raw[:4] != MAGIC:
        raise ValueError("not a borderviz packet")
    (length,) = struct.unpack("<I", raw[4:8])
    header = json.loads(raw[8:8 + length])
    body = 8 + length + _pad(8 + length)
    by_type = {v: k for k, v in DTYPES.items()}
    columns = {}
    for col in header.pop("columns"):
        dtype = np.dtype(by_type[col["type"]])
        columns[col["name"]] = np.frombuffer(raw, dtype, col["length"], body + col["offset"])
    return header, columns


def digest(blob: bytes) -> str:
    """A packet's name: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(blob).hexdigest()[:16]


def to_base64(blob: bytes) -> str:
    """The packet as template-inert text (see the module doc)."""
    text = base64.b64encode(blob).decode("ascii")
    assert BASE64.match(text)
    return text
