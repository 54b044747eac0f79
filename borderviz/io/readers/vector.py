"""Zips (a Shapefile, or borderviz's own CSV export) and KML, checked before GDAL or any parser sees them.

A zip's member names, count, sizes and compression ratios are checked first
(zip slip, zip bombs); a Shapefile's parts must sit together under one name
(``a/x.shp`` with ``b/x.dbf`` is two Shapefiles' halves); its ``.shx`` and
``.dbf`` must be there. A ``.dbf`` without a ``.cpg`` is read as UTF-8 if it
is valid UTF-8, else as the likelier of Windows-1251 and Windows-1252, with a
warning. KML is parsed with defusedxml first: DTDs, entities and links to
other files are refused. GDAL's messages never name the temporary folder.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
from defusedxml import ElementTree as safe_xml
from defusedxml.common import DefusedXmlException

from borderviz.errors import InputError, Problem
from borderviz.io.readers import MAX_ROWS, Table, check_columns, reproject, text
from borderviz.io.readers.geojson import column

ZIP_MAX_MEMBERS = 12
ZIP_MAX_UNCOMPRESSED = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd"}
# Sidecars of borderviz's own Shapefile and CSV exports.
EXPORT_SIDECARS = (".fields.csv", ".text.csv", ".wkt.csv")
# Files a borderviz CSV export holds beside its data, never read as data (a .vrt is
# never handed to GDAL: a VRT can point a reader at any file on the server).
EXPORT_EXTRAS = ("provenance.json", "datapackage.json", ".csvt", ".vrt")
SHP_MAGIC = b"\x00\x00\x27\x0a"  # a Shapefile's file code, 9994, big-endian
EXPECTED_DRIVERS = {"kml": {"LIBKML", "KML"}, "zip": {"ESRI Shapefile"}}


def check_kml(data: bytes, file: str):
    """Parse KML safely and return its root; refuse DTDs, entities and links to other files."""
    try:
        root = safe_xml.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError([Problem(file, "", f"contains a DTD or XML entities ({type(exc).__name__}); "
                                            "refused for safety")]) from None
    except safe_xml.ParseError as exc:
        raise InputError([Problem(file, f"line {exc.position[0]}", f"is not well-formed XML ({exc})")]) from None
    if any(el.tag.rsplit("}", 1)[-1] == "NetworkLink" for el in root.iter()):
        raise InputError([Problem(file, "", "contains a NetworkLink to other files; refused for safety")])
    if root.tag.rsplit("}", 1)[-1] != "kml":
        raise InputError([Problem(file, "", "is not a KML file (its content does not match its name); refused")])
    return root


def unzip(data: bytes, file: str) -> dict[str, bytes]:
    """The members of an upload's zip (full names), after checking names, count, sizes and ratios."""
    problems = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError([Problem(file, "", "is not a valid zip file")]) from None
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > ZIP_MAX_MEMBERS:
        problems.append(Problem(file, "", f"has {len(infos)} files; a zipped Shapefile has at most "
                                          f"{ZIP_MAX_MEMBERS}"))
    total = 0
    for info in infos:
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or ":" in name or name.startswith(("/", "\\")):
            problems.append(Problem(file, f"member {name!r}", "has a path-like name (absolute, '..' or a drive); "
                                                              "refused"))
            continue
        lower = name.lower()
        if pure.suffix.lower() not in SHAPEFILE_PARTS and not lower.endswith((".csv", *EXPORT_EXTRAS)):
            problems.append(Problem(file, f"member {name!r}", "is not part of a Shapefile "
                                    f"(expected {', '.join(sorted(SHAPEFILE_PARTS))}) or of a borderviz CSV export"))
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO:
            ratio = info.file_size / info.compress_size
            problems.append(Problem(file, f"member {name!r}", f"expands {ratio:.0f}-fold (limit {ZIP_MAX_RATIO}); "
                                                              "refused as a possible zip bomb"))
    if total > ZIP_MAX_UNCOMPRESSED:
        problems.append(Problem(file, "", f"would expand to {total / 1e6:.0f} MB "
                                          f"(limit {ZIP_MAX_UNCOMPRESSED / 1e6:.0f} MB)"))
    if problems:
        raise InputError(problems)
    try:
        return {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as exc:
        raise InputError([Problem(file, "", f"cannot be unpacked ({exc}); an encrypted or damaged zip?")]) from None


def shapefile_parts(members: dict[str, bytes], file: str) -> tuple[str, dict[str, bytes]]:
    """The one Shapefile in a zip: its stem and its parts by suffix, all beside each other."""
    shps = [n for n in members if n.lower().endswith(".shp")]
    if len(shps) != 1:
        raise InputError([Problem(file, "", f"holds {len(shps)} .shp files; expected exactly one")])
    shp = PurePosixPath(shps[0])
    folder, stem = shp.parent, shp.stem.lower()
    parts, problems = {}, []
    for name, content in members.items():
        pure = PurePosixPath(name)
        lower = pure.name.lower()
        if lower.endswith(EXPORT_EXTRAS) or lower.endswith(EXPORT_SIDECARS):
            continue
        if pure.parent != folder or pure.stem.lower() != stem:
            problems.append(Problem(file, f"member {name!r}", f"is not beside {shps[0]!r} under the same name; a "
                                    "Shapefile's parts must share one folder and name, so which attributes belong "
                                    "to which shapes is unclear"))
            continue
        parts[pure.suffix.lower()] = content
    for suffix, what in ((".shx", "the shape index"), (".dbf", "the attributes")):
        if suffix not in parts:
            problems.append(Problem(file, "", f"has no {shp.stem}{suffix} ({what}); include it in the zip"))
    if ".prj" not in parts and not problems:
        problems.append(Problem(file, "", "has no .prj file, so its coordinate system is unknown; add the .prj or "
                                          "export it in EPSG:4326"))
    if problems:
        raise InputError(problems)
    if not parts[".shp"].startswith(SHP_MAGIC):
        raise InputError([Problem(file, f"member {shps[0]!r}", "is not a SHP file (its content does not match its "
                                                               "name); refused")])
    return shp.stem, parts


def dbf_encoding(dbf: bytes) -> tuple[str | None, str | None]:
    """(encoding for GDAL, warning) for a .dbf that came without a .cpg; (None, None) if it declares one."""
    if len(dbf) > 29 and dbf[29]:
        return None, None  # the header's language driver id names the code page
    header = int.from_bytes(dbf[8:10], "little") if len(dbf) > 10 else 0
    records = dbf[header:]
    if text.is_utf8(records):
        return "UTF-8", None
    guess = text.guess_single_byte(records)
    return guess.upper(), (f"has no .cpg naming the attributes' encoding; they were read as {text.LABELS[guess]}. "
                           "If names look garbled, add a .cpg")


def to_table(frame: pd.DataFrame, file: str) -> pa.Table:
    """A frame's attribute columns as Arrow (a column of mixed types becomes text)."""
    out = {}
    check_columns([str(c) for c in frame.columns], file)
    for name in frame.columns:
        if name == "geometry":
            continue
        series = frame[name]
        try:
            out[str(name)] = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            out[str(name)] = column(series.tolist())
    return pa.table(out) if out else pa.table({"_": pa.nulls(len(frame))}).drop(["_"])


def read_gdal(path: Path, file: str, suffix: str, folder: Path, max_rows: int,
              encoding: str | None = None) -> Table:
    """A KML or Shapefile through GDAL (after the checks above), bounded in features."""
    try:
        driver = pyogrio.read_info(path, layer=0)["driver"]
        if driver not in EXPECTED_DRIVERS[suffix]:
            raise InputError([Problem(file, "", f"was read as {driver}, not {suffix.upper()}; refused")])
        spatial = [name for name, geometry in pyogrio.list_layers(path) if geometry is not None]
        options = {"encoding": encoding} if encoding else {}
        parts = [pyogrio.read_dataframe(path, layer=name, datetime_as_string=True, max_features=max_rows + 1,
                                        **options) for name in spatial]
    except InputError:
        raise
    except Exception as exc:  # GDAL reports many kinds of broken files
        message = str(exc).replace(str(folder), "").replace("//", "/")
        raise InputError([Problem(file, "", f"cannot be read as {suffix.upper()}: {message[:300]}")]) from None
    parts = [p for p in parts if len(p)]
    if not parts:
        raise InputError([Problem(file, "", "has no features")])
    if sum(len(p) for p in parts) > max_rows:
        raise InputError([Problem(file, "", f"has more than {max_rows:,} features; the limit is {max_rows:,}")])
    warnings, frames, geometries = [], [], []
    for part in parts:
        if part.crs is None:
            raise InputError([Problem(file, "", "declares no coordinate system; export it in EPSG:4326 "
                                                "(longitude/latitude) or include the CRS")])
        geoms = np.asarray(part.geometry.values, dtype=object)
        if part.crs.to_epsg() != 4326:
            geoms, warning = reproject(geoms, part.crs, file)
            warnings.append(warning)
        frames.append(pd.DataFrame(part.drop(columns="geometry")))
        geometries.append(geoms)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return Table(to_table(frame, file), geometries=np.concatenate(geometries), warnings=warnings)


def read_kml(data: bytes, file: str, max_rows: int = MAX_ROWS) -> Table:
    check_kml(data, file)
    with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
        path = Path(tmp) / "upload.kml"
        path.write_bytes(data)
        return read_gdal(path, file, "kml", Path(tmp), max_rows)


def read_shapefile(members: dict[str, bytes], file: str, max_rows: int = MAX_ROWS) -> Table:
    stem, parts = shapefile_parts(members, file)
    warnings = []
    encoding = None
    if ".cpg" not in parts:
        encoding, warning = dbf_encoding(parts[".dbf"])
        if warning:
            warnings.append(f"{file}: {stem}.dbf {warning}")
    with tempfile.TemporaryDirectory(prefix="borderviz-import-") as tmp:
        folder = Path(tmp)
        for suffix, content in parts.items():
            (folder / f"upload{suffix}").write_bytes(content)
        table = read_gdal(folder / "upload.shp", file, "zip", folder, max_rows, encoding)
    table.warnings[:0] = warnings
    sidecars = {PurePosixPath(n).name.lower(): c for n, c in members.items()}
    if "provenance.json" in sidecars:  # a borderviz export
        try:
            prov = json.loads(sidecars["provenance.json"])
        except (ValueError, RecursionError):
            prov = None
        table.provenance = prov if isinstance(prov, dict) else None
    fields, texts = sidecars.get(f"{stem.lower()}.fields.csv"), sidecars.get(f"{stem.lower()}.text.csv")
    if fields is not None and texts is not None:
        table.columns = _join_export_sidecars(table.columns, fields, texts, file)
    return table


def _join_export_sidecars(table: pa.Table, fields: bytes, texts: bytes, file: str) -> pa.Table:
    """borderviz's Shapefile export: field names back to columns, and the long text joined back by id."""
    mapping = pd.read_csv(io.BytesIO(fields), dtype=str, keep_default_na=False)
    names = dict(zip(mapping["shapefile_field"], mapping["column"], strict=True))
    table = table.rename_columns([names.get(c, c) for c in table.column_names])
    side = pd.read_csv(io.BytesIO(texts), dtype=str, keep_default_na=False, na_values=[""])
    if "id" not in side or "id" not in table.column_names:
        return table
    if side["id"].duplicated().any():
        raise InputError([Problem(file, "text sidecar", "repeats an id, so its text cannot be joined back")])
    order = pd.Index(side["id"]).get_indexer(pd.Series(table.column("id").to_pylist(), dtype=object))
    if (order < 0).any():
        raise InputError([Problem(file, "text sidecar", "lacks the text of some features")])
    for name in side.columns:
        if name != "id":
            values = side[name].to_numpy(dtype=object)[order]
            table = table.append_column(name, pa.array([None if pd.isna(v) else v for v in values], pa.string()))
    return table


def csv_member(members: dict[str, bytes], file: str) -> tuple[str, bytes, dict | None]:
    """The one data CSV of a zip (borderviz's CSV export holds it beside a provenance.json)."""
    data = [n for n in members if n.lower().endswith(".csv") and not n.lower().endswith(EXPORT_SIDECARS)]
    if len(data) != 1:
        raise InputError([Problem(file, "", f"holds {len(data)} data CSV files and no .shp; expected one Shapefile "
                                            "or one CSV")])
    provenance = next((c for n, c in members.items() if PurePosixPath(n).name.lower() == "provenance.json"), None)
    try:
        prov = json.loads(provenance) if provenance else None
    except (ValueError, RecursionError):
        prov = None
    return data[0], members[data[0]], prov
