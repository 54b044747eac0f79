"""Import a user's own incidents: ACLED and UCDP GED exports, generic files, and borderviz's own exports.

Accepted: ACLED CSV, UCDP GED CSV, and GeoJSON, GeoPackage, KML, zipped
Shapefile, GeoParquet or CSV with latitude/longitude columns; and what
borderviz itself exports (GeoJSON, GeoPackage, GeoParquet, the zipped
Shapefile with its text sidecar, the zipped CSV with provenance.json). Rows
are mapped onto the incident schema (:data:`borderviz.model.schema.IMPORTED_INCIDENTS`),
keeping the source dataset's ids, precision codes and raw fields, and flagged
when they likely duplicate a built-in incident (within a day and 5 km).

Every file is untrusted. It is checked before any parser sees it (size, zip
members and compression ratio, XML entities, what its content really is);
no SQL, entity or link in it is ever evaluated; reads are bounded in rows
(:data:`borderviz.io.readers.MAX_ROWS`) and grow linearly with the file. Every
problem found is reported together, naming the file, the row or feature and
the problem. A refused file loads nothing: what was loaded before stays as it
was. :mod:`borderviz.io.uploads` runs this in a child process bounded in time
and memory; call it directly only on files you trust not to be hostile.

ACLED's terms forbid redistributing its rows: imported rows live in the
user's session and exports only, never in this repository.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pyarrow as pa
import pyarrow.compute as pc

from borderviz.errors import InputError, Problem
from borderviz.io.duplicates import DUPLICATE_DAYS, DUPLICATE_KM, duplicates_of, flag_duplicates  # noqa: F401 (API)
from borderviz.io.mapping import (  # noqa: F401 (part of this API)
    ACLED_GEO,
    ACLED_SUB_TYPES,
    ACLED_TIME,
    ACLED_TYPES,
    COUNTRY_CODES,
    OWN_COLUMNS,
    SYNONYMS,
    UCDP_DATE,
    UCDP_TYPES,
    UCDP_WHERE,
    finish,
    map_acled,
    map_generic,
    map_own,
    map_ucdp,
    to_frame,
)
from borderviz.io.readers import MAX_BYTES, MAX_ROWS, Table  # noqa: F401 (MAX_BYTES: the one upload limit)
from borderviz.io.readers.csvfile import read_csv
from borderviz.io.readers.geojson import read_geojson
from borderviz.io.readers.gpkg import read_gpkg
from borderviz.io.readers.parquet import read_parquet
from borderviz.io.readers.vector import ZIP_MAX_MEMBERS, csv_member, read_kml, read_shapefile, unzip  # noqa: F401

ACCEPTED_SUFFIXES = ("csv", "geojson", "json", "gpkg", "kml", "zip", "parquet")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class ImportResult:
    """What a file gave: the incidents, which dataset it was, and warnings that did not stop it."""

    frame: gpd.GeoDataFrame
    dataset: str
    file: str
    warnings: list[str] = field(default_factory=list)
    attribution: list[dict[str, str]] = field(default_factory=list)


ATTRIBUTION = {
    "acled": {"text": "Armed Conflict Location & Event Data (ACLED), from the user's own export; cite "
                      "ACLED with your access date and filters, per its terms", "url": "https://acleddata.com/"},
    "ucdp": {"text": "UCDP Georeferenced Event Dataset (GED), CC BY 4.0; cite Sundberg & Melander (2013) "
                     "and Davies et al.", "url": "https://ucdp.uu.se/"},
    "file": {"text": "Incidents from a file the user imported; cite that file's own sources", "url": ""},
}


def detect(columns: list[str]) -> str:
    """'acled', 'ucdp', 'own' (a borderviz export) or 'file', from a table's column names."""
    names = set(columns)
    if names >= OWN_COLUMNS:
        return "own"
    if {"event_id_cnty", "event_date", "geo_precision"} <= names:
        return "acled"
    if {"where_prec", "date_prec", "best"} <= names and "id" in names:
        return "ucdp"
    return "file"


