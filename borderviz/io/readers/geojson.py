"""GeoJSON: parsed whole by Python's C JSON parser when memory allows, else streamed through GDAL.

A parsed document takes about :data:`~borderviz.io.readers.GEOJSON_PARSE_FACTOR`
times its size in memory, so the cap is set by memory, not by a size: a file
that fits is parsed whole, with every check (its number of features, how deep
it nests: Python's parser raises RecursionError past about a thousand levels,
reported here as a message); a larger one is read by GDAL's GeoJSON driver,
whose streaming parser holds one feature at a time, in Arrow batches, the
rows outside the border region dropped batch by batch
(:func:`read_geojson_stream`). A declared CRS is honoured: EPSG:4326 or CRS84
as is, another known one reprojected with a warning, an unknown one refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyproj
import shapely
from pyproj.exceptions import CRSError

from borderviz.errors import InputError, Problem
from borderviz.io.readers import (
    GEOJSON_PARSE_FACTOR,
    MAX_ROWS,
    RegionFilter,
    Table,
    check_columns,
    memory_budget,
    reproject,
)

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection")
DEPTH = {"Point": 1, "MultiPoint": 2, "LineString": 2, "MultiLineString": 3, "Polygon": 3, "MultiPolygon": 4}


def declared_crs(doc: dict, file: str) -> pyproj.CRS | None:
    """The CRS a (pre-RFC 7946) ``crs`` member declares; None for lon/lat (EPSG:4326, CRS84)."""
    crs = doc.get("crs")
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if name.endswith(("CRS84", ":4326", "EPSG::4326")) or name in ("EPSG:4326",):
        return None
    match = re.search(r"EPSG:+(\d+)$", name)
    try:
        found = pyproj.CRS.from_epsg(int(match.group(1))) if match else pyproj.CRS.from_user_input(name)
    except (CRSError, ValueError, TypeError):
        raise InputError([Problem(file, "", f"declares the coordinate system {name[:80]!r}, which is not a known "
                                            "one; export it in EPSG:4326 (longitude/latitude)")]) from None
    return None if found.to_epsg() == 4326 else found


def column(values: list[Any]) -> pa.Array:
    """One property as an Arrow column: its own type if all values share one, else text."""
    try:
        arr = pa.array(values)
        if not (pa.types.is_struct(arr.type) or pa.types.is_list(arr.type)):
            return arr
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
        pass
    return pa.array([v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                     for v in values], pa.string())


def _geometry(geom: Any, where: str, file: str, problems: list[Problem]) -> Any:
    if geom is None:
        return None
    kind = geom.get("type") if isinstance(geom, dict) else None
    if kind not in GEOMETRY_TYPES:
        problems.append(Problem(file, where, f"geometry is not a GeoJSON geometry (type {str(kind)[:40]!r})"))
        return None
    if kind == "Point":
        coords = geom.get("coordinates")
        if isinstance(coords, list) and len(coords) in (2, 3) and all(
                type(v) in (int, float) for v in coords):
            try:
                return (float(coords[0]), float(coords[1]))  # made into points all at once by the caller
            except OverflowError:
                problems.append(Problem(file, where, "coordinates out of range (a number too large)"))
                return None
    if kind == "GeometryCollection":
        members = geom.get("geometries")
        if not isinstance(members, list) or any(isinstance(m, dict) and m.get("type") == "GeometryCollection"
                                                for m in members):
            problems.append(Problem(file, where, "geometry is a nested or malformed GeometryCollection"))
            return None
    elif _depth(geom.get("coordinates")) != DEPTH[kind]:
        problems.append(Problem(file, where, f"geometry's coordinates are not those of a {kind}"))
        return None
    try:
        return shapely.from_geojson(json.dumps(geom))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        problems.append(Problem(file, where, f"geometry cannot be read ({str(exc)[:120]})"))
        return None


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        if not value:
            return -1
        depth += 1
        value = value[0]
    return depth if isinstance(value, (int, float)) else -1


def parsed_whole(size: int) -> bool:
    """Whether a GeoJSON file of ``size`` bytes can be parsed whole in the memory this process has."""
    return size * GEOJSON_PARSE_FACTOR < memory_budget()


def read_geojson(data: bytes, file: str, max_rows: int = MAX_ROWS) -> Table:
    """A GeoJSON document parsed whole (see :func:`parsed_whole`; larger files: :func:`read_geojson_stream`)."""
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(file, f"line {exc.lineno} column {exc.colno}", f"is not valid JSON: {exc.msg}")]) \
            from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(file, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError([Problem(file, "", f"is not valid JSON: {str(exc)[:100]}")]) from None
    except RecursionError:
        raise InputError([Problem(file, "", "nests arrays or objects too deeply (over about a thousand levels); "
                                            "refused")]) from None
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind in GEOMETRY_TYPES:
        raise InputError([Problem(file, "", f"is a bare GeoJSON {kind} geometry: it has no properties, so no date. "
                                            "Wrap it in a Feature with a date property")])
    if kind == "Feature":
        features = [doc]
    elif kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError([Problem(file, "", "is a FeatureCollection without a list of features")])
    else:
        raise InputError([Problem(file, "", "is not a GeoJSON FeatureCollection or Feature (its 'type' is "
                                            f"{str(kind)[:40]!r}); refused")])
    if len(features) > max_rows:
        raise InputError([Problem(file, "", f"has {len(features):,} features; the limit is {max_rows:,}")])
    if not features:
        raise InputError([Problem(file, "", "has no features")])
    crs = declared_crs(doc, file)
    problems: list[Problem] = []
    props: list[dict] = []
    geoms = np.empty(len(features), dtype=object)
    for i, feature in enumerate(features):
        where = f"feature {i + 1}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(Problem(file, where, "is not a GeoJSON Feature"))
            props.append({})
            continue
        properties = feature.get("properties")
        if properties is not None and not isinstance(properties, dict):
            problems.append(Problem(file, where, "has properties that are not an object"))
            properties = None
        props.append(properties or {})
        geoms[i] = _geometry(feature.get("geometry"), where, file, problems)
    if problems:
        raise InputError(problems)
    pairs = np.fromiter((isinstance(g, tuple) for g in geoms), dtype=bool, count=len(geoms))
    if pairs.any():
        xy = np.array(geoms[pairs].tolist(), dtype=float)
        geoms[pairs] = shapely.points(xy[:, 0], xy[:, 1])
    keys = list(dict.fromkeys(k for p in props for k in p))
    check_columns(keys, file)
    table = pa.table({k: column([p.get(k) for p in props]) for k in keys}) if keys else \
        pa.table({"_": pa.nulls(len(props))}).drop(["_"])
    warnings = []
    if crs is not None:
        geoms, warning = reproject(geoms, crs, file)
        warnings.append(warning)
    own = doc.get("borderviz")
    return Table(table, geometries=geoms, warnings=warnings, provenance=own if isinstance(own, dict) else None)


# --- streamed through GDAL ----------------------------------------------------------------------------------


def _own_provenance(path) -> dict | None:
    """The ``borderviz`` member a borderviz export writes before its features (read from the first bytes)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20).decode("utf-8", errors="ignore")
    at, features = head.find('"borderviz":'), head.find('"features"')
    if at < 0 or (0 <= features < at):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(head, at + len('"borderviz":') + (head[at + 12] == " "))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def read_geojson_stream(path, file: str, max_rows: int = MAX_ROWS, region: RegionFilter | None = None,
                        batch: int = 65_536) -> Table:
    """A GeoJSON file too large to parse whole, read by GDAL (its streaming parser) in Arrow batches; rows
    outside the region are left out batch by batch and only the kept ones count toward ``max_rows``."""
    import pyogrio

    with open(path, "rb") as handle:
        start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        raise InputError([Problem(file, "", "is not valid JSON: it does not start with an object")])
    kept, geometries, numbers, rows, seen = [], [], [], 0, 0
    warnings: list[str] = []
    try:
        with pyogrio.open_arrow(path, batch_size=batch, use_pyarrow=True) as (meta, reader):
            crs = pyproj.CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
            column = meta.get("geometry_name") or "wkb_geometry"
            check_columns([f for f in reader.schema.names if f != column], file)
            for part in reader:
                at = np.arange(seen + 1, seen + 1 + part.num_rows, dtype=np.int64)
                seen += part.num_rows
                geoms = shapely.from_wkb(np.asarray(part.column(column).to_numpy(zero_copy_only=False),
                                                    dtype=object))
                if crs is not None and crs.to_epsg() != 4326:
                    geoms, warning = reproject(geoms, crs, file)
                    warnings[:] = [warning]
                if region is not None:
                    keep = region.geometries(geoms)
                    if not keep.all():
                        part, geoms, at = part.filter(pa.array(keep)), geoms[keep], at[keep]
                rows += part.num_rows
                if rows > max_rows:
                    raise InputError([Problem(file, "", f"has more than {max_rows:,} features"
                                                        f"{' in the border region' if region else ''}; the limit "
                                                        f"is {max_rows:,}")])
                kept.append(part.drop_columns([column]))
                geometries.append(geoms)
                numbers.append(at)
    except InputError:
        raise
    except Exception as exc:  # GDAL reports many kinds of broken files
        message = str(exc).replace(str(path), file)
        raise InputError([Problem(file, "", f"cannot be read as GeoJSON: {message[:300]}")]) from None
    if not rows:
        outside = region.outside if region is not None else 0
        raise InputError([Problem(file, "", f"has no features in {region.region.label}: all {outside:,} lie outside "
                                            "it" if outside else "has no features")])
    table = pa.Table.from_batches(kept)
    columns = pa.table({name: column_of(table.column(name)) for name in table.column_names})
    outside = region.outside if region is not None else 0
    dropped = outside and region is not None and not region.keep_outside
    return Table(columns, geometries=np.concatenate(geometries), warnings=warnings,
                 row_numbers=np.concatenate(numbers) if dropped else None, outside=outside,
                 provenance=_own_provenance(path))


def column_of(col: pa.ChunkedArray) -> pa.Array:
    """A column GDAL read, as the parser would give it: lists and objects as JSON text."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type) or pa.types.is_struct(arr.type):
        return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in arr.to_pylist()],
                        pa.string())
    return arr
