"""Where an export's files go: one file to its path (its sidecars beside it, under its name), or all zipped.

:func:`export_to` writes an export straight to disk (no file held in memory), :func:`write_bundle` writes
one built in memory. Files that name others are pointed at the names as written: a CSV's ``.vrt`` and
``datapackage.json``, and the QGIS projects of a GeoPackage or ``.qgz`` export (which read
``./<name>.gpkg``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from borderviz.errors import ExportError
from borderviz.io.writers.text import xml_escape as xml_text


def _target(path: Path) -> Path:
    """The output path, in a folder that exists (no folder is created: a mistyped one is an error)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"{path}: the folder {path.parent} does not exist; create it first")
    return path


def export_to(frames: Mapping[str, Any], fmt: str, path: Path, filters: Mapping[str, Any] | None = None,
              now: dt.datetime | None = None, extra_attribution: list[dict[str, str]] | None = None,
              view: Any = None, context: Mapping[str, pd.DataFrame] | None = None) -> list[Path]:
    """Write the export of ``frames`` as ``fmt`` to ``path`` as :func:`write_bundle` would, without holding its
    files in memory: written beside ``path`` and moved into place. Returns the files written."""
    path = _target(path)
    with tempfile.TemporaryDirectory(prefix=".borderviz-export-", dir=path.parent) as tmp:
        from borderviz.io.formats import write_files

        names = write_files(frames, fmt, Path(tmp), filters, now, extra_attribution, view, context)
        return _place(Path(tmp), names, fmt, path)


def write_bundle(bundle, path: Path) -> list[Path]:
    """Write an export to ``path``. A .zip path gets a zip; otherwise the data file goes to
    ``path`` and any sidecar files beside it (``<stem>.<name>``). Returns the files written."""
    path = _target(path)
    with tempfile.TemporaryDirectory(prefix=".borderviz-export-", dir=path.parent) as tmp:
        for name, data in bundle.files.items():
            (Path(tmp) / name).write_bytes(data)
        return _place(Path(tmp), list(bundle.files), bundle.fmt, path)


def _retarget_projects(folder: Path, fmt: str, path: Path) -> None:
    """Point the QGIS projects of a GeoPackage or project export at the GeoPackage's name as written."""
    from borderviz.io import qgis_project
    from borderviz.io.writers import gpkg, qgz

    target = path.name if fmt == "gpkg" else f"{path.stem}.gpkg"
    if target == gpkg.NAME:
        return
    qgis_project.retarget_embedded(folder / gpkg.NAME, gpkg.NAME, target)
    if fmt == "qgz":
        project = folder / qgz.NAME
        project.write_bytes(qgis_project.qgz_bytes(qgis_project.retarget(
            qgis_project.qgs_of(project.read_bytes()), gpkg.NAME, target)))


def _place(folder: Path, names: list[str], fmt: str, path: Path) -> list[Path]:
    """Move an export's files from ``folder`` to ``path`` (and beside it), or zip them to a .zip path."""
    if fmt in ("gpkg", "qgz") and path.suffix.lower() != ".zip":
        _retarget_projects(folder, fmt, path)
    if path.suffix.lower() == ".zip" or fmt == "shp":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(names):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(folder / name, "rb") as source, zf.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        return [path]
    data = [n for n in names if n.endswith(_extension(fmt).extension) and not n.endswith(".wkt.csv")]
    if len(data) != 1:
        raise ExportError(f"{len(data)} files in this export ({', '.join(sorted(data))}); "
                          f"give an output path ending in .zip")
    os.replace(folder / data[0], path)
    written = [path]
    stem = data[0][: -len(_extension(fmt).extension)]
    for name in names:
        if name == data[0]:
            continue
        # The layer's own sidecars (incidents.csvt, incidents.vrt) take the output's name, as GDAL
        # looks for them; the others are prefixed with it. Files that name others are retargeted.
        own = name.startswith(stem + ".")
        side = path.with_name(path.stem + name[len(stem):] if own else f"{path.stem}.{name}")
        if name.endswith((".vrt", "datapackage.json")):
            renames = {n: path.stem + n[len(stem):] for n in names if n == data[0] or n.startswith(stem + ".")}
            side.write_bytes(_retarget(name, (folder / name).read_bytes(), renames))
        else:
            os.replace(folder / name, side)
        written.append(side)
    return written


def _retarget(name: str, content: bytes, renames: Mapping[str, str]) -> bytes:
    """Point a VRT or datapackage.json at the files' names as written: a VRT's SrcDataSource and
    SrcLayer, a data package's resource paths; nothing else in them changes."""
    if name.endswith(".json"):
        package = json.loads(content)
        for resource in package.get("resources", []):
            resource["path"] = renames.get(resource.get("path"), resource.get("path"))
        return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    text = content.decode("utf-8")
    for old, new in renames.items():
        text = text.replace(f"<SrcDataSource relativeToVRT=\"1\">{xml_text(old)}</SrcDataSource>",
                            f"<SrcDataSource relativeToVRT=\"1\">{xml_text(new)}</SrcDataSource>")
        if old.endswith(".csv"):
            text = text.replace(f"<SrcLayer>{xml_text(old[:-4])}</SrcLayer>",
                                f"<SrcLayer>{xml_text(new[:-4])}</SrcLayer>")
    return text.encode("utf-8")



def _extension(fmt: str):
    from borderviz.io.formats import FORMATS

    return FORMATS[fmt]
