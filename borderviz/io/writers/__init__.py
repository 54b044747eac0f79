"""Writers, one module per format, each writing :class:`~borderviz.io.writers.layer.Layer` streams column by column.

Every format module has the same entry point::

    write(layers: list[Layer], prov: dict, folder: Path) -> list[str]

It writes the files of one export into ``folder`` (a scratch folder the
caller owns) and returns their names, data file first. ``prov`` is the
export's provenance (:func:`borderviz.io.formats.provenance`); each format
stores it where :data:`borderviz.io.formats.FORMATS` says. A writer reads its
layers through :meth:`Layer.reader` in batches and never holds a whole layer:
no Python code runs per row (text is built with pyarrow's string kernels,
binary formats are written by pyarrow or by GDAL through pyogrio's Arrow
interface), and memory is bounded by the batch. The exceptions are stated
where they are: the geometries of lines and polygons in KML, and the CSV's
choice between inline WKT and a sidecar, handle the (small) built-in layers
feature by feature.

=========== ==================================================================
module      writes
=========== ==================================================================
``layer``   the :class:`Layer` interface and its builders (frames, import tables, batches)
``text``    JSON values, XML text and defused spreadsheet cells, a column at a time
``geojson`` ``<layer>.geojson`` (RFC 7946)
``gpkg``    ``borderviz.gpkg`` (GeoPackage 1.3, QGIS styles, provenance table) via GDAL
``parquet`` ``<layer>.parquet`` (GeoParquet 1.1 with a bbox covering column) via pyarrow
``csv``     ``<layer>.csv`` with ``.csvt``, ``.vrt``, ``provenance.json`` and ``datapackage.json``
``shp``     a Shapefile per layer and geometry kind, with its name map and text sidecar
``kml``     ``borderviz.kml`` (KML 2.2, Google Earth's time slider, the app's styles)
``html``    ``borderviz-map.html``: the map, built by :mod:`borderviz.maps.engine`
=========== ==================================================================

:mod:`borderviz.io.formats` holds the table of what each format keeps and the
dispatch (``export``, ``export_to``).
"""

from borderviz.io.writers.layer import BATCH_ROWS, GEOMETRY, Layer, from_batches, from_frame, from_table, layer_of

__all__ = ["BATCH_ROWS", "GEOMETRY", "Layer", "from_batches", "from_frame", "from_table", "layer_of"]
