"""What every export says about itself: layers, filters, time, data version, licences and attribution.

:func:`provenance` is the one record each format stores where
:data:`borderviz.io.formats.FORMATS` says (a GeoJSON member, GeoPackage
metadata, Parquet schema metadata, a KML description, a ``provenance.json``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from borderviz import __version__
from borderviz.model.layers import data_dir
from borderviz.model.schema import LAYERS

ATTRIBUTION = {
    "OpenStreetMap": ("Map data © OpenStreetMap contributors, ODbL 1.0",
                      "https://www.openstreetmap.org/copyright"),
    "GeoNames": ("Places from Who's On First (CC0) and GeoNames (CC BY 4.0)", "https://www.geonames.org/"),
    "borderviz": ("Researched records © borderviz, CC BY 4.0; cite the sources listed on each record",
                  "https://creativecommons.org/licenses/by/4.0/"),
}


def data_version(directory: Path | None = None) -> str:
    """A short hash of the layer files, so an export says exactly which data it came from.

    Cached by each file's size and modification time: the files are only read
    again when they change.
    """
    folder = directory or data_dir()
    stamps = tuple((spec.file, st.st_size, st.st_mtime_ns) for spec in LAYERS.values()
                   if (st := (folder / spec.file).stat() if (folder / spec.file).exists() else None))
    return _hash_files(str(folder), stamps)


@functools.lru_cache(maxsize=8)
def _hash_files(folder: str, stamps: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _size, _mtime in stamps:
        digest.update(name.encode())
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()[:12]


def provenance(layer_names: list[str], filters: Mapping[str, Any] | None = None,
               now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None,
               version: str | None = None) -> dict[str, Any]:
    """What an export says about itself: layers, filters, time, data version, licences."""
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return {
        "generator": f"borderviz {__version__}",
        "exported_at": stamp.isoformat().replace("+00:00", "Z"),
        "data_version": version or data_version(),
        "layers": list(layer_names),
        "filters": dict(filters or {}),
        "crs": "EPSG:4326",
        "attribution": [{"text": t, "url": u} for t, u in ATTRIBUTION.values()] + list(extra_attribution or []),
        "sources": "Each feature's `sources` lists the publications it rests on; data/bibliography.csv "
                   "in the borderviz repository lists them all.",
    }


