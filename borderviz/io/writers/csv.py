"""CSV for spreadsheets and GDAL, written by pyarrow's CSV writer a batch at a time.

``write(layers, prov, folder)`` writes per layer ``<layer>.csv`` (UTF-8 with a
byte order mark, CRLF records, every text field quoted, text a spreadsheet
would run as a formula defused), ``<layer>.csvt`` (GDAL's column types) and
``<layer>.vrt`` (opens it with its geometry in EPSG:4326), ``<layer>.qml`` (its
QGIS style, loaded with the ``.vrt`` or the ``.csv``), and for the export
``provenance.json`` and ``datapackage.json``. Every layer's attributes and geometry
are in the one file: points as ``latitude`` and ``longitude`` columns (7 decimals,
about 1 cm); lines and polygons as WKT in a ``wkt`` column, whole, however long:
tools (GDAL, QGIS, R, DuckDB, pandas) read it all, but a spreadsheet cuts a cell
at :data:`SPREADSHEET_CELL_LIMIT` characters (LibreOffice 7.4 measured; Excel's
documented limit), so the country outlines are whole only for tools (the XLSX
export simplifies what would not fit, and says so).

The ``.csvt`` uses only the types QGIS's *Add Delimited Text Layer* accepts
(String, Integer, Real, Date, DateTime): with any other (GDAL's CoordX, WKT) QGIS
3.22 ignores the whole file and guesses, reading an id such as
``2014-01-11-ak-sai-golovnoy`` as the date 2014-01-11. GDAL reads the same file
(its CSV driver takes a ``wkt`` column as the geometry by its name; points come
through the ``.vrt``). Memory holds one batch.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import shapely

from borderviz.io.writers.layer import BATCH_ROWS, GEOMETRY, Layer, geometries, points_xy
from borderviz.io.writers.text import defuse, plain, xml_escape

BOM = b"\xef\xbb\xbf"
# The most characters a spreadsheet cell holds (Excel, LibreOffice); longer text is cut.
SPREADSHEET_CELL_LIMIT = 32_767
OPTIONS = pcsv.WriteOptions(eol="\r\n", quoting_style="needed", include_header=True)
_CSVT = {"str": "String", "int": "Integer", "float": "Real", "date": "Date", "partial_date": "String",
         "json": "String", "sources": "String", "bool": "String", "datetime": "DateTime"}
# GDAL's CoordX/CoordY/WKT would make QGIS's delimited-text provider ignore the .csvt (see above).
_EXTRA = {"latitude": "Real", "longitude": "Real", "wkt": "String"}


def _safe_batch(batch: pa.RecordBatch, names: list[str]) -> pa.RecordBatch:
    """Text columns defused (headers too); other columns as they are (numbers unquoted, in their shortest
    form: 85 for 85.0)."""
    arrays = []
    for col in batch.columns:
        col = plain(col)
        arrays.append(defuse(col) if pa.types.is_string(col.type) else col)
    return pa.RecordBatch.from_arrays(arrays, names=[_defuse_name(n) for n in names])


def _defuse_name(name: str) -> str:
    return "'" + name if name.startswith(("=", "+", "-", "@", "\t", "\r", "'")) else name


def write_csv(path: Path, batches: Iterator[pa.RecordBatch]) -> list[str]:
    """Write batches (all of one schema) as one CSV file; returns its header as written."""
    writer = None
    header: list[str] = []
    with pa.OSFile(str(path), "wb") as sink:
        sink.write(BOM)
        for batch in batches:
            safe = _safe_batch(batch, batch.schema.names)
            if writer is None:
                header = safe.schema.names
                writer = pcsv.CSVWriter(sink, safe.schema, write_options=OPTIONS)
            writer.write_batch(safe)
        if writer is None:
            raise ValueError("no batches")
        writer.close()
    return header


def csv_bytes_of(table: pa.Table) -> bytes:
    """A small table as borderviz CSV bytes (the sidecars of other formats)."""
    sink = pa.BufferOutputStream()
    sink.write(BOM)
    safe = pa.Table.from_batches([_safe_batch(b, table.schema.names) for b in table.to_batches()]) if \
        table.num_rows else pa.table({_defuse_name(n): table.column(n) for n in table.schema.names})
    pcsv.write_csv(safe, sink, write_options=OPTIONS)
    return sink.getvalue().to_pybytes()


def csvt(types: list[str]) -> bytes:
    return (",".join(f'"{t}"' for t in types) + "\r\n").encode("ascii")


def csvt_types(layer: Layer, columns: list[str]) -> list[str]:
    """GDAL's type for each CSV column: numbers, dates and point coordinates typed."""
    out = []
    for c in columns:
        if c in _EXTRA:
            out.append(_EXTRA[c])
        elif c in layer.columns:
            out.append(_CSVT.get(layer.kind(c), "String"))
        else:
            out.append("String")
    return out


