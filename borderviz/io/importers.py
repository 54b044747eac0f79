"""Import a user's own incidents: ACLED and UCDP GED exports, generic files, and borderviz's own exports.

Accepted: ACLED CSV, UCDP GED CSV, and GeoJSON, GeoPackage, KML, zipped
Shapefile, GeoParquet or CSV with latitude/longitude columns; and what
borderviz itself exports (GeoJSON, GeoPackage, GeoParquet, the zipped
Shapefile with its text sidecar, the zipped CSV with provenance.json). Rows
are mapped onto the incident schema (:data:`borderviz.model.schema.IMPORTED_INCIDENTS`),
keeping the source dataset's ids, precision codes and raw fields, and flagged
when they likely duplicate a built-in incident (within a day and 5 km).

Only the rows in the border region (:mod:`borderviz.model.region`) are
kept unless asked otherwise (``keep_outside``); how many lay outside is
reported. CSV and GeoParquet files are filtered as they are read, so a
worldwide export larger than memory imports in the memory its region's rows
need. The file's own columns are kept, typed, under their own names
(:func:`borderviz.io.mapping.file_columns`).

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
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from borderviz.errors import InputError, Problem
from borderviz.io import countries, interop
from borderviz.io.duplicates import DUPLICATE_DAYS, DUPLICATE_KM, duplicates_of, flag_duplicates  # noqa: F401 (API)
from borderviz.io.mapping import (  # noqa: F401 (part of this API)
    ACLED_GEO,
    ACLED_SUB_TYPES,
    ACLED_TIME,
    ACLED_TYPES,
    COUNTRY_CODES,
    OWN_COLUMNS,
    RESERVED,
    SYNONYMS,
    UCDP_DATE,
    UCDP_TYPES,
    UCDP_WHERE,
    file_columns,
    find,
    finish,
    map_acled,
    map_generic,
    map_own,
    map_ucdp,
    to_frame,
)
from borderviz.io.readers import MAX_BYTES, MAX_ROWS, RegionFilter, Table  # noqa: F401 (MAX_BYTES: the upload limit)
from borderviz.io.readers.csvfile import read_csv
from borderviz.io.readers.exports import read_gpkg_member
from borderviz.io.readers.exports import read_zip as read_export_zip
from borderviz.io.readers.geojson import parsed_whole, read_geojson, read_geojson_stream
from borderviz.io.readers.gpkg import read_gpkg
from borderviz.io.readers.parquet import read_parquet
from borderviz.io.readers.vector import ZIP_MAX_MEMBERS, csv_member, read_kml, read_shapefile, unzip  # noqa: F401
from borderviz.model.region import REGION

ACCEPTED_SUFFIXES = ("csv", "geojson", "json", "gpkg", "kml", "zip", "parquet")
# Files borderviz writes that hold no rows to import, and what to import instead.
NOT_DATA = {"qgz": "a QGIS project holds no data: import the GeoPackage beside it (same name, .gpkg)",
            **{fmt: interop.OPENS_IN[fmt]["borderviz"].removeprefix("no: ") for fmt in ("xlsx", "html")}}
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class ImportResult:
    """What a file gave: the incidents (as Arrow, and as a frame when asked), which dataset it was, warnings
    that did not stop it, and how many rows lay outside the border region (``kept_outside``: imported too)."""

    table: pa.Table
    dataset: str
    file: str
    warnings: list[str] = field(default_factory=list)
    attribution: list[dict[str, str]] = field(default_factory=list)
    outside: int = 0
    kept_outside: bool = False
    written: list = field(default_factory=list)  # files an import's child exported (uploads.Export)
    placed: dict = field(default_factory=dict)  # {country: rows whose country came from their place}
    _frame: gpd.GeoDataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The incidents as the app uses them (:func:`borderviz.io.mapping.to_frame`), made once."""
        if self._frame is None:
            self._frame = to_frame(self.table)
        return self._frame

    def __len__(self) -> int:
        return self.table.num_rows

    def placed_note(self) -> str:
        """How many rows took their country from where they lie (:mod:`borderviz.io.countries`), or ''."""
        return countries.note(self.placed, self.file)

    def outside_note(self) -> str:
        """What the import did with the rows outside the border region, in one sentence ('' if none)."""
        if not self.outside:
            return ""
        one = self.outside == 1
        rows = f"{self.outside:,} row{'' if one else 's'} of {self.file}"
        if self.kept_outside:
            return f"{rows} {'lies' if one else 'lie'} outside {REGION.label}; kept, as asked."
        return f"{rows} lay outside {REGION.label} and {'was' if one else 'were'} left out."


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


