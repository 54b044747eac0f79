"""Turn the hand-authored YAML under data/research into layer rows.

Every problem found (an unknown bibliography key, a gazetteer id that does not
exist, two files defining one key differently) is collected and reported
together, naming the YAML file and record.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from shapely import Point

from borderviz.errors import Problem
from borderviz.model.checks import district_reach_km
from borderviz.model.schema import MEASURES


@dataclass
class Gazetteer:
    """The KG/TJ gazetteer (Who's On First + GeoNames), indexed by wof_id."""

    rows: dict[int, dict[str, str]]

    @classmethod
    def read(cls, path: Path) -> Gazetteer:
        with path.open(encoding="utf-8", newline="") as fh:
            return cls({int(r["wof_id"]): r for r in csv.DictReader(fh)})

    def point(self, wof_id: int) -> Point:
        row = self.rows[wof_id]
        return Point(float(row["longitude"]), float(row["latitude"]))

    def describe(self, wof_id: int) -> str:
        row = self.rows[wof_id]
        district = row.get("county") or "district not given"
        geonames = f", GeoNames {row['geonameid']}" if row.get("geonameid") else ""
        return f"gazetteer wof:{wof_id}{geonames} ({row['name']}, {district}, {row['country_code']})"


@dataclass
class Research:
    """All YAML records, with the merged bibliography and the problems found reading them."""

    bibliography: dict[str, dict[str, Any]] = field(default_factory=dict)
    bib_origin: dict[str, str] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add_sources(self, file: str, entries: dict[str, Any] | None) -> None:
        for key, entry in (entries or {}).items():
            entry = {k: v for k, v in dict(entry).items() if v not in (None, "")}
            if key in self.bibliography and self.bibliography[key] != entry:
                self.problems.append(
                    Problem(file, f"source {key!r}", f"defined differently in {self.bib_origin[key]}")
                )
                continue
            self.bibliography[key] = entry
            self.bib_origin.setdefault(key, file)

    def cite(self, file: str, where: str, keys: Any) -> list[dict[str, Any]]:
        """Expand bibliography keys to citation dicts (problems for unknown keys)."""
        if isinstance(keys, str):
            keys = [keys]
        out = []
        for key in keys or []:
            if key not in self.bibliography:
                self.problems.append(Problem(file, where, f"unknown source key {key!r}"))
                continue
            out.append(citation(key, self.bibliography[key]))
        return out


CITATION_ORDER = ("publisher", "title", "author", "date", "url", "language", "licence", "note")


def citation(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A bibliography entry as stored on features: fixed key order, dates as text."""
    out: dict[str, Any] = {"key": key}
    for name in CITATION_ORDER:
        if entry.get(name) not in (None, ""):
            value = entry[name]
            out[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
    return out


def read_research(research_dir: Path) -> Research:
    """Read every YAML file under research_dir; merge their bibliographies first."""
    research = Research()
    files = sorted(research_dir.glob("*.yaml")) + sorted(research_dir.glob("incidents/*.yaml"))
    for path in files:
        rel = str(path.relative_to(research_dir.parent.parent))
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            research.problems.append(Problem(rel, "", f"is not valid YAML: {exc}"))
            continue
        research.documents[rel] = doc
        research.add_sources(rel, doc.get("sources"))
        research.add_sources(rel, doc.get("seeds"))
    return research


def iso(value: Any) -> str | None:
    """A YAML date (or text) as ISO text; None stays None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def headline(figures: list[dict[str, Any]], side: str, measure: str) -> int | None:
    """The figure shown on the map for one side and measure: the most recent report.

    Reports without a date count as oldest; among equally recent ones the
    largest wins. All reports stay in `figures` and casualty_reports.
    """
    candidates = [f for f in figures if f["side"] == side and f["measure"] == measure]
    if not candidates:
        return None
    best = max(candidates, key=lambda f: (f.get("reported_on") or "", f["value"]))
    return int(best["value"])


def figure_record(research: Research, file: str, where: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A casualty figure with its source expanded to a citation."""
    cited = research.cite(file, where, raw.get("source"))
    return {
        "side": raw.get("side"),
        "measure": raw.get("measure"),
        "value": raw.get("value"),
        "qualifier": raw.get("qualifier", "exact"),
        "reported_by": raw.get("reported_by"),
        "reported_on": iso(raw.get("reported_on")),
        "source": cited[0] if cited else None,
    }


def place(
    research: Research, gazetteer: Gazetteer, file: str, where: str, record: dict[str, Any]
) -> tuple[Point | None, str | None, int | None]:
    """(point, how it was placed, gazetteer id) for a record's `location`."""
    loc = record.get("location") or {}
    note = record.get("location_note")
    if "gazetteer" in loc:
        wof = loc["gazetteer"]
        try:
            wof = int(wof)
        except (TypeError, ValueError):
            research.problems.append(Problem(file, where, f"gazetteer id {wof!r} is not a number"))
            return None, None, None
        if wof not in gazetteer.rows:
            research.problems.append(Problem(file, where, f"gazetteer id {wof} is not in the gazetteer"))
            return None, None, None
        method = gazetteer.describe(wof) + (f"; {note}" if note else "")
        return gazetteer.point(wof), method, wof
    if "lat" in loc and "lon" in loc:
        method = str(loc.get("method") or "").strip()
        if not method:
            research.problems.append(Problem(file, where, "coordinates given without a `method`"))
        if note:
            method = f"{method}; {note}"
        return Point(float(loc["lon"]), float(loc["lat"])), method, None
    research.problems.append(Problem(file, where, "has no location (gazetteer id or lat/lon)"))
    return None, None, None


def named_place(research: Research, gazetteer: Gazetteer, file: str, where: str,
                record: dict[str, Any], wof: int | None) -> dict[str, Any] | None:
    """The gazetteer place the sources name, as {wof, name, lat, lon}, or None when it is not there.

    `location.named` gives it when the point was placed elsewhere; otherwise a
    point placed at a gazetteer row with `settlement` or `exact` precision is
    taken to be at the named place itself.
    """
    loc = record.get("location") or {}
    named = loc.get("named")
    if named is None and wof is not None and record.get("location_precision") in ("settlement", "exact"):
        named = wof
    if named is None:
        return None
    if int(named) not in gazetteer.rows:
        research.problems.append(Problem(file, where, f"named place {named} is not in the gazetteer"))
        return None
    row, point = gazetteer.rows[int(named)], gazetteer.point(int(named))
    name = row["name"] + (f" ({row['name_rus']})" if row.get("name_rus") else "")
    return {"wof": int(named), "name": name, "lat": round(point.y, 5), "lon": round(point.x, 5)}


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
NAME_FIELDS = {"ru": "name_rus", "ky": "name_kir", "tg": "name_tgk"}


def gazetteer_names(row: dict[str, str]) -> dict[str, str | None]:
    """The first Cyrillic name of a gazetteer row in Russian, Kyrgyz and Tajik (None where absent)."""
    out: dict[str, str | None] = {}
    for lang, column in NAME_FIELDS.items():
        names = [n.strip() for n in (row.get(column) or "").split("|") if CYRILLIC.search(n)]
        out[lang] = names[0] if names else None
    return out


def place_names(gazetteer: Gazetteer, record: dict[str, Any], named: dict[str, Any] | None) -> dict[str, str | None]:
    """Russian, Kyrgyz and Tajik names of an incident's place: `names:` in the record, else the
    gazetteer row of the place its sources name."""
    if record.get("names"):
        return {k: (record["names"].get(k) or None) for k in NAME_FIELDS}
    return gazetteer_names(gazetteer.rows[named["wof"]]) if named else dict.fromkeys(NAME_FIELDS)


def with_district_reach(gazetteer: Gazetteer, wof: int, method: str | None) -> str | None:
    """A district-centre point's method, with how far the district's villages reach from it: the
    place may be anywhere in the district (see ``borderviz.model.checks.district_points``)."""
    reach = district_reach_km(gazetteer.rows, wof)
    if reach is None:
        return method
    county = gazetteer.rows[wof]["county"]
    return (f"{(method or '').rstrip('. ')}; only the district is known: the place may be anywhere in {county} "
            f"district, whose gazetteer villages lie up to {reach:g} km from this point")


def cited_key(research: Research, file: str, where: str, record: dict[str, Any], key: Any,
              field: str) -> str | None:
    """A source key a record gives in ``field``, which must be one of its own `sources` (a problem otherwise)."""
    if key in (None, ""):
        return None
    if key not in (record.get("sources") or []):
        research.problems.append(Problem(file, where, f"{field} {key!r} is not among its sources"))
        return None
    return str(key)


def incident_rows(research: Research, gazetteer: Gazetteer) -> tuple[list[dict], list[Point], list[dict]]:
    """Incident rows and points, and the casualty reports they and the wars carry."""
    rows, points, reports = [], [], []
    for file, doc in research.documents.items():
        for raw in doc.get("incidents") or []:
            where = f"incident {raw.get('id')!r}"
            point, method, wof = place(research, gazetteer, file, where, raw)
            if raw.get("location_precision") == "district" and wof is not None:
                method = with_district_reach(gazetteer, wof, method)
            figures = [figure_record(research, file, where, f) for f in raw.get("figures") or []]
            row = {
                "id": raw.get("id"),
                "date_start": iso(raw.get("date_start")),
                "date_end": iso(raw.get("date_end") or raw.get("date_start")),
                "date_precision": raw.get("date_precision"),
                "day_source": cited_key(research, file, where, raw, raw.get("day_source"), "day_source"),
                "event_type": raw.get("event_type"),
                "conflict": raw.get("conflict"),
                "place_reported": raw.get("place_reported"),
                "country": raw.get("country"),
                "region": raw.get("region"),
                "district": raw.get("district"),
                "location_precision": raw.get("location_precision"),
                "location_method": method,
                "gazetteer_id": wof,
                "named_place": (named := named_place(research, gazetteer, file, where, raw, wof)),
                "location_source": cited_key(research, file, where, raw, (raw.get("location") or {}).get("source"),
                                             "location.source"),
                **{f"name_{k}": v for k, v in place_names(gazetteer, raw, named).items()},
                "figures": figures or None,
                "description": " ".join(str(raw.get("description") or "").split()),
                "account": raw.get("account"),
                "denial": " ".join(str(raw.get("denial") or "").split()) or None,
                "confidence": raw.get("confidence"),
                "sources": research.cite(file, where, raw.get("sources")),
                "background_sources": "; ".join(k for k in raw.get("background_sources") or []
                                                if cited_key(research, file, where, raw, k, "background_sources"))
                                      or None,
            }
            killed = []
            for measure in MEASURES:
                for side in ("KG", "TJ"):
                    row[f"{measure}_{side.lower()}"] = headline(figures, side, measure)
            for side in ("KG", "TJ", "unknown"):
                value = headline(figures, side, "killed")
                if value is not None:
                    killed.append(value)
            row["killed_total"] = sum(killed) if killed else None
            if point is None:
                continue
            rows.append(row)
            points.append(point)
            reports += [("incident", row["id"], f) for f in figures]
        for raw in doc.get("conflict_figures") or []:
            where = f"conflict figure for {raw.get('conflict')!r}"
            reports.append(("conflict", raw.get("conflict"), figure_record(research, file, where, raw)))
    rows_points = sorted(zip(rows, points, strict=True), key=lambda rp: (rp[0]["date_start"] or "", rp[0]["id"] or ""))
    return [r for r, _ in rows_points], [p for _, p in rows_points], [
        {"scope": s, "subject": subj, **fig} for s, subj, fig in reports
    ]


def conflict_rows(research: Research) -> tuple[list[dict], list[dict]]:
    """The wars, and the casualty reports made for them as wholes."""
    rows, reports = [], []
    for file, doc in research.documents.items():
        for raw in doc.get("conflicts") or []:
            where = f"conflict {raw.get('id')!r}"
            rows.append({
                "id": raw.get("id"),
                "name": raw.get("name"),
                "name_ru": raw.get("name_ru"),
                "date_start": iso(raw.get("date_start")),
                "date_end": iso(raw.get("date_end")),
                "description": " ".join(str(raw.get("description") or "").split()),
                "sources": research.cite(file, where, raw.get("sources")),
            })
            for fig in raw.get("figures") or []:
                reports.append({"scope": "conflict", "subject": raw.get("id"),
                                **figure_record(research, file, where, fig)})
    return rows, reports


def casualty_report_rows(reports: list[dict]) -> list[dict]:
    """Number the reports and store each one's citation as its `sources`."""
    rows, counter = [], {}
    ordered = sorted(reports, key=lambda r: (r["scope"], str(r["subject"]), r["side"] or "",
                                             r["measure"] or "", r.get("reported_on") or "",
                                             r["value"] or 0, r["reported_by"] or ""))
    for r in ordered:
        base = f"{r['subject']}-{str(r['side']).lower()}-{r['measure']}"
        counter[base] = counter.get(base, 0) + 1
        rows.append({
            "id": f"{base}-{counter[base]}",
            "scope": r["scope"],
            "subject": r["subject"],
            "side": r["side"],
            "measure": r["measure"],
            "value": r["value"],
            "qualifier": r["qualifier"],
            "reported_by": r["reported_by"],
            "reported_on": r["reported_on"],
            "sources": [r["source"]] if r.get("source") else None,
        })
    return rows


# --- where each war's dead were killed ------------------------------------------------------

DEATHS_FILE = "data/research/deaths.yaml"


def _latest_killed(casualty_rows: list[dict], conflict: str, side: str) -> dict | None:
    """The whole-war killed figure the map quotes for one side (borderviz.casualties.latest_by_side)."""
    import pandas as pd

    from borderviz.model.casualties import latest_by_side

    latest = latest_by_side(pd.DataFrame(casualty_rows), conflict)
    if latest.empty:
        return None
    rows = latest[(latest["side"] == side) & (latest["measure"] == "killed")]
    return rows.iloc[0].to_dict() if len(rows) else None


def not_placed_qualifier(total_qualifier: str, placed_qualifiers: list[str]) -> str:
    """How exactly 'not placed' (total minus placed) is known.

    An exact total less "at least N" placed leaves "up to" the rest; a total
    that is itself "at least" stays so when every placed figure is exact.
    """
    loose = any(q != "exact" for q in placed_qualifiers)
    if total_qualifier == "exact":
        return "up_to" if loose else "exact"
    return total_qualifier if not loose else "about"


def war_death_rows(research: Research, incidents: list[dict], casualty_rows: list[dict]) -> list[dict]:
    """Rows of war_deaths: each war's and side's placed deaths, then one 'not placed' row.

    The total must be the figure the map quotes (the latest whole-war report);
    every placement must be on an incident of that war; placed cannot exceed it.
    """
    from borderviz.model.schema import NOT_PLACED

    file = DEATHS_FILE
    doc = research.documents.get(file, {})
    by_id = {r["id"]: r for r in incidents}
    rows: list[dict] = []
    for raw in doc.get("wars") or []:
        conflict, side = raw.get("conflict"), raw.get("side")
        where = f"war {conflict!r} side {side!r}"
        total = raw.get("total") or {}
        quoted = _latest_killed(casualty_rows, conflict, side)
        if quoted is None:
            research.problems.append(Problem(file, where, "no whole-war killed figure in casualty_reports"))
            continue
        if (total.get("value"), total.get("qualifier", "exact")) != (int(quoted["value"]), quoted["qualifier"]):
            research.problems.append(Problem(
                file, where, f"total {total.get('value')!r} ({total.get('qualifier', 'exact')}) is not the "
                f"figure the map quotes: {quoted['figure']} by {quoted['reported_by']}"))
            continue
        common = {"conflict": conflict, "side": side, "total": int(total["value"]),
                  "total_qualifier": total.get("qualifier", "exact"), "total_reported_by": total.get("reported_by"),
                  "total_reported_on": iso(total.get("reported_on"))}
        placed, qualifiers, seen = 0, [], {}
        for p in raw.get("placements") or []:
            incident = p.get("incident")
            record = by_id.get(incident)
            if record is None or record.get("conflict") != conflict:
                research.problems.append(Problem(file, where, f"placement on {incident!r}, which is not an "
                                                              f"incident of {conflict}"))
                continue
            seen[incident] = seen.get(incident, 0) + 1
            suffix = f"-{seen[incident]}" if seen[incident] > 1 else ""
            rows.append({"id": f"{conflict}-{side.lower()}-{incident}{suffix}", **common, "place": incident,
                         "place_reported": record.get("place_reported"), "killed": p.get("killed"),
                         "qualifier": p.get("qualifier", "exact"),
                         "note": " ".join(str(p.get("says") or "").split()),
                         "unplaced_incident_figures": None,
                         "sources": research.cite(file, f"{where} placement {incident!r}", p.get("source"))})
            placed += int(p.get("killed") or 0)
            qualifiers.append(p.get("qualifier", "exact"))
        if placed > common["total"]:
            research.problems.append(Problem(file, where, f"{placed} placed, more than the total {common['total']}"))
            continue
        unplaced = []
        for f in raw.get("incident_figures_not_places") or []:
            record = by_id.get(f.get("incident"))
            value = record.get(f"killed_{side.lower()}") if record else None
            if record is None or value is None:
                research.problems.append(Problem(file, where, f"{f.get('incident')!r} has no {side} killed "
                                                              "figure to list as not a place of death"))
                continue
            unplaced.append({"incident": f["incident"], "killed": value, "why": " ".join(str(f.get("why")).split())})
        rest = raw.get("not_placed") or {}
        rows.append({"id": f"{conflict}-{side.lower()}-not-placed", **common, "place": NOT_PLACED,
                     "place_reported": None, "killed": common["total"] - placed,
                     "qualifier": not_placed_qualifier(common["total_qualifier"], qualifiers),
                     "note": " ".join(str(rest.get("says") or "").split()),
                     "unplaced_incident_figures": unplaced or None,
                     "sources": research.cite(file, f"{where} not placed", [total.get("source")] + [
                         k for k in rest.get("sources") or [] if k != total.get("source")])})
    return rows
