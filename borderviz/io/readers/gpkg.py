"""GeoPackage, read with SQLite read-only: only plain tables, never a view, trigger or SQL function.

A GeoPackage is an SQLite database, and an SQLite file can hold code: a
view (a recursive one yields rows without end), triggers, virtual tables.
GDAL reads whatever ``gpkg_contents`` points at, views included. Here the
file is opened ``mode=ro&immutable=1`` (nothing can be written, so no trigger
can fire), an authorizer allows only reading the tables we name, a progress
handler stops any statement past the time limit, and a ``gpkg_contents``
entry that is not a plain table is refused before anything reads it.
Geometry blobs are decoded here (GeoPackage header, then WKB by shapely).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyproj
import shapely
from pyproj.exceptions import CRSError

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, Table, reproject
from borderviz.io.readers.geojson import column

SECONDS = 30
ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _connect(path: Path, deadline: float, allowed: set[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.execute("PRAGMA trusted_schema = OFF")

    def authorize(action, arg1, arg2, db, source):
        if action == sqlite3.SQLITE_SELECT:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in allowed and source is None:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and arg1 == "table_xinfo" and (arg2 or "").lower() in allowed:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 10_000)
    return conn


def _decode(blobs: list, file: str, names: list[str]) -> tuple[np.ndarray, list[Problem]]:
    wkb = np.empty(len(blobs), dtype=object)
    problems = []
    for i, blob in enumerate(blobs):
        if blob is None:
            continue
        if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
            problems.append(Problem(file, names[i], "geometry is not a GeoPackage geometry blob"))
            continue
        flags = blob[3]
        envelope = ENVELOPE_DOUBLES.get((flags >> 1) & 0b111)
        if envelope is None or flags & 0b100000:
            problems.append(Problem(file, names[i], "geometry uses an unsupported GeoPackage encoding"))
            continue
        if flags & 0b10000:  # empty geometry
            continue
        wkb[i] = blob[8 + 8 * envelope:]
    present = np.array([w is not None for w in wkb], dtype=bool)
    geoms = np.full(len(blobs), None, dtype=object)
    if present.any():
        try:
            geoms[present] = shapely.from_wkb(wkb[present])
        except shapely.errors.GEOSException:
            for i in np.flatnonzero(present):
                try:
                    geoms[i] = shapely.from_wkb(wkb[i])
                except shapely.errors.GEOSException as exc:
                    problems.append(Problem(file, names[i], f"geometry cannot be read ({str(exc)[:100]})"))
    return geoms, problems


def _crs(conn: sqlite3.Connection, srs_id: int, file: str, layer: str) -> pyproj.CRS:
    row = conn.execute("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
                       "WHERE srs_id = ?", (srs_id,)).fetchone()
    definition = (row[2] or "").strip() if row else ""
    if row is None or srs_id in (0, -1) or definition.lower() in ("", "undefined") or \
            definition.upper().startswith("LOCAL_CS"):
        raise InputError([Problem(file, f"layer {layer!r}", "declares no coordinate system; export it in EPSG:4326 "
                                                            "(longitude/latitude) or include the CRS")])
    organization, code, definition = row
    try:
        if str(organization).upper() == "EPSG":
            return pyproj.CRS.from_epsg(int(code))
        return pyproj.CRS.from_wkt(definition)
    except (CRSError, ValueError, TypeError):
        raise InputError([Problem(file, f"layer {layer!r}", f"declares the coordinate system {organization}:{code}, "
                                                            "which is not a known one; export it in EPSG:4326")]) \
            from None


def read_gpkg(path: Path, file: str, max_rows: int = MAX_ROWS, seconds: float = SECONDS) -> Table:
    deadline = time.monotonic() + seconds
    meta = {"sqlite_master", "gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"}  # grows per layer
    try:
        conn = _connect(path, deadline, meta)
        try:
            return _read(conn, path, file, max_rows, deadline, meta)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if time.monotonic() > deadline:
            raise InputError([Problem(file, "", f"took longer than {seconds:g} s to read; refused")]) from None
        raise InputError([Problem(file, "", f"cannot be read as a GeoPackage ({exc})")]) from None


def _read(conn, path, file, max_rows, deadline, meta) -> Table:
    schema = {name.lower(): (kind, sql or "") for kind, name, sql in
              conn.execute("SELECT type, name, sql FROM sqlite_master")}
    for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"):
        if schema.get(table, ("",))[0] != "table":
            raise InputError([Problem(file, "", f"has no {table} table, so it is not a GeoPackage")])
    contents = conn.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    geometry_columns = {str(t).lower(): (c, srs) for t, c, srs in
                        conn.execute("SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns")}
    problems, layers = [], []
    for name, data_type in contents:
        kind, sql = schema.get(str(name).lower(), (None, ""))
        if kind != "table" or not sql.lstrip().upper().startswith("CREATE TABLE"):
            what = "an SQL view" if kind == "view" else "a virtual table" if kind == "table" else "missing"
            problems.append(Problem(file, f"layer {str(name)[:60]!r}", f"is {what}, not a plain table; views and "
                                    "virtual tables may run code, so the file is refused"))
        elif data_type == "features":
            layers.append(str(name))
    if problems:
        raise InputError(problems)
    if not layers:
        raise InputError([Problem(file, "", "has no features")])
    frames, geometries, warnings = [], [], []
    for layer in layers:
        geom_col, srs = geometry_columns.get(layer.lower(), (None, None))
        if geom_col is None:
            raise InputError([Problem(file, f"layer {layer!r}", "has no entry in gpkg_geometry_columns")])
        crs = _crs(conn, srs, file, layer)
        meta.add(layer.lower())
        quoted = '"' + layer.replace('"', '""') + '"'
        columns = conn.execute(f"PRAGMA table_xinfo({quoted})").fetchall()
        generated = [c[1] for c in columns if c[6] in (2, 3)]  # hidden: 2 virtual, 3 stored generated column
        if generated:
            raise InputError([Problem(file, f"layer {layer!r}", f"has generated columns ({', '.join(generated)[:80]}): "
                                      "SQL that would run on reading, so the file is refused")])
        names = ", ".join('"' + str(c[1]).replace('"', '""') + '"' for c in columns)
        cursor = conn.execute(f"SELECT {names} FROM {quoted} LIMIT {int(max_rows) + 1}")  # noqa: S608 (quoted)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        if len(rows) > max_rows:
            raise InputError([Problem(file, f"layer {layer!r}", f"has more than {max_rows:,} features; the limit is "
                                                                 f"{max_rows:,}")])
        gi = [n.lower() for n in names].index(str(geom_col).lower())
        by_column = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        geoms, bad = _decode(list(by_column[gi]), file, [f"feature {i + 1}" for i in range(len(rows))])
        if bad:
            raise InputError(bad)
        if crs.to_epsg() != 4326:
            geoms, warning = reproject(geoms, crs, file)
            warnings.append(warning)
        keep = [i for i, n in enumerate(names) if i != gi and n.lower() != "fid"]
        frames.append(pa.table({names[i]: column(list(by_column[i])) for i in keep}))
        geometries.append(geoms)
    table = pa.concat_tables(frames, promote_options="permissive") if len(frames) > 1 else frames[0]
    return Table(table, geometries=np.concatenate(geometries), warnings=warnings,
                 provenance=_provenance(conn, schema, meta))


def _provenance(conn, schema, meta) -> dict | None:
    """The provenance a borderviz GeoPackage export carries in its ``borderviz_provenance`` table."""
    if schema.get("borderviz_provenance", ("",))[0] != "table":
        return None
    meta.add("borderviz_provenance")
    try:
        rows = conn.execute('SELECT "key", "value" FROM borderviz_provenance LIMIT 100').fetchall()
        return {str(k): json.loads(v) for k, v in rows if isinstance(v, str)}
    except (sqlite3.DatabaseError, ValueError, RecursionError):
        return None