def read(name: str, data: bytes, progress: Callable[[float], None] | None = None,
         max_rows: int = MAX_ROWS) -> Table:
    """The file's columns and locations, by its type; raise InputError if it cannot be read safely."""
    file = PurePosixPath(name.replace("\\", "/")).name
    suffix = Path(file).suffix.lower().lstrip(".")
    if len(data) > MAX_BYTES:
        raise InputError([Problem(file, "", f"is {len(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB")])
    if suffix not in ACCEPTED_SUFFIXES:
        raise InputError([Problem(file, "", f"has an unsupported type '.{suffix[:20]}'; accepted: "
                                            f"{', '.join('.' + s for s in ACCEPTED_SUFFIXES)}")])
    if suffix == "csv":
        return read_csv(data, file, progress, max_rows)
    if suffix in ("geojson", "json"):
        return read_geojson(data, file, max_rows)
    if suffix == "kml":
        return read_kml(data, file, max_rows)
    if suffix == "parquet":
        return read_parquet(data, file, max_rows)
    if suffix == "gpkg":
        if not data.startswith(SQLITE_MAGIC):
            raise InputError([Problem(file, "", "is not a GPKG file (its content does not match its name); refused")])
        with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
            path = Path(tmp) / "upload.gpkg"
            path.write_bytes(data)
            return read_gpkg(path, file, max_rows)
    members = unzip(data, file)
    if any(n.lower().endswith(".shp") for n in members):
        return read_shapefile(members, file, max_rows)
    _, inner, provenance = csv_member(members, file)
    table = read_csv(inner, file, progress, max_rows)
    return restore_formulas(table) if provenance is not None else table


def restore_formulas(table: Table) -> Table:
    """Undo :func:`borderviz.io.formats.defuse_formula` in a borderviz CSV export: one leading apostrophe goes."""
    columns = table.columns
    for k, name in enumerate(columns.column_names):
        column = columns.column(k)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            fixed = pc.if_else(pc.starts_with(column, "'"), pc.utf8_slice_codeunits(column, 1), column)
            columns = columns.set_column(k, name, fixed)
    table.columns = columns
    return table


def _names_clash(table: Table, file: str) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for name in table.columns.column_names:
        if name.lower() in seen:
            problems.append(Problem(file, "", f"has two fields named {seen[name.lower()]!r} and {name!r}; which one "
                                              "holds the data is unclear, so the file is refused"))
        seen.setdefault(name.lower(), name)
    return problems


def import_table(name: str, data: bytes, builtin: gpd.GeoDataFrame,
                 progress: Callable[[float], None] | None = None, max_rows: int = MAX_ROWS) -> pa.Table:
    """The import as one Arrow table (what :mod:`borderviz.io.uploads` sends back from its child process);
    :func:`result_of` turns it into an :class:`ImportResult`. Raise InputError if the file is refused."""
    file = PurePosixPath(name.replace("\\", "/")).name
    table = read(name, data, progress, max_rows)
    del data
    problems = _names_clash(table, file)
    if problems:
        raise InputError(problems)
    kind = detect(table.columns.column_names)
    if kind == "own":
        out, rows = map_own(table, file)
    elif kind == "acled" and table.geometries is None:
        out, rows = map_acled(table, file)
    elif kind == "ucdp" and table.geometries is None:
        out, rows = map_ucdp(table, file)
    else:
        kind = "file"
        out, rows = map_generic(table, file, Path(file).stem)
        if out is None:
            raise InputError(rows)
    result, problems = finish(out, rows, file)
    if problems:
        raise InputError(problems)
    dupes = duplicates_of(out["_x"], out["_y"], out["date_start"], out["date_end"], builtin)
    result = result.set_column(result.schema.get_field_index("possible_duplicate_of"), "possible_duplicate_of",
                               pa.array(dupes, pa.string()))
    datasets = sorted(set(pc.unique(result.column("dataset").combine_chunks().cast(pa.string())).to_pylist())) \
        if kind == "own" else [kind]
    meta = {"dataset": datasets[0] if len(datasets) == 1 else "file", "file": file, "warnings": list(table.warnings),
            "attribution": [ATTRIBUTION[d] for d in datasets]}
    return result.replace_schema_metadata({b"borderviz": json.dumps(meta).encode()})


def result_of(table: pa.Table) -> ImportResult:
    """The :class:`ImportResult` an import table holds."""
    meta = json.loads(table.schema.metadata[b"borderviz"])
    return ImportResult(to_frame(table), meta["dataset"], meta["file"], meta["warnings"], meta["attribution"])


def import_file(name: str, data: bytes, builtin: gpd.GeoDataFrame,
                progress: Callable[[float], None] | None = None, max_rows: int = MAX_ROWS) -> ImportResult:
    """Read ``data`` (a file called ``name``) into imported incidents, or raise InputError."""
    return result_of(import_table(name, data, builtin, progress, max_rows))
