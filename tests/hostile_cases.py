"""The hostile-input table: format × attack × expected outcome, as data.

Each :class:`Case` builds its file in code and says what must happen:
``refused`` with a message containing ``says`` (and, where given, naming
``where``), or ``accepted`` with ``column`` of the first row equal to
``value`` (and a warning containing ``warns`` where given). tests/test_hostile.py
generates one test per row. To add a case, add a row: most need one line.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio
import shapely

REFUSED, ACCEPTED = "refused", "accepted"


@dataclass(frozen=True)
class Case:
    format: str
    attack: str
    name: str
    build: Callable[[], bytes]
    expect: str
    says: str = ""
    where: str = ""
    column: str = ""
    value: Any = None
    warns: str = ""
    options: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.format}-{self.attack}".replace(" ", "-")


# --- builders ---------------------------------------------------------------------------------------


def csv(*rows: str, header: str = "id,date,place,killed,latitude,longitude", encoding: str = "utf-8") -> Callable:
    return lambda: ("\n".join([header, *rows]) + "\n").encode(encoding)


def acled(**values: str) -> Callable:
    row = {"event_id_cnty": "KGZ1", "event_date": "2016-03-10", "time_precision": "1", "event_type": "Battles",
           "sub_event_type": "Armed clash", "country": "Kyrgyzstan", "location": "Ak-Sai", "latitude": "39.87",
           "longitude": "70.52", "geo_precision": "1", "fatalities": "0", "notes": ""}
    row.update(values)
    buffer = io.StringIO()
    import csv as _csv

    writer = _csv.writer(buffer, lineterminator="\n")
    writer.writerow(row)
    writer.writerow(row.values())
    return lambda: buffer.getvalue().encode()


def ucdp(**values: str) -> Callable:
    row = {"id": "1", "relid": "r1", "type_of_violence": "1", "where_prec": "1", "where_description": "Kok-Tash",
           "latitude": "39.95", "longitude": "70.53", "date_prec": "1", "date_start": "2016-05-01",
           "date_end": "2016-05-01", "best": "2", "country": "Kyrgyzstan"}
    row.update(values)
    return lambda: (",".join(row) + "\n" + ",".join(row.values()) + "\n").encode()


def feature(props: dict | None = None, geometry: Any = "point") -> dict:
    if geometry == "point":
        geometry = {"type": "Point", "coordinates": [70.53, 39.95]}
    return {"type": "Feature", "properties": {"id": "a", "date": "2022-09-14", **(props or {})}, "geometry": geometry}


def geojson(*features: dict, **top: Any) -> Callable:
    return lambda: json.dumps({"type": "FeatureCollection", **top, "features": list(features)}).encode()


def deeply_nested(depth: int) -> Callable:
    return lambda: b'{"type": "FeatureCollection", "features": ' + b"[" * depth + b"]" * depth + b"}"


def gpkg(sql: str, contents: str = "incidents") -> Callable:
    """A minimal GeoPackage made with sqlite3: its metadata tables, then ``sql``."""

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "x.gpkg"
            conn = sqlite3.connect(path)
            conn.executescript(f"""
                CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
                    organization_coordsys_id INTEGER, definition TEXT, description TEXT);
                INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', '');
                CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
                    description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL,
                    srs_id INTEGER);
                CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
                    srs_id INTEGER, z INTEGER, m INTEGER);
                INSERT INTO gpkg_contents VALUES ('{contents}', 'features', 'x', '', '', 0, 0, 0, 0, 4326);
                INSERT INTO gpkg_geometry_columns VALUES ('{contents}', 'geom', 'POINT', 4326, 0, 0);
                {sql}
            """)
            conn.commit()
            conn.close()
            return path.read_bytes()

    return build


def gpkg_point_blob(x: float = 70.53, y: float = 39.95) -> str:
    blob = b"GP\x00\x01" + (4326).to_bytes(4, "little") + shapely.to_wkb(shapely.Point(x, y))
    return "X'" + blob.hex() + "'"


PLAIN_TABLE = ("CREATE TABLE incidents (fid INTEGER PRIMARY KEY, geom BLOB, id TEXT, date TEXT); "
               f"INSERT INTO incidents VALUES (1, {gpkg_point_blob()}, 'a', '2022-09-14');")
RECURSIVE_VIEW = ("CREATE VIEW incidents AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                  "SELECT x AS fid, NULL AS geom, 'a' AS id, '2022-09-14' AS date FROM c;")


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def shapefile_members(place: str = "Ворух", encoding: str = "UTF-8") -> dict[str, bytes]:
    frame = gpd.GeoDataFrame({"id": ["a"], "date": ["2022-09-14"], "place": [place]},
                             geometry=[shapely.Point(70.58, 39.85)], crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as tmp:
        pyogrio.write_dataframe(frame, Path(tmp) / "incidents.shp", driver="ESRI Shapefile", encoding=encoding)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def shapefile(drop: tuple[str, ...] = (), folders: dict[str, str] | None = None, no_ldid: bool = False,
              **options: Any) -> Callable:
    def build() -> bytes:
        members = shapefile_members(**options)
        if no_ldid:
            dbf = bytearray(members["incidents.dbf"])
            dbf[29] = 0
            members["incidents.dbf"] = bytes(dbf)
        members = {(folders or {}).get(Path(n).suffix, "") + n: c for n, c in members.items()
                   if Path(n).suffix not in drop}
        return zip_of(members)

    return build


def kml(placemark_time: str) -> Callable:
    return lambda: (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f'<Placemark><name>Vorukh</name>{placemark_time}<Point><coordinates>70.58,39.85</coordinates></Point>'
        "</Placemark></Document></kml>").encode()


def geoparquet(**columns: Any) -> Callable:
    def build() -> bytes:
        frame = gpd.GeoDataFrame({"id": ["a"], "date": ["2022-09-14"], **columns},
                                 geometry=[shapely.Point(70.53, 39.95)], crs="EPSG:4326")
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        return buffer.getvalue()

    return build


def parquet_geometry_not_wkb() -> bytes:
    table = pq.read_table(io.BytesIO(geoparquet()()))
    meta = json.loads(table.schema.metadata[b"geo"])
    meta["primary_column"] = "date"
    meta["columns"] = {"date": meta["columns"]["geometry"]}
    buffer = io.BytesIO()
    pq.write_table(table.replace_schema_metadata({b"geo": json.dumps(meta).encode()}), buffer)
    return buffer.getvalue()


def parquet_without_geo() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"date": ["2022-09-14"], "latitude": [39.9], "longitude": [70.5]}), buffer)
    return buffer.getvalue()


# --- the table --------------------------------------------------------------------------------------

R = "row 2 (id 'file-a')"
CASES: list[Case] = [
    # CSV: values out of range, numbers that are not what they seem, encodings, ambiguous headers
    Case("csv", "date 9999-12-31", "d.csv", csv("a,9999-12-31,x,0,39.9,70.5"), REFUSED, "outside the dates", R),
    Case("csv", "date 1000-01-01", "d.csv", csv("a,1000-01-01,x,0,39.9,70.5"), REFUSED, "outside the dates", R),
    Case("csv", "fatalities 1e20", "f.csv", csv("a,2022-09-14,x,1e20,39.9,70.5"), REFUSED, "not a plausible", R),
    Case("csv", "fatalities 1e18", "f.csv", csv("a,2022-09-14,x,1e18,39.9,70.5"), REFUSED, "not a plausible", R),
    Case("csv", "fatalities negative", "f.csv", csv("a,2022-09-14,x,-3,39.9,70.5"), REFUSED, "below the minimum", R),
    Case("csv", "fatalities 1,000", "f.csv", csv('a,2022-09-14,x,"1,000",39.9,70.5'), ACCEPTED,
         column="killed_total", value=1000),
    Case("csv", "fatalities 1,5", "f.csv", csv('a,2022-09-14,x,"1,5",39.9,70.5'), REFUSED, "not a whole number", R),
    Case("csv", "fatalities nan", "f.csv", csv("a,2022-09-14,x,nan,39.9,70.5"), REFUSED, "not a whole number", R),
    Case("csv", "fatalities text", "f.csv", csv("a,2022-09-14,x,many,39.9,70.5"), REFUSED, "not a whole number", R),
    Case("csv", "latin-1 text", "l.csv", csv("a,2022-09-14,Café,0,39.9,70.5", encoding="latin-1"), ACCEPTED,
         column="place_reported", value="Café", warns="Windows-1252"),
    Case("csv", "windows-1251 text", "c.csv", csv("a,2022-09-14,Ворух Исфара,0,39.9,70.5", encoding="cp1251"),
         ACCEPTED, column="place_reported", value="Ворух Исфара", warns="Windows-1251"),
    Case("csv", "utf-8 with one bad byte", "broken.csv",
         lambda: csv("a,2022-09-14,Ворух Исфара Кок-Таш,0,39.9,70.5")().replace("Исфара".encode(), b"\xff"),
         REFUSED, "except for invalid bytes (the first at byte"),
    Case("csv", "utf-16 with BOM", "u.csv", csv("a,2022-09-14,Ворух,0,39.9,70.5", encoding="utf-16"), ACCEPTED,
         column="place_reported", value="Ворух"),
    Case("csv", "utf-16 without BOM", "u.csv", csv("a,2022-09-14,Ворух,0,39.9,70.5", encoding="utf-16-le"),
         ACCEPTED, column="place_reported", value="Ворух"),
    Case("csv", "utf-8 BOM", "b.csv", lambda: b"\xef\xbb\xbf" + csv("a,2022-09-14,x,0,39.9,70.5")(), ACCEPTED,
         column="id", value="file-a"),
    Case("csv", "two date columns", "two.csv", csv("a,2022-09-14,2021-01-01,39.9,70.5",
                                                   header="id,date,date,latitude,longitude"),
         REFUSED, "two columns named 'date'", "header"),
    Case("csv", "date and Date", "two.csv", csv("a,2022-09-14,2021-01-01,39.9,70.5",
                                                header="id,date,Date,latitude,longitude"),
         REFUSED, "two columns named", "header"),
    Case("csv", "ragged rows", "r.csv", csv("a,2022-09-14,x,0,39.9", "b,2022-09-14,x,0,39.9,70.5,9"), REFUSED,
         "different number of fields", "row 2"),
    Case("csv", "empty file", "e.csv", lambda: b"", REFUSED, "empty or has no header"),
    Case("csv", "header only", "h.csv", csv(), REFUSED, "no data rows"),
    Case("csv", "template text", "t.csv", csv("a,2022-09-14,{{ 7*191 }},0,39.9,70.5"), ACCEPTED,
         column="place_reported", value="{{ 7*191 }}"),
    Case("csv", "template file name", "{{ 7*7 }}.csv", csv("a,2022-09-14,x,0,39.9,70.5"), ACCEPTED,
         column="sources", value=[{"publisher": "User file {{ 7*7 }}", "title": "row 2 of {{ 7*7 }}.csv",
                                   "note": "imported from {{ 7*7 }}.csv", "file": "{{ 7*7 }}.csv"}]),
    Case("csv", "formula text", "t.csv", csv("a,2022-09-14,=cmd|' /C calc'!A0,0,39.9,70.5"), ACCEPTED,
         column="place_reported", value="=cmd|' /C calc'!A0"),
    Case("csv", "bare CR line ends", "cr.csv", lambda: csv("a,2022-09-14,x,0,39.9,70.5")().replace(b"\n", b"\r"),
         ACCEPTED, column="id", value="file-a"),
    Case("csv", "javascript url source", "s.csv", csv("a,2022-09-14,javascript:alert(1),39.9,70.5",
                                                      header="id,date,source,latitude,longitude"),
         ACCEPTED, column="sources", value=[{"publisher": "User file s", "title": "javascript:alert(1)",
                                             "note": "imported from s.csv", "file": "s.csv"}]),
    Case("csv", "too many rows", "many.csv", csv(*[f"r{i},2022-09-14,x,0,39.9,70.5" for i in range(50)]),
         REFUSED, "more than 10 rows", options={"max_rows": 10}),
    Case("csv", "5000 columns", "wide.csv",
         lambda: csv("a,2022-09-14,39.9,70.5" + ",x" * 4996,
                     header="id,date,latitude,longitude" + "".join(f",c{i}" for i in range(4996)))(),
         REFUSED, "5,000 columns"),
    Case("csv", "a 6 MB cell", "cell.csv", lambda: csv('a,2022-09-14,"' + "x\n" * 3_000_000 + '",39.9,70.5',
                                                       header="id,date,place,latitude,longitude")(),
         ACCEPTED, column="id", value="file-a"),
    Case("csv", "unterminated quote", "q.csv", csv('a,2022-09-14,"Vorukh,39.9,70.5'), REFUSED,
         "different number of fields", "row 2"),
    Case("csv", "acled time_precision 7", "acled.csv", acled(time_precision="7"), REFUSED,
         "time_precision '7' is not a known code", "row 2 (id 'acled-KGZ1')"),
    Case("csv", "acled without event id", "acled.csv", acled(event_id_cnty=""), REFUSED,
         "source_id is required but empty", "row 2"),
    Case("csv", "ucdp date_prec 9", "ged.csv", ucdp(date_prec="9"), REFUSED, "date_prec '9' is not a known code",
         "row 2 (id 'ucdp-1')"),
    Case("csv", "ucdp date_prec 5", "ged.csv", ucdp(date_prec="5"), ACCEPTED, column="date_precision", value="year"),
    Case("csv", "own export with deeply nested sources", "own.csv",
         lambda: ("id,dataset,source_id,date_start,date_precision,event_type,country,location_precision,sources,"
                  "latitude,longitude\nacled-1,acled,1,2022-09-14,day,other,KG,settlement,"
                  + "[" * 100_000 + "]" * 100_000 + ",39.9,70.5\n").encode(),
         REFUSED, "sources nests too deeply", "row 2 (id 'acled-1')"),
    # GeoJSON: nesting, bare geometries, declared CRSs, every bad feature named
    Case("geojson", "nested 100000 deep", "deep.geojson", deeply_nested(100_000), REFUSED, "too deeply"),
    Case("geojson", "nested coordinates", "deep.geojson",
         geojson(feature(geometry={"type": "Point", "coordinates": json.loads("[" * 500 + "1" + "]" * 500)})),
         REFUSED, "not those of a Point", "feature 1"),
    Case("geojson", "bare geometry", "g.geojson", lambda: b'{"type": "Point", "coordinates": [70.5, 39.9]}',
         REFUSED, "bare GeoJSON Point geometry"),
    Case("geojson", "unknown CRS", "crs.geojson",
         geojson(feature(), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}),
         REFUSED, "not a known one"),
    Case("geojson", "CRS84", "crs.geojson",
         geojson(feature(), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}),
         ACCEPTED, column="id", value="file-a"),
    Case("geojson", "two of four features bad", "four.geojson",
         geojson(feature({"id": "a"}), feature({"id": "b"}, {"type": "Point", "coordinates": "x"}),
                 feature({"id": "c"}), feature({"id": "d"}, {"type": "Banana"})),
         REFUSED, "geometry", "feature 2"),
    Case("geojson", "properties not an object", "p.geojson",
         lambda: b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":[1],"geometry":null}]}',
         REFUSED, "properties that are not an object", "feature 1"),
    Case("geojson", "NaN coordinates", "nan.geojson",
         lambda: geojson(feature())().replace(b"[70.53, 39.95]", b"[NaN, NaN]"), REFUSED, "out of range"),
    Case("geojson", "huge coordinates", "big.geojson",
         geojson(feature(geometry={"type": "Point", "coordinates": [1e308, 39.9]})), REFUSED, "out of range"),
    Case("geojson", "integer of 5000 digits", "big.geojson",
         lambda: geojson(feature())().replace(b"70.53", b"7" * 5000), REFUSED, "not valid JSON"),
    Case("geojson", "integer of 400 digits", "big.geojson",
         lambda: geojson(feature())().replace(b"70.53", b"7" * 400), REFUSED, "out of range", "feature 1"),
    Case("geojson", "latin-1 bytes", "l.geojson",
         lambda: json.dumps({"type": "Feature", **feature({"place": "Café"})}, ensure_ascii=False).encode("latin-1"),
         REFUSED, "not UTF-8"),
    Case("geojson", "single Feature", "one.geojson", lambda: json.dumps(feature()).encode(), ACCEPTED,
         column="id", value="file-a"),
    Case("geojson", "not JSON", "x.geojson", lambda: b"<x/>", REFUSED, "not valid JSON"),
    Case("geojson", "date 9999-12-31", "d.geojson", geojson(feature({"date": "9999-12-31"})), REFUSED,
         "outside the dates", "feature 1 (id 'file-a')"),
    Case("geojson", "killed NaN", "k.geojson", lambda: geojson(feature({"killed": 1.5}))().replace(b"1.5", b"NaN"),
         REFUSED, "not a whole number", "feature 1"),
    Case("geojson", "killed null", "k.geojson", geojson(feature({"killed": None})), ACCEPTED, column="killed_total",
         value=None),
    Case("geojson", "killed 1e20", "k.geojson", geojson(feature({"killed": 1e20})), REFUSED, "not a plausible",
         "feature 1"),
    # GeoPackage: SQL in the file is never evaluated
    Case("gpkg", "recursive view", "evil.gpkg", gpkg(RECURSIVE_VIEW), REFUSED, "is an SQL view", "layer 'incidents'"),
    Case("gpkg", "view calling sqlite_version", "evil.gpkg",
         gpkg("CREATE VIEW incidents AS SELECT 1 AS fid, NULL AS geom, sqlite_version() AS date;"), REFUSED,
         "is an SQL view"),
    Case("gpkg", "virtual table", "evil.gpkg", gpkg("CREATE VIRTUAL TABLE incidents USING rtree(id, a, b);"),
         REFUSED, "virtual table"),
    Case("gpkg", "contents names a missing table", "evil.gpkg", gpkg("", contents="nothing"), REFUSED,
         "is missing"),
    Case("gpkg", "trigger on the layer", "trig.gpkg",
         gpkg(PLAIN_TABLE + "CREATE TRIGGER t AFTER INSERT ON incidents BEGIN "
              "INSERT INTO incidents SELECT * FROM incidents; END;"), ACCEPTED, column="id", value="file-a"),
    Case("gpkg", "generated column calling a function", "gen.gpkg",
         gpkg("CREATE TABLE incidents (fid INTEGER PRIMARY KEY, geom BLOB, id TEXT, date TEXT, "
              "big BLOB AS (zeroblob(1000000000))); "
              f"INSERT INTO incidents (fid, geom, id, date) VALUES (1, {gpkg_point_blob()}, 'a', '2022-09-14');"),
         REFUSED, "generated columns (big)", "layer 'incidents'"),
    Case("gpkg", "plain table", "ok.gpkg", gpkg(PLAIN_TABLE), ACCEPTED, column="place_reported", value=None),
    Case("gpkg", "not sqlite", "x.gpkg", lambda: b"<OGRVRTDataSource/>", REFUSED, "not a GPKG file"),
    Case("gpkg", "unknown CRS", "crs.gpkg",
         gpkg(PLAIN_TABLE + "UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = 999999, srs_id = 999999; "
              "UPDATE gpkg_geometry_columns SET srs_id = 999999;"), REFUSED, "not a known one"),
    # zipped Shapefiles
    Case("zip", "parts in two folders", "split.zip", shapefile(folders={".shp": "a/", ".shx": "a/", ".prj": "a/",
                                                                        ".cpg": "a/", ".dbf": "b/"}),
         REFUSED, "not beside", "member 'b/incidents.dbf'"),
    Case("zip", "missing shx", "noshx.zip", shapefile(drop=(".shx",)), REFUSED, "has no incidents.shx"),
    Case("zip", "missing dbf", "nodbf.zip", shapefile(drop=(".dbf",)), REFUSED, "has no incidents.dbf"),
    Case("zip", "cyrillic dbf without cpg", "c.zip", shapefile(drop=(".cpg",), encoding="cp1251", no_ldid=True),
         ACCEPTED, column="place_reported", value="Ворух", warns="Windows-1251"),
    Case("zip", "utf-8 dbf without cpg", "u.zip", shapefile(drop=(".cpg",), no_ldid=True), ACCEPTED,
         column="place_reported", value="Ворух"),
    Case("zip", "no shp and no csv", "x.zip", lambda: zip_of({"x.dbf": b"x"}), REFUSED, "expected one Shapefile"),
    # KML
    Case("kml", "TimeStamp date", "t.kml", kml("<TimeStamp><when>2022-09-14</when></TimeStamp>"), ACCEPTED,
         column="date_start", value="2022-09-14"),
    Case("kml", "TimeSpan dates", "t.kml",
         kml("<TimeSpan><begin>2022-09-14</begin><end>2022-09-16</end></TimeSpan>"), ACCEPTED,
         column="date_end", value="2022-09-16"),
    Case("kml", "no date", "n.kml", kml(""), REFUSED, "no date column"),
    # GeoParquet
    Case("parquet", "not parquet", "x.parquet", lambda: b"PAR1 nothing", REFUSED, "not a PARQUET file"),
    Case("parquet", "nested list column", "tags.parquet", geoparquet(tags=[[1, 2]]), ACCEPTED,
         column="tags", value="[1, 2]"),  # kept as the file's own column, as JSON text
    Case("parquet", "geometry column is text", "x.parquet", parquet_geometry_not_wkb, REFUSED,
         "geometry cannot be read"),
    Case("parquet", "no geo metadata", "x.parquet", parquet_without_geo, REFUSED, "no GeoParquet"),
    # any format
    Case("any", "unsupported suffix", "x.exe", lambda: b"MZ", REFUSED, "unsupported type"),
]
