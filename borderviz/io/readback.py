"""Reading an export back as a user would: the round-trip tests, the interop matrix, and our own files.

:func:`read_back` opens each layer of a :class:`borderviz.io.formats.Bundle`
with geopandas/pandas; columns the format table says a reader sees under
another name are given their own names back. :func:`provenance_of` finds the
provenance wherever the format keeps it.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
from defusedxml import ElementTree as safe_xml

from borderviz.errors import ExportError
from borderviz.io.formats import FORMATS, KML_READ_CONFIG, Bundle
from borderviz.model.schema import ALL_SPECS

# --- reading an export back (round trips, and opening our own files) -----------------------


def read_back(bundle: Bundle) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Read the layers of an export with geopandas/pandas, as a user would.

    Columns the format table says a reader sees under another name
    (``Format.renames``) are given their own names back.
    """
    with tempfile.TemporaryDirectory(prefix="borderviz-read-") as tmp:
        return _read_back(bundle, Path(tmp))


def _read_back(bundle: Bundle, folder: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    for name, data in bundle.files.items():
        (folder / name).write_bytes(data)
    out: dict[str, Any] = {}
    if bundle.fmt in ("gpkg", "kml"):
        path = folder / next(iter(bundle.files))
        # GDAL's own KML columns would take the names `id` and `description` from ours (newer GDAL).
        config = KML_READ_CONFIG if bundle.fmt == "kml" else {}
        saved = {k: pyogrio.get_gdal_config_option(k) for k in config}
        pyogrio.set_gdal_config_options(config)
        try:
            for layer, _geom in pyogrio.list_layers(path):
                if layer not in ("borderviz_provenance", "layer_styles"):
                    out[layer] = gpd.read_file(path, layer=layer)
        finally:
            pyogrio.set_gdal_config_options(saved)
    elif bundle.fmt == "geojson":
        for name in bundle.files:
            if name.endswith(".geojson"):
                out[Path(name).stem] = gpd.read_file(folder / name)
    elif bundle.fmt == "parquet":
        for name in (n for n in bundle.files if n.endswith(".parquet")):
            spec = ALL_SPECS[Path(name).stem]
            frame = gpd.read_parquet(folder / name) if spec.geometry else pd.read_parquet(folder / name)
            covering = "bbox" if spec.geometry and "bbox" in frame.columns else None
            out[spec.name] = frame.drop(columns=covering) if covering else frame  # the geometry's covering
    elif bundle.fmt == "csv":
        for name in bundle.files:
            if name.endswith(".csv"):
                out[name[:-4]] = pd.read_csv(folder / name, dtype=str, keep_default_na=False,
                                             na_values=[""], encoding="utf-8-sig")
    elif bundle.fmt == "shp":
        for name in bundle.files:
            if name.endswith(".shp"):
                out[Path(name).stem] = gpd.read_file(folder / name)
            elif name.endswith((".fields.csv", ".text.csv")):
                out[name[:-4]] = pd.read_csv(folder / name, dtype=str, keep_default_na=False, na_values=[""],
                                             encoding="utf-8-sig")
    renames = FORMATS[bundle.fmt].renames
    for layer, frame in out.items():
        spec = ALL_SPECS.get(layer)
        back = {seen: own for own, seen in renames.items() if spec is not None and own in spec.columns}
        if back:
            out[layer] = frame.drop(columns=[c for c in back.values() if c in frame]).rename(columns=back)
    return out


def provenance_of(bundle: Bundle) -> dict[str, Any]:
    """The provenance an export carries, read from wherever its format keeps it."""
    files = bundle.files
    if "provenance.json" in files:
        return json.loads(files["provenance.json"])
    name, data = next(iter(files.items()))
    if bundle.fmt == "geojson":
        return json.loads(data)["borderviz"]
    if bundle.fmt == "parquet":
        return json.loads(pq.read_schema(io.BytesIO(data)).metadata[b"borderviz_provenance"])
    if bundle.fmt == "gpkg":
        with tempfile.TemporaryDirectory(prefix="borderviz-read-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            info = pyogrio.read_info(path, layer="borderviz_provenance")
        return json.loads(info["dataset_metadata"]["borderviz_provenance"])
    if bundle.fmt == "kml":
        root = safe_xml.fromstring(data)
        for element in root.iter():
            if element.tag.endswith("Document"):
                for child in element:
                    if child.tag.endswith("description") and "Provenance: " in (child.text or ""):
                        return json.loads(child.text.split("Provenance: ", 1)[1])
        return {}
    if bundle.fmt == "html":
        match = re.search(r'<script type="application/json" id="borderviz-provenance">(.*?)</script>',
                          data.decode("utf-8"), re.S)
        return json.loads(match.group(1)) if match else {}
    raise ExportError(f"no provenance found in {name}")


