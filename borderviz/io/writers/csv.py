"""CSV for spreadsheets and GDAL, written by pyarrow's CSV writer a batch at a time.

``write(layers, prov, folder)`` writes per layer ``<layer>.csv`` (UTF-8 with a
byte order mark, CRLF records, every text field quoted, text a spreadsheet
would run as a formula defused), ``<layer>.csvt`` (GDAL's column types) and
``<layer>.vrt`` (opens it with its geometry in EPSG:4326), and for the export
``provenance.json`` and ``datapackage.json``. Points become ``latitude`` and
``longitude`` columns (7 decimals, about 1 cm); lines and polygons WKT, or, when
some WKT would not fit a spreadsheet cell, ``<layer>.wkt.csv`` (id, wkt).
Point layers stream (one batch in memory); the WKT choice needs a layer's
every geometry, which only the built-in layers have.
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
_EXTRA = {"latitude": "CoordY", "longitude": "CoordX", "wkt": "WKT"}


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


def write_layer(layer: Layer, folder: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Write one layer's CSV and sidecars; returns ({csv file: its header}, other files)."""
    name = layer.name
    headers: dict[str, list[str]] = {}
    others: list[str] = []
    if layer.has_geometry and layer.all_points():
        batches = _point_batches(layer)()
        columns = [*layer.columns, "latitude", "longitude"]
        headers[f"{name}.csv"] = _write_or_empty(folder / f"{name}.csv", batches, columns, layer)
        (folder / f"{name}.vrt").write_bytes(csv_vrt(name, f"{name}.csv", "point"))
        others.append(f"{name}.vrt")
    elif layer.has_geometry:
        wkb = pa.concat_arrays([plain(b.column(GEOMETRY)) for b in layer.reader(BATCH_ROWS)] or
                               [pa.array([], pa.binary())])
        wkt = np.asarray(shapely.to_wkt(geometries(wkb), rounding_precision=-1), dtype=object)
        wkt_text = pa.array(wkt, pa.string())
        longest = pc.max(pc.utf8_length(wkt_text)).as_py() or 0
        if longest > SPREADSHEET_CELL_LIMIT:
            ids = pa.concat_arrays([plain(b.column(layer.spec.id_field)) for b in layer.reader(BATCH_ROWS)])
            side = pa.table({layer.spec.id_field: ids, "wkt": wkt_text})
            headers[f"{name}.wkt.csv"] = write_csv(folder / f"{name}.wkt.csv", iter(side.to_batches()))
            (folder / f"{name}.wkt.csvt").write_bytes(csvt(csvt_types(layer, side.schema.names)))
            (folder / f"{name}.wkt.vrt").write_bytes(csv_vrt(name, f"{name}.wkt.csv", "wkt"))
            others += [f"{name}.wkt.csvt", f"{name}.wkt.vrt"]
            columns = layer.columns
            headers[f"{name}.csv"] = _write_or_empty(folder / f"{name}.csv", _plain_batches(layer), columns, layer)
        else:
            columns = [*layer.columns, "wkt"]
            headers[f"{name}.csv"] = _write_or_empty(folder / f"{name}.csv", _plain_batches(layer, {"wkt": wkt_text}),
                                                     columns, layer)
            (folder / f"{name}.vrt").write_bytes(csv_vrt(name, f"{name}.csv", "wkt"))
            others.append(f"{name}.vrt")
    else:
        columns = layer.columns
        headers[f"{name}.csv"] = _write_or_empty(folder / f"{name}.csv", _plain_batches(layer), columns, layer)
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