def coordinate_columns(names: list[str]) -> tuple[str, str] | None:
    """(latitude, longitude) column names of a CSV, as its mapping will read them (None if it has none)."""
    lat, lon = find(names, "latitude"), find(names, "longitude")
    if detect(names) in ("acled", "ucdp", "own") and {"latitude", "longitude"} <= set(names):
        lat, lon = "latitude", "longitude"
    return (lat, lon) if lat and lon else None


def _size(data: bytes | Path) -> int:
    return data.stat().st_size if isinstance(data, Path) else len(data)


def _head(data: bytes | Path, n: int = 16) -> bytes:
    if isinstance(data, Path):
        with open(data, "rb") as handle:
            return handle.read(n)
    return bytes(data[:n])


def read(name: str, data: bytes | Path, progress: Callable[[float], None] | None = None,
         max_rows: int = MAX_ROWS, region: RegionFilter | None = None) -> Table:
    """The file's columns and locations, by its type; raise InputError if it cannot be read safely.

    ``data`` is the file's bytes, or a file on disk (a CSV or GeoParquet file is then streamed, and no
    limit of size applies to it: only its rows in the region count). ``region`` leaves out the rows
    outside the border region and counts them (in the returned ``Table.outside``).
    """
    file = PurePosixPath(name.replace("\\", "/")).name
    suffix = Path(file).suffix.lower().lstrip(".")
    streamed = isinstance(data, Path) and suffix in ("csv", "parquet", "gpkg", "geojson", "json")
    if _size(data) > MAX_BYTES and not streamed:
        raise InputError([Problem(file, "", f"is {_size(data) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
                                            + (" for this type (CSV and GeoParquet files have none)"
                                               if isinstance(data, Path) else ""))])
    if suffix in NOT_DATA:
        raise InputError([Problem(file, "", f"is not imported: {NOT_DATA[suffix]}")])
    if suffix not in ACCEPTED_SUFFIXES:
        raise InputError([Problem(file, "", f"has an unsupported type '.{suffix[:20]}'; accepted: "
                                            f"{', '.join('.' + s for s in ACCEPTED_SUFFIXES)}")])
    if suffix == "csv":
        return read_csv(data, file, progress, max_rows, region, coordinate_columns)
    if suffix == "parquet":
        return read_parquet(data, file, max_rows, region)
    if suffix == "gpkg":
        if not _head(data).startswith(SQLITE_MAGIC):
            raise InputError([Problem(file, "", "is not a GPKG file (its content does not match its name); refused")])
        if isinstance(data, Path):
            return _filtered(read_gpkg(data, file, max_rows), region)
        with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
            path = Path(tmp) / "upload.gpkg"
            path.write_bytes(data)
            return _filtered(read_gpkg(path, file, max_rows), region)
    if suffix in ("geojson", "json"):
        if not parsed_whole(_size(data)):  # too large to parse whole in this memory: streamed through GDAL
            if isinstance(data, Path):
                return read_geojson_stream(data, file, max_rows, region)
            with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
                path = Path(tmp) / "upload.geojson"
                path.write_bytes(data)
                return read_geojson_stream(path, file, max_rows, region)
        data = data.read_bytes() if isinstance(data, Path) else data
        return _filtered(read_geojson(data, file, max_rows), region)
    data = data.read_bytes() if isinstance(data, Path) else data
    if suffix == "kml":
        return _filtered(read_kml(data, file, max_rows), region)
    members = unzip(data, file)
    own = read_export_zip(members, file, lambda member, content: _member(member, content, members, file, progress,
                                                                         max_rows, region), max_rows, region)
    if own is not None:
        return own
    if any(n.lower().endswith(".shp") for n in members):
        return _filtered(read_shapefile(members, file, max_rows), region)
    _, inner, provenance = csv_member(members, file)
    table = read_csv(inner, file, progress, max_rows, region, coordinate_columns)
    table.provenance = provenance
    return restore_formulas(table) if provenance is not None else table


def _member(member: str, content: bytes, members: dict[str, bytes], file: str,
            progress: Callable[[float], None] | None, max_rows: int, region: RegionFilter | None) -> Table:
    """One data file of a zipped borderviz export, read by its type."""
    suffix = member.lower().rsplit(".", 1)[-1]
    if suffix == "csv":
        _, _, provenance = csv_member({member: content, **{n: c for n, c in members.items()
                                                            if n.lower().endswith("provenance.json")}}, file)
        table = read_csv(content, file, progress, max_rows, region, coordinate_columns)
        table.provenance = provenance
        return restore_formulas(table) if provenance is not None else table
    if suffix == "parquet":
        return read_parquet(content, file, max_rows, region)
    if suffix == "gpkg":
        return _filtered(read_gpkg_member(content, file, max_rows), region)
    return _filtered(read_geojson(content, file, max_rows), region)