def csv_vrt(layer: str, csv_name: str, geometry: str) -> bytes:
    """An OGR VRT that opens ``csv_name`` as a layer with geometry in EPSG:4326 (GDAL, QGIS).

    ``layer`` and ``csv_name`` are our own names (layer keys), never data.
    """
    geom = ('<GeometryField encoding="PointFromColumns" x="longitude" y="latitude"/>' if geometry == "point"
            else '<GeometryField encoding="WKT" field="wkt"/>')
    stem = csv_name.rsplit(".", 1)[0]
    return (f'<OGRVRTDataSource><OGRVRTLayer name="{xml_escape(layer)}">'
            f'<SrcDataSource relativeToVRT="1">{xml_escape(csv_name)}</SrcDataSource>'
            f"<SrcLayer>{xml_escape(stem)}</SrcLayer><LayerSRS>EPSG:4326</LayerSRS>{geom}"
            "</OGRVRTLayer></OGRVRTDataSource>\n").encode()


def _point_batches(layer: Layer) -> Callable[[], Iterator[pa.RecordBatch]]:
    names = layer.columns

    def batches():
        for batch in layer.reader(BATCH_ROWS):
            xy = points_xy(batch.column(GEOMETRY))
            if xy is None:
                geoms = geometries(batch.column(GEOMETRY))
                xy = shapely.get_x(geoms), shapely.get_y(geoms)
            arrays = [batch.column(n) for n in names]
            arrays += [pc.round(pa.array(xy[1], pa.float64()), 7), pc.round(pa.array(xy[0], pa.float64()), 7)]
            yield pa.RecordBatch.from_arrays(arrays, names=[*names, "latitude", "longitude"])

    return batches


def _plain_batches(layer: Layer, extra: dict[str, pa.Array] | None = None) -> Iterator[pa.RecordBatch]:
    names = layer.columns
    start = 0
    for batch in layer.reader(BATCH_ROWS):
        arrays = [batch.column(n) for n in names]
        cols = list(names)
        for key, values in (extra or {}).items():
            arrays.append(values.slice(start, batch.num_rows))
            cols.append(key)
        start += batch.num_rows
        yield pa.RecordBatch.from_arrays(arrays, names=cols)


def _empty(names: list[str], layer: Layer) -> Iterator[pa.RecordBatch]:
    yield pa.RecordBatch.from_arrays([pa.nulls(0, layer.schema.field(n).type) if n in layer.columns
                                      else pa.nulls(0, pa.float64()) for n in names], names=names)


def _wkt_batches(layer: Layer) -> Iterator[pa.RecordBatch]:
    names = layer.columns
    for batch in layer.reader(BATCH_ROWS):
        geoms = geometries(batch.column(GEOMETRY))
        wkt = pa.array(np.asarray(shapely.to_wkt(geoms, rounding_precision=-1), dtype=object), pa.string())
        yield pa.RecordBatch.from_arrays([*(batch.column(n) for n in names), wkt], names=[*names, "wkt"])


def write_layer(layer: Layer, folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Write one layer's CSV and sidecars; returns ({csv file: its header}, other files)."""
    from borderviz.io.styling import qml

    name = layer.name
    others: list[str] = []
    if layer.has_geometry and layer.all_points():
        batches, columns, geometry = _point_batches(layer)(), [*layer.columns, "latitude", "longitude"], "point"
    elif layer.has_geometry:
        batches, columns, geometry = _wkt_batches(layer), [*layer.columns, "wkt"], "wkt"
    else:
        batches, columns, geometry = _plain_batches(layer), layer.columns, None
    headers = {f"{name}.csv": _write_or_empty(folder / f"{name}.csv", batches, columns, layer)}
    if geometry:
        (folder / f"{name}.vrt").write_bytes(csv_vrt(name, f"{name}.csv", geometry))
        (folder / f"{name}.qml").write_text(qml(name), encoding="utf-8")
        others += [f"{name}.vrt", f"{name}.qml"]
    (folder / f"{name}.csvt").write_bytes(csvt(csvt_types(layer, columns)))
    others.append(f"{name}.csvt")
    return headers, others


def _write_or_empty(path: Path, batches: Iterator[pa.RecordBatch], names: list[str], layer: Layer) -> list[str]:
    first = next(batches, None)
    if first is None:
        return write_csv(path, _empty(names, layer))

    def again():
        nonlocal first
        batch, first = first, None  # held by the writer only while it writes it
        yield batch
        del batch
        yield from batches

    return write_csv(path, again())


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    from borderviz.io.datapackage import export_package

    (folder / "provenance.json").write_bytes(json.dumps(prov, ensure_ascii=False, indent=2).encode("utf-8"))
    headers: dict[str, list[str]] = {}
    names: list[str] = []
    for layer in layers:
        found, others = write_layer(layer, folder)
        headers.update(found)
        names += [*found, *others]
    kinds = {layer.name: {c: layer.kind(c) for c in layer.columns} for layer in layers}
    (folder / "datapackage.json").write_bytes(export_package([*names, "provenance.json"], prov, headers, kinds))
    return [*names, "provenance.json", "datapackage.json"]
