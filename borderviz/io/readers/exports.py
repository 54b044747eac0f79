"""borderviz's own exports of several layers, read back: the incidents taken, the other layers named and left.

An export may hold every layer (a GeoPackage or KML of several, a zip of one file per layer: GeoJSON,
GeoParquet, CSV, Shapefiles; the QGIS project's zip with its GeoPackage). What an import can use is
the incidents: the imported incidents where the export holds them (the user's own rows), else the
built-in incidents, and every other layer is named in a warning and left, since they are borderviz's own
layers, which the map draws already. A file of borderviz's layers with no incidents layer is refused,
naming what it holds.
A zip is taken as an export when each of its data files is named after a borderviz layer
(``incidents.csv``, ``border_status.geojson``, ``incidents_point.shp``).

:func:`choose` decides for a list of layer names (GeoPackage tables, KML folders, files of a zip);
:func:`read_zip` reads such a zip with the reader of each file's type.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np
import pyarrow as pa

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, RegionFilter, Table
from borderviz.model.schema import ALL_SPECS

INCIDENT_LAYERS = ("incidents", "imported_incidents")
DATA_SUFFIXES = (".csv", ".geojson", ".json", ".parquet", ".shp", ".gpkg")
SIDECARS = (".fields.csv", ".text.csv", ".wkt.csv")
DESCRIPTIONS = ("provenance.json", "datapackage.json")
_KIND_SUFFIXES = ("_point", "_line", "_polygon")  # a Shapefile export splits a mixed layer by kind


def layer_of(stem: str) -> str | None:
    """The borderviz layer a file or table is named after (``incidents_point`` -> ``incidents``), or None."""
    if stem in ALL_SPECS:
        return stem
    for suffix in _KIND_SUFFIXES:
        if stem.endswith(suffix) and stem[: -len(suffix)] in ALL_SPECS:
            return stem[: -len(suffix)]
    return None


def is_export(names: list[str]) -> bool:
    """Whether every name is a borderviz layer's (an export of borderviz's, not a file of the user's)."""
    return bool(names) and all(layer_of(n) is not None for n in names)


def choose(names: list[str], file: str) -> tuple[list[str], str | None]:
    """(the names to read, a warning naming what is left) for the layers of a borderviz export.

    Names that are not all borderviz layers are a file of the user's: all are read, no warning.
    """
    if len(names) <= 1 or not is_export(names):
        return list(names), None
    present = {layer_of(n) for n in names}
    wanted = "imported_incidents" if "imported_incidents" in present else "incidents"
    read = [n for n in names if layer_of(n) == wanted]
    left = sorted(present - {wanted})
    if not read or wanted not in INCIDENT_LAYERS:
        raise InputError([Problem(file, "", f"is a borderviz export of {', '.join(left)}: it holds no incidents "
                                            "layer, so there is nothing to import (these layers are borderviz's "
                                            "own, and the map draws them already)")])
    note = None
    if left:
        note = (f"{file} is a borderviz export of {len(set(map(layer_of, names)))} layers: read "
                f"{', '.join(sorted({layer_of(n) for n in read}))}; left {', '.join(left)} (borderviz's own layers, "
                "which the map draws already)")
    return read, note


def concat(tables: list[Table]) -> Table:
    """Several readers' tables as one: columns one after another (types widened), geometries joined."""
    if len(tables) == 1:
        return tables[0]
    columns = pa.concat_tables([t.columns for t in tables], promote_options="permissive")
    geometries = None
    if all(t.geometries is not None for t in tables):
        geometries = np.concatenate([t.geometries for t in tables])
    first = tables[0]
    return Table(columns, first.row_kind, first.first_row, geometries, [w for t in tables for w in t.warnings],
                 any(t.own_export for t in tables), None, sum(t.outside for t in tables),
                 next((t.provenance for t in tables if t.provenance), None))


def _data_files(members: dict[str, bytes]) -> dict[str, str]:
    """{member name: its stem} of the data files of a zip (sidecars and descriptions aside)."""
    out = {}
    for name in members:
        lower = PurePosixPath(name).name.lower()
        if lower.endswith(DATA_SUFFIXES) and not lower.endswith(SIDECARS) and lower not in DESCRIPTIONS:
            out[name] = PurePosixPath(name).name.rsplit(".", 1)[0]
    return out


def read_zip(members: dict[str, bytes], file: str, read_file: Callable[[str, bytes], Table],
             max_rows: int = MAX_ROWS, region: RegionFilter | None = None) -> Table | None:
    """The incidents of a zip borderviz wrote with one file per layer (or a GeoPackage), or None when the zip
    is not one (a single Shapefile or CSV of the user's: the caller reads it as before).

    ``read_file(member name, bytes)`` reads one data file by its type; Shapefiles are read from their
    parts (:func:`borderviz.io.readers.vector.read_shapefile`).
    """
    from borderviz.io.readers.vector import read_shapefile

    files = _data_files(members)
    kinds = {PurePosixPath(n).suffix.lower() for n in files}
    if len(files) == 1 and kinds <= {".gpkg", ".geojson", ".json", ".parquet"}:  # one file zipped (a QGIS
        name = next(iter(files))                                                  # project's GeoPackage, say)
        return read_file(name, members[name])
    if not files or len(files) == 1 or not is_export(list(files.values())):
        return None  # one Shapefile or CSV: read as before
    chosen, note = choose(sorted(set(files.values())), file)
    tables = []
    for name, stem in sorted(files.items()):
        if stem not in chosen:
            continue
        if name.lower().endswith(".shp"):
            prefix = name[: -len(".shp")]
            parts = {n: c for n, c in members.items() if n.startswith(prefix + ".") or
                     PurePosixPath(n).name.lower() == "provenance.json"}
            table = read_shapefile(parts, file, max_rows)
            tables.append(region.table(table) if region is not None else table)
        else:
            tables.append(read_file(name, members[name]))
    table = concat(tables)
    if note:
        table.warnings.append(note)
    if sum(t.columns.num_rows for t in tables) > max_rows:
        raise InputError([Problem(file, "", f"has more than {max_rows:,} incidents; the limit is {max_rows:,}")])
    return table


def read_gpkg_member(data: bytes, file: str, max_rows: int) -> Table:
    """A GeoPackage inside a zip (the QGIS project's download), read from a scratch copy."""
    from borderviz.io.readers.gpkg import read_gpkg

    with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(data)
        return read_gpkg(path, file, max_rows)
