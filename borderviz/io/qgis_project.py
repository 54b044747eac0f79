"""A QGIS project for an export: every layer styled, its temporal settings on, the time controller on the period.

QGIS 3.22 reads the temporal settings of a layer's default style (a GeoPackage's
``layer_styles`` table, a ``.qml`` beside a file) but leaves them switched off
(qgis/QGIS#42223, still so in 3.28 and 3.30 per qgis/QGIS#53471), so a layer added
from the file does not follow the time controller until its properties are opened.
A project stores each layer's temporal settings itself and QGIS applies them as
loaded: this module writes one.

:func:`project_xml` is the ``.qgs`` document (QGIS 3.22's project format, the parts
QGIS needs: the layers with their renderers and temporal settings from
:mod:`borderviz.io.styling`, the layer tree, the map's extent and CRS, and the
project's time settings: the exported period in steps of a day); :func:`qgz_bytes`
zips it as a ``.qgz``; :func:`embed` stores it in a GeoPackage's ``qgis_projects``
table, where QGIS's browser and *Project > Open From > GeoPackage* find it.
Layers are named by relative paths (``./borderviz.gpkg|layername=incidents``), so
the project opens wherever the folder is moved; :func:`retarget` renames the data
file a project points at. Every name written is borderviz's own (layer keys, column
names, titles from the schema); no value from the data reaches the document.

>>> "ProjectTimeSettings" in project_xml([ProjectLayer("incidents", "./x.gpkg", "point")], ("2022-09-14", "2022-09-20"))
True
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from borderviz.io.styling import layer_style, qml_renderer, qml_temporal
from borderviz.model.schema import ALL_SPECS

QGS_NAME = "borderviz.qgs"
PROJECT_NAME = "borderviz"  # the name of the project stored in a GeoPackage
QGIS_VERSION = "3.22.0"
_GEOMETRY = {"point": "Point", "line": "Line", "polygon": "Polygon", None: "No geometry"}
_WKB = {"point": "Point", "line": "MultiLineString", "polygon": "MultiPolygon"}
_WGS84_WKT = ('GEOGCRS["WGS 84",ENSEMBLE["World Geodetic System 1984 ensemble",MEMBER["World Geodetic System 1984 '
              '(Transit)"],MEMBER["World Geodetic System 1984 (G730)"],MEMBER["World Geodetic System 1984 (G873)"],'
              'MEMBER["World Geodetic System 1984 (G1150)"],MEMBER["World Geodetic System 1984 (G1674)"],MEMBER["World '
              'Geodetic System 1984 (G1762)"],MEMBER["World Geodetic System 1984 (G2139)"],ELLIPSOID["WGS 84",6378137,'
              '298.257223563,LENGTHUNIT["metre",1]],ENSEMBLEACCURACY[2.0]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",'
              '0.0174532925199433]],CS[ellipsoidal,2],AXIS["geodetic latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",'
              '0.0174532925199433]],AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",'
              '0.0174532925199433]],USAGE[SCOPE["Horizontal component of 3D system."],AREA["World."],'
              'BBOX[-90,-180,90,180]],ID["EPSG",4326]]')
_SRS = (f"<spatialrefsys><wkt>{escape(_WGS84_WKT)}</wkt><proj4>+proj=longlat +datum=WGS84 +no_defs</proj4>"
        "<srsid>3452</srsid><srid>4326</srid><authid>EPSG:4326</authid><description>WGS 84</description>"
        "<projectionacronym>longlat</projectionacronym><ellipsoidacronym>EPSG:7030</ellipsoidacronym>"
        "<geographicflag>true</geographicflag></spatialrefsys>")
# The order of the layer tree, top first: points over lines over areas, the countries at the bottom, tables last.
_ORDER = {"point": 0, "line": 1, "polygon": 2, None: 4}


@dataclass(frozen=True)
class ProjectLayer:
    """One layer of a project: its key, where QGIS finds it, its kind of geometry (None: a table)."""

    name: str
    source: str
    kind: str | None
    provider: str = "ogr"

    @property
    def layer_id(self) -> str:
        return f"{self.name}_borderviz"

    @property
    def rank(self) -> tuple[int, str]:
        return (3 if self.name == "countries" else _ORDER[self.kind], self.name)


def layer_kind(name: str) -> str | None:
    """point, line, polygon for a layer with geometry (its style's kind); None for a table."""
    return layer_style(name).kind if ALL_SPECS[name].geometry else None


def _maplayer(layer: ProjectLayer) -> str:
    spec = ALL_SPECS[layer.name]
    geometry = _GEOMETRY[layer.kind]
    wkb = f' wkbType="{_WKB[layer.kind]}"' if layer.kind else ""
    styled = (qml_temporal(layer.name) + qml_renderer(layer.name)) if layer.kind else ""
    srs = f"<srs>{_SRS}</srs>" if layer.kind else ""
    return (f'<maplayer type="vector" geometry="{geometry}"{wkb} autoRefreshEnabled="0" '
            'hasScaleBasedVisibilityFlag="0" styleCategories="AllStyleCategories">'
            f"<id>{escape(layer.layer_id)}</id><datasource>{escape(layer.source)}</datasource>"
            f"<keywordList><value></value></keywordList><layername>{escape(layer.name)}</layername>{srs}"
            f"<resourceMetadata><identifier>{escape(layer.name)}</identifier><title>{escape(spec.title)}</title>"
            f"<abstract>{escape(spec.doc)}</abstract></resourceMetadata>"
            f'<provider encoding="UTF-8">{escape(layer.provider)}</provider>{styled}</maplayer>')


def _tree(layers: Sequence[ProjectLayer]) -> str:
    nodes = "".join(f'<layer-tree-layer expanded="1" checked="Qt::Checked" id={quoteattr(lyr.layer_id)} '
                    f'name={quoteattr(lyr.name)} source={quoteattr(lyr.source)} '
                    f'providerKey={quoteattr(lyr.provider)}><customproperties/></layer-tree-layer>'
                    for lyr in layers)
    return f"<layer-tree-group><customproperties/>{nodes}</layer-tree-group>"


def _day(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def project_xml(layers: Iterable[ProjectLayer], period: tuple[str | dt.date, str | dt.date] | None,
                extent: Sequence[float] | None = None, title: str = "borderviz export", abstract: str = "") -> str:
    """The ``.qgs`` document: ``layers`` (in the tree's order: points on top, tables last), the map on
    ``extent`` (xmin, ymin, xmax, ymax in lon/lat), and the time controller on ``period`` (first and
    last day, both shown: the range ends at midnight after the last) in steps of a day.

    The period is written as local dates and times (no time zone): QGIS compares each frame's
    bounds, taken as written, with the layers' days at midnight, so every frame holds exactly
    its day wherever the project is opened.
    """
    ordered = sorted(layers, key=lambda lyr: lyr.rank)
    xmin, ymin, xmax, ymax = extent if extent is not None else (67.0, 38.5, 75.0, 41.5)
    pad_x, pad_y = (xmax - xmin) * 0.05 or 0.1, (ymax - ymin) * 0.05 or 0.1
    canvas = (f'<mapcanvas annotationsVisible="1" name="theMapCanvas"><units>degrees</units><extent>'
              f"<xmin>{xmin - pad_x!r}</xmin><ymin>{ymin - pad_y!r}</ymin><xmax>{xmax + pad_x!r}</xmax>"
              f"<ymax>{ymax + pad_y!r}</ymax></extent><rotation>0</rotation>"
              f"<destinationsrs>{_SRS}</destinationsrs><rendermaptile>0</rendermaptile></mapcanvas>")
    time = ""
    if period is not None:
        first, last = _day(period[0]), _day(period[1])
        end = last + dt.timedelta(days=1)
        time = ('<ProjectTimeSettings cumulativeTemporalRange="0" timeStep="1" frameRate="2" timeStepUnit="d">'
                f"<TemporalRange><start>{first.isoformat()}T00:00:00</start><end>{end.isoformat()}T00:00:00</end>"
                "</TemporalRange>"
                "</ProjectTimeSettings>")
    metadata = (f"<projectMetadata><identifier></identifier><parentidentifier></parentidentifier>"
                f"<language></language><type></type><title>{escape(title)}</title>"
                f"<abstract>{escape(abstract)}</abstract><links/><author>borderviz</author></projectMetadata>")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis projectname={quoteattr(title)} version="{QGIS_VERSION}"><homePath path=""/>'
            f"<title>{escape(title)}</title><projectCrs>{_SRS}</projectCrs>{_tree(ordered)}{canvas}"
            f"<projectlayers>{''.join(_maplayer(lyr) for lyr in ordered)}</projectlayers>"
            '<properties><Paths><Absolute type="bool">false</Absolute></Paths>'
            '<SpatialRefSys><ProjectionsEnabled type="int">1</ProjectionsEnabled></SpatialRefSys></properties>'
            f"{metadata}{time}</qgis>\n")


def qgz_bytes(qgs: str) -> bytes:
    """A ``.qgz``: the project document zipped (what QGIS writes and opens)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(QGS_NAME, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, qgs.encode("utf-8"))
    return buffer.getvalue()


def qgs_of(qgz: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(qgz)) as zf:
        return zf.read(next(n for n in zf.namelist() if n.endswith(".qgs"))).decode("utf-8")


def retarget(qgs: str, old: str, new: str) -> str:
    """The project with its layers read from ``./new`` instead of ``./old`` (file names, never data)."""
    for quote_old, quote_new in ((escape(f"./{old}|"), escape(f"./{new}|")),
                                 (quoteattr(f"./{old}|")[1:-1], quoteattr(f"./{new}|")[1:-1])):
        qgs = qgs.replace(quote_old, quote_new)
    return qgs


def embed(gpkg: Path, qgz: bytes, modified: dt.datetime | None = None) -> None:
    """Store the project in the GeoPackage's ``qgis_projects`` table as QGIS does (the .qgz as hex text, a
    JSON line of metadata). Like QGIS, it is not registered in ``gpkg_contents``: GeoPackage 1.3 lets a file
    hold other tables, and an attributes table would need an integer key (its requirement 119), which QGIS's
    table has not; so GDAL lists no extra layer."""
    stamp = (modified or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S")
    db = sqlite3.connect(gpkg)
    try:
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, content BLOB)")
            db.execute("INSERT OR REPLACE INTO qgis_projects VALUES (?, ?, ?)",
                       (PROJECT_NAME, f'{{"last_modified_time": "{stamp}", "last_modified_user": "borderviz" }}',
                        qgz.hex()))
    finally:
        db.close()


def embedded(gpkg: Path) -> str | None:
    """The ``.qgs`` document stored in a GeoPackage, or None."""
    db = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT content FROM qgis_projects WHERE name = ?", (PROJECT_NAME,)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()
    if row is None:
        return None
    content = row[0]
    return qgs_of(bytes.fromhex(content) if isinstance(content, str) else bytes(content))


def retarget_embedded(gpkg: Path, old: str, new: str) -> None:
    """Point the project stored in ``gpkg`` at ``./new`` (the GeoPackage's own name as written)."""
    qgs = embedded(gpkg)
    if qgs is not None and old != new:
        embed(gpkg, qgz_bytes(retarget(qgs, old, new)))


def period_of(prov: dict, gpkg: Path, names: Sequence[str]) -> tuple[str, str] | None:
    """The exported period: the export's ``from``/``to`` filters, else the span of the dated layers' days."""
    filters = prov.get("filters") or {}
    if filters.get("from") and filters.get("to"):
        return str(filters["from"]), str(filters["to"])
    first, last = [], []
    db = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        for name in names:
            interval = ALL_SPECS[name].interval
            if interval:
                start, end = interval
                low, high = db.execute(f'SELECT min("{start}"), max(coalesce("{end}", "{start}")) '
                                       f'FROM "{name}"').fetchone()
                first += [low] if low else []
                last += [high] if high else []
    finally:
        db.close()
    if not first or not last:
        return None
    return str(filters.get("from") or min(first))[:10], str(filters.get("to") or max(last))[:10]


def geopackage_project(gpkg: Path, names: Sequence[str], prov: dict) -> str:
    """The project of the layers ``names`` of a GeoPackage written as ``gpkg`` (read from ``./<its name>``)."""
    import pyogrio

    layers, bounds = [], []
    for name in names:
        kind = layer_kind(name)
        layers.append(ProjectLayer(name, f"./{gpkg.name}|layername={name}", kind))
        if kind:
            box = pyogrio.read_info(gpkg, layer=name).get("total_bounds")
            if box is not None and all(v == v for v in box):  # NaN for an empty layer
                bounds.append(box)
    extent = None
    if bounds:
        extent = (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
                  max(b[3] for b in bounds))
    abstract = " · ".join(a["text"] for a in prov.get("attribution", [])) + " " + str(prov.get("sources", ""))
    return project_xml(layers, period_of(prov, gpkg, names), extent, abstract=abstract.strip())