def _filtered(table: Table, region: RegionFilter | None) -> Table:
    return region.table(table) if region is not None else table


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


def import_table(name: str, data: bytes | Path, builtin: gpd.GeoDataFrame,
                 progress: Callable[[float], None] | None = None, max_rows: int = MAX_ROWS,
                 keep_outside: bool = False) -> pa.Table:
    """The import as one Arrow table (what :mod:`borderviz.io.uploads` sends back from its child process);
    :func:`result_of` turns it into an :class:`ImportResult`. Raise InputError if the file is refused.

    Rows outside the border region are left out (and counted) unless ``keep_outside``."""
    file = PurePosixPath(name.replace("\\", "/")).name
    table = read(name, data, progress, max_rows, RegionFilter(REGION, keep_outside))
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
    result, problems = finish(out, rows, file, file_columns(table, kind, own=kind == "own"))
    if problems:
        raise InputError(problems)
    # A row without a known country takes it from where it lies (the countries layer; disputed where its
    # 2017 and 2024 versions disagree), so that the country filter keeps it.
    at = result.schema.get_field_index("country")
    filled, placed = countries.fill(result.column(at).combine_chunks(), np.asarray(out["_x"], dtype=float),
                                    np.asarray(out["_y"], dtype=float))
    result = result.set_column(at, "country", filled)
    dupes = duplicates_of(out["_x"], out["_y"], out["date_start"], out["date_end"], builtin)
    result = result.set_column(result.schema.get_field_index("possible_duplicate_of"), "possible_duplicate_of",
                               pa.array(dupes, pa.string()))
    datasets = sorted(set(pc.unique(result.column("dataset").combine_chunks().cast(pa.string())).to_pylist())) \
        if kind == "own" else [kind]
    meta = {"dataset": datasets[0] if len(datasets) == 1 else "file", "file": file, "warnings": list(table.warnings),
            "attribution": [ATTRIBUTION[d] for d in datasets], "outside": table.outside,
            "kept_outside": keep_outside, "placed": placed}
    return result.replace_schema_metadata({b"borderviz": json.dumps(meta).encode()})


def result_of(table: pa.Table) -> ImportResult:
    """The :class:`ImportResult` an import table holds."""
    meta = json.loads(table.schema.metadata[b"borderviz"])
    return ImportResult(table, meta["dataset"], meta["file"], meta["warnings"], meta["attribution"],
                        meta.get("outside", 0), meta.get("kept_outside", False), placed=meta.get("placed", {}))


def combine(results: list[ImportResult]) -> ImportResult:
    """Several imports as one (``borderviz export --with a.csv --with b.csv``): their rows one after another."""
    if len(results) == 1:
        return results[0]
    table = pa.concat_tables([r.table for r in results], promote_options="permissive")
    placed: dict[str, int] = {}
    for r in results:
        for country, n in r.placed.items():
            placed[country] = placed.get(country, 0) + n
    return ImportResult(table, "+".join(sorted({r.dataset for r in results})), ", ".join(r.file for r in results),
                        [w for r in results for w in r.warnings], [a for r in results for a in r.attribution],
                        sum(r.outside for r in results), any(r.kept_outside for r in results), placed=placed)


def summary(result: ImportResult) -> dict:
    """Counts and dates of an import, from its columns: rows, first and last day, the possible duplicates."""
    table = result.table
    dupes = pc.is_valid(table.column("possible_duplicate_of"))
    flagged = table.filter(dupes)
    first = pc.min(table.column("date_start")).as_py()
    last = pc.max(table.column("date_end")).as_py()
    pairs = zip(flagged.column("id").to_pylist(), flagged.column("possible_duplicate_of").to_pylist(), strict=True)
    return {"rows": table.num_rows, "first": first, "last": last, "duplicates": list(pairs),
            "flagged": int(np.count_nonzero(dupes.to_numpy(zero_copy_only=False))), "placed": dict(result.placed),
            "placed_note": result.placed_note()}


def import_file(name: str, data: bytes | Path, builtin: gpd.GeoDataFrame,
                progress: Callable[[float], None] | None = None, max_rows: int = MAX_ROWS,
                keep_outside: bool = False) -> ImportResult:
    """Read ``data`` (a file called ``name``, or a file on disk) into imported incidents, or raise InputError."""
    return result_of(import_table(name, data, builtin, progress, max_rows, keep_outside))
