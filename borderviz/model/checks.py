"""Checks that need more than one layer: facts that must hold between them.

Each check returns a list of :class:`~borderviz.errors.Problem`; the loader
gathers them with the per-layer problems and reports everything together.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import pandas as pd

from borderviz.errors import Problem
from borderviz.model.schema import LAYERS, LOCATION_TOLERANCE_KM, NOT_PLACED, RECORD_START

# A projected CRS for distances in the Fergana Valley (UTM zone 42N): within
# this region its scale error is below 0.1 %, plenty for kilometre checks.
LOCAL_CRS = "EPSG:32642"
MAX_DISTANCE_FROM_LINE_KM = 30.0
FIRST_DAY = pd.Timestamp(RECORD_START)


def _file(name: str) -> str:
    return LAYERS[name].file


def kg_tj_line(border_lines: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Every KG–TJ line of every vintage, as one geometry in the local metric CRS."""
    return gpd.GeoSeries([border_lines.to_crs(LOCAL_CRS).union_all()], crs=LOCAL_CRS)


def incident_placement(
    incidents: gpd.GeoDataFrame, countries: gpd.GeoDataFrame, border_lines: gpd.GeoDataFrame
) -> list[Problem]:
    """Each incident within 30 km of the line, and on the side its record says.

    A point "is on" a side when either OSM vintage puts it in that country
    (the vintages disagree near the line), or it lies within its location
    precision of the line. A place reported as `disputed` must be within 5 km
    of the line or in land the vintages disagree on.
    """
    problems: list[Problem] = []
    if incidents.empty:
        return problems
    line = kg_tj_line(border_lines).iloc[0]
    pts = incidents.to_crs(LOCAL_CRS)
    territory = countries.to_crs(LOCAL_CRS)
    for _, row in pts.iterrows():
        where = f"id {row['id']!r}"
        distance = row.geometry.distance(line) / 1000
        if distance > MAX_DISTANCE_FROM_LINE_KM:
            problems.append(Problem(_file("incidents"), where,
                                    f"lies {distance:.1f} km from the KG–TJ line (limit "
                                    f"{MAX_DISTANCE_FROM_LINE_KM:g} km)"))
            continue
        tolerance = LOCATION_TOLERANCE_KM[row["location_precision"]]
        side = row["country"]
        if side == "disputed":
            if distance > max(tolerance, 5.0):
                problems.append(Problem(_file("incidents"), where,
                                        f"is reported as disputed land but lies {distance:.1f} km "
                                        "from the line"))
            continue
        inside = territory[(territory["country"] == side) & territory.contains(row.geometry)]
        if inside.empty and distance > tolerance:
            problems.append(Problem(_file("incidents"), where,
                                    f"is recorded in {side} but lies outside it in both vintages, "
                                    f"{distance:.1f} km from the line (its precision "
                                    f"'{row['location_precision']}' allows {tolerance:g} km)"))
    return problems


def intervals_do_not_overlap(frame: pd.DataFrame, name: str, key: str) -> list[Problem]:
    """Within each ``key`` group, the status intervals follow one another without overlap."""
    problems: list[Problem] = []
    start_col, end_col = LAYERS[name].interval
    for group, rows in frame.groupby(key, sort=True):
        rows = rows.sort_values(start_col, na_position="first")
        previous_end, previous_id = None, None
        for _, row in rows.iterrows():
            start = row[start_col]
            if previous_id is not None and (pd.isna(previous_end) or pd.isna(start)
                                            or start < previous_end):
                problems.append(Problem(_file(name), f"{key} {group!r}",
                                        f"interval {row['id']!r} overlaps {previous_id!r}"))
            previous_end, previous_id = row[end_col], row["id"]
    return problems


def dates_in_range(incidents: pd.DataFrame, today: dt.date | None = None) -> list[Problem]:
    """Incidents fall between 1 January 2014 and today."""
    last = pd.Timestamp(today or dt.date.today())
    bad = incidents[(incidents["date_start"] < FIRST_DAY) | (incidents["date_end"] > last)]
    return [
        Problem(_file("incidents"), f"id {row['id']!r}",
                f"dates {row['date_start']:%Y-%m-%d}..{row['date_end']:%Y-%m-%d} fall outside "
                f"{FIRST_DAY:%Y-%m-%d}..{last:%Y-%m-%d}")
        for _, row in bad.iterrows()
    ]


def references_resolve(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """Casualty reports and incidents refer to incidents and wars that exist."""
    problems: list[Problem] = []
    incidents, conflicts = frames["incidents"], frames["conflicts"]
    known = {"incident": set(incidents["id"]), "conflict": set(conflicts["id"])}
    for _, row in frames["casualty_reports"].iterrows():
        if row["subject"] not in known[row["scope"]]:
            problems.append(Problem(_file("casualty_reports"), f"id {row['id']!r}",
                                    f"refers to unknown {row['scope']} {row['subject']!r}"))
    wars = conflicts.set_index("id")
    for _, row in incidents[incidents["conflict"].notna()].iterrows():
        if row["conflict"] not in wars.index:
            problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                    f"conflict {row['conflict']!r} is not in conflicts.csv"))
            continue
        war = wars.loc[row["conflict"]]
        if row["date_start"] < war["date_start"] or row["date_start"] > war["date_end"]:
            problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                    f"starts {row['date_start']:%Y-%m-%d}, outside "
                                    f"{row['conflict']} ({war['date_start']:%Y-%m-%d}.."
                                    f"{war['date_end']:%Y-%m-%d})"))
    return problems


def named_place_distance(incidents: gpd.GeoDataFrame) -> list[Problem]:
    """Each incident within its precision's tolerance of the gazetteer place its sources name.

    A record whose named place is in the gazetteer is never placed only to its
    district: the place is known, so the point should be there.
    """
    problems: list[Problem] = []
    if incidents.empty or "named_place" not in incidents:
        return problems
    rows = incidents[incidents["named_place"].map(lambda v: isinstance(v, dict))]
    if rows.empty:
        return problems
    named = gpd.GeoSeries(gpd.points_from_xy([v["lon"] for v in rows["named_place"]],
                                             [v["lat"] for v in rows["named_place"]]),
                          index=rows.index, crs="EPSG:4326").to_crs(LOCAL_CRS)
    distance = rows.geometry.to_crs(LOCAL_CRS).distance(named) / 1000
    for i, row in rows.iterrows():
        where, place = f"id {row['id']!r}", row["named_place"]
        if row["location_precision"] == "district":
            problems.append(Problem(_file("incidents"), where,
                                    f"names {place['name']} (gazetteer wof:{place['wof']}) but is placed "
                                    "only to its district: place it at the named place"))
            continue
        tolerance = LOCATION_TOLERANCE_KM[row["location_precision"]]
        if distance[i] > tolerance:
            problems.append(Problem(_file("incidents"), where,
                                    f"lies {distance[i]:.1f} km from {place['name']} (gazetteer "
                                    f"wof:{place['wof']}), the place its sources name; precision "
                                    f"'{row['location_precision']}' allows {tolerance:g} km"))
    return problems


CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}


def publishers(sources) -> set[str]:
    """Distinct outlets among a record's citations: '24.kg (English edition)' counts as '24.kg'."""
    return {str(s.get("publisher", "")).split(" (")[0].strip().lower() for s in sources or []} - {""}


def highest_confidence(account: str, denied: bool, n_publishers: int) -> str:
    """The highest confidence data/README.md's rules allow a record.

    high: official statements of both sides, or two or more independent
    sources agree; medium: one credible source, or one side's account that
    was not denied; low: one side's account that the other side denied.
    """
    if account in ("KG", "TJ"):
        return "low" if denied else "medium"
    if account == "independent" and n_publishers < 2:
        return "medium"
    return "high"


def confidence_rules(incidents: pd.DataFrame) -> list[Problem]:
    """No incident claims more confidence than its account and sources allow."""
    problems: list[Problem] = []
    for _, row in incidents.iterrows():
        denied = isinstance(row.get("denial"), str) and bool(row["denial"].strip())
        allowed = highest_confidence(row["account"], denied, len(publishers(row["sources"])))
        if CONFIDENCE_ORDER.get(row["confidence"], 0) > CONFIDENCE_ORDER[allowed]:
            why = {"KG": "rests on one side's account", "TJ": "rests on one side's account",
                   "independent": "has a single independent source"}.get(row["account"], "")
            if denied:
                why += " that the other side denied"
            problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                    f"has confidence {row['confidence']!r} but {why}: at most "
                                    f"{allowed!r} (account {row['account']!r})"))
        if denied and row["account"] not in ("KG", "TJ"):
            problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                    f"records a denial but its account is {row['account']!r}: a "
                                    "denial belongs to a one-sided (KG or TJ) record"))
    return problems


# --- how precisely a record is dated and placed, against its sources -------------------------------

# A source published within this many days after an event's last day is taken to report the day
# (news of the day or the next); later sources must be named in `day_source` to date a record to the day.
DAY_SOURCE_DAYS = 3


def partial_date_bounds(value) -> tuple[dt.date, dt.date] | None:
    """The first and last day a publication date ('2021-05-03', '2021-05' or '2021') can mean."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return day, day
        if len(text) == 7:
            first = dt.date(int(text[:4]), int(text[5:7]), 1)
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        if len(text) == 4:
            return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    except ValueError:
        return None
    return None


def _day(value) -> dt.date:
    return pd.Timestamp(value).date()


def _keys(value) -> list[str]:
    """Source keys in a column: one key, keys separated by '; ', or a list of keys."""
    if isinstance(value, str):
        return [k.strip() for k in value.split(";") if k.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def day_precision_support(incidents: pd.DataFrame) -> list[Problem]:
    """A record dated to the day has a source that dates it to the day.

    Either a source published from its first day to ``DAY_SOURCE_DAYS`` after its last
    (a report of the day), or ``day_source`` naming the cited source that states the day.
    A war's ``destruction`` record needs ``day_source``: the damage tallies published
    after a war count what the war destroyed, not what happened on which day.
    """
    problems: list[Problem] = []
    for _, row in incidents.iterrows():
        if row["date_precision"] != "day" or _text(row.get("day_source")):
            continue
        where = f"id {row['id']!r}"
        if row["event_type"] == "destruction" and _text(row.get("conflict")):
            problems.append(Problem(_file("incidents"), where,
                                    f"is war damage ({row['conflict']}) dated to the day with no `day_source`: "
                                    "name the source that gives the day, or date it to the month over the "
                                    "war's days"))
            continue
        first, last = _day(row["date_start"]), _day(row["date_end"]) + dt.timedelta(days=DAY_SOURCE_DAYS)
        dated = [b for s in row["sources"] or [] if (b := partial_date_bounds(s.get("date"))) and b[0] == b[1]]
        if not any(first <= d <= last for d, _ in dated):
            problems.append(Problem(_file("incidents"), where,
                                    f"is dated to the day but none of its sources was published between "
                                    f"{first:%Y-%m-%d} and {last:%Y-%m-%d}: name the source that states the "
                                    "day in `day_source`, or give month precision"))
    return problems


def sources_not_before_event(incidents: pd.DataFrame) -> list[Problem]:
    """No source of an event, and no casualty figure, is dated before the event began.

    Sources cited for context (a place's coordinates, a renaming, earlier history) are
    listed in ``background_sources`` and exempt.
    """
    problems: list[Problem] = []
    for _, row in incidents.iterrows():
        where, start = f"id {row['id']!r}", _day(row["date_start"])
        background = set(_keys(row.get("background_sources")))
        for s in row["sources"] or []:
            bounds = partial_date_bounds(s.get("date"))
            if bounds and bounds[1] < start and s.get("key") not in background:
                problems.append(Problem(_file("incidents"), where,
                                        f"cites {s.get('key') or s.get('url')!r}, published {s.get('date')}, "
                                        f"before the event ({start:%Y-%m-%d}): list it in `background_sources` "
                                        "if it is cited for context"))
        for f in row.get("figures") or []:
            bounds = partial_date_bounds(f.get("reported_on"))
            if bounds and bounds[1] < start:
                problems.append(Problem(_file("incidents"), where,
                                        f"has a {f.get('measure')} figure reported on {f.get('reported_on')}, "
                                        f"before the event ({start:%Y-%m-%d})"))
    return problems


def cited_keys_resolve(incidents: pd.DataFrame) -> list[Problem]:
    """``day_source``, ``location_source`` and ``background_sources`` name sources the record cites."""
    problems: list[Problem] = []
    for _, row in incidents.iterrows():
        cited = {s.get("key") for s in row["sources"] or []}
        for column in ("day_source", "location_source", "background_sources"):
            for key in _keys(row.get(column)):
                if key not in cited:
                    problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                            f"{column} {key!r} is not among its sources"))
    return problems


def war_days(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """A record of a war ends within the war's days (its start is checked in references_resolve)."""
    wars = frames["conflicts"].set_index("id")
    problems: list[Problem] = []
    incidents = frames["incidents"]
    for _, row in incidents[incidents["conflict"].notna()].iterrows():
        if row["conflict"] in wars.index and row["date_end"] > wars.loc[row["conflict"], "date_end"]:
            war = wars.loc[row["conflict"]]
            problems.append(Problem(_file("incidents"), f"id {row['id']!r}",
                                    f"ends {row['date_end']:%Y-%m-%d}, after {row['conflict']} "
                                    f"({war['date_start']:%Y-%m-%d}..{war['date_end']:%Y-%m-%d})"))
    return problems


def _has_coordinates(row) -> bool:
    gid = row.get("gazetteer_id")
    return gid is None or (isinstance(gid, float) and math.isnan(gid)) or gid is pd.NA


def placement_basis(incidents: pd.DataFrame) -> list[Problem]:
    """A point says what it stands on.

    Placed by coordinates: ``location_source`` names the cited source of the coordinate or
    description. ``settlement``: the point is the settlement the sources name, so a point at a
    gazetteer row is that row (``named_place`` is the same row).
    """
    problems: list[Problem] = []
    for _, row in incidents.iterrows():
        where = f"id {row['id']!r}"
        if _has_coordinates(row):
            if not _text(row.get("location_source")):
                problems.append(Problem(_file("incidents"), where,
                                        "is placed by coordinates but names no `location_source` (the cited "
                                        "source of the coordinate or description)"))
            continue
        named = row.get("named_place")
        if (row["location_precision"] == "settlement" and isinstance(named, dict)
                and int(named["wof"]) != int(row["gazetteer_id"])):
            problems.append(Problem(_file("incidents"), where,
                                    f"is a settlement point at gazetteer wof:{int(row['gazetteer_id'])}, but its "
                                    f"sources name {named['name']} (wof:{named['wof']}): a point away from the "
                                    "named place is approximate or district"))
    return problems


GAZETTEER_FILE = Path("sources") / "gazetteer" / "gazetteer_KG_TJ.csv"


def read_gazetteer(path: Path) -> dict[int, dict[str, str]]:
    """The gazetteer's rows by wof_id (id, name, placetype, county, country, lat, lon); {} if absent."""
    if not Path(path).is_file():
        return {}
    keep = ("wof_id", "name", "placetype", "county", "country_code", "latitude", "longitude")
    with open(path, encoding="utf-8", newline="") as fh:
        return {int(r["wof_id"]): {k: r[k] for k in keep} for r in csv.DictReader(fh)}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (a sphere of 6,371 km: well within a kilometre here)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def district_reach_km(gazetteer: dict[int, dict[str, str]], wof: int) -> float | None:
    """How far the villages of a district reach from its gazetteer point: the distance, km, from a
    ``county`` row to the farthest ``locality`` row of the same county and country."""
    row = gazetteer.get(int(wof))
    if row is None or row["placetype"] != "county":
        return None
    lat, lon = float(row["latitude"]), float(row["longitude"])
    far = [_km(lat, lon, float(r["latitude"]), float(r["longitude"])) for r in gazetteer.values()
           if r["placetype"] == "locality" and r["county"] == row["county"]
           and r["country_code"] == row["country_code"]]
    return round(max(far), 1) if far else None


def district_points(incidents: pd.DataFrame, gazetteer: dict[int, dict[str, str]]) -> list[Problem]:
    """A ``district`` point is the centre of the district the record names, or a point in the area its
    sources name.

    At a gazetteer row, the row is the ``county`` row of the record's district, and since the
    place may be anywhere in that district, the record's ``location_method`` says how far the
    district's villages reach from it (``district_reach_km``) when that exceeds the precision's
    30 km. A ``district`` point given by coordinates stands for an area the sources name (placed
    by its ``location_source``); ``named_place_distance`` checks it against a gazetteer place.
    """
    problems: list[Problem] = []
    if not gazetteer:
        return problems
    bound = LOCATION_TOLERANCE_KM["district"]
    for _, row in incidents[incidents["location_precision"] == "district"].iterrows():
        if _has_coordinates(row):
            continue
        where, wof = f"id {row['id']!r}", int(row["gazetteer_id"])
        g = gazetteer.get(wof)
        if g is None:
            problems.append(Problem(_file("incidents"), where, f"gazetteer wof:{wof} is not in the gazetteer"))
            continue
        # the record's district names the gazetteer's county, perhaps beside a newer name: "Lakhsh (Jirgatol)"
        if g["placetype"] != "county" or g["county"] not in str(row["district"]):
            problems.append(Problem(_file("incidents"), where,
                                    f"is a district point at gazetteer wof:{wof} ({g['name']}, {g['placetype']}), "
                                    f"not the district row of {row['district']}"))
            continue
        reach = district_reach_km(gazetteer, wof)
        if reach is not None and reach > bound and f"up to {reach:g} km" not in str(row["location_method"]):
            problems.append(Problem(_file("incidents"), where,
                                    f"is placed at the centre of {g['county']} district, whose villages reach "
                                    f"up to {reach:g} km from it, beyond district precision's {bound:g} km: "
                                    "its location_method must say so (the build adds it)"))
    return problems


def _quoted_totals(casualty_reports: pd.DataFrame) -> dict[tuple[str, str], tuple[int, str]]:
    """(war, side) -> (value, qualifier) of the killed total the map quotes, for KG and TJ."""
    from borderviz.model.casualties import latest_by_side

    out = {}
    for conflict in sorted(set(casualty_reports.loc[casualty_reports["scope"] == "conflict", "subject"])):
        latest = latest_by_side(casualty_reports, conflict)
        for _, r in latest[(latest["measure"] == "killed") & latest["side"].isin(["KG", "TJ"])].iterrows():
            out[(conflict, r["side"])] = (int(r["value"]), r["qualifier"])
    return out


def war_deaths_add_up(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    """The dead placed in each war add up to the total the map quotes, and agree with the incidents.

    For every war and side with a whole-war killed figure: war_deaths holds one
    'not placed' row, and its rows (placed and not placed) sum to that figure,
    the latest one (:func:`borderviz.casualties.latest_by_side`). Every placed
    row is on an incident of that war. Every killed figure on an incident of the
    war equals the deaths placed there, unless the 'not placed' row lists it as
    counting something else (residents on a list, a funeral) and nothing is
    placed there.
    """
    problems: list[Problem] = []
    file = _file("war_deaths")
    deaths, incidents = frames["war_deaths"], frames["incidents"]
    quoted = _quoted_totals(frames["casualty_reports"])
    war_of = dict(zip(incidents["id"], incidents["conflict"], strict=True))
    for key in sorted(set(quoted) - set(zip(deaths["conflict"], deaths["side"], strict=True))):
        problems.append(Problem(file, f"{key[0]} {key[1]}", f"no rows: the map quotes {quoted[key][0]} dead"))
    exempt: dict[tuple[str, str], dict[str, int]] = {}
    for (conflict, side), rows in deaths.groupby(["conflict", "side"], sort=True):
        where = f"{conflict} {side}"
        rest = rows[rows["place"] == NOT_PLACED]
        if len(rest) != 1:
            problems.append(Problem(file, where, f"has {len(rest)} '{NOT_PLACED}' rows, not one"))
        totals = set(zip(rows["total"], rows["total_qualifier"], strict=True))
        if len(totals) != 1:
            problems.append(Problem(file, where, f"rows quote different totals: {sorted(totals)}"))
            continue
        total, qualifier = totals.pop()
        if int(rows["killed"].sum()) != total:
            problems.append(Problem(file, where, f"placed and not placed sum to {int(rows['killed'].sum())}, "
                                                 f"not the total {total}"))
        if quoted.get((conflict, side)) != (total, qualifier):
            problems.append(Problem(file, where, f"total {total} ({qualifier}) is not the figure the map "
                                                 f"quotes: {quoted.get((conflict, side))}"))
        for _, row in rows[rows["place"] != NOT_PLACED].iterrows():
            if war_of.get(row["place"]) != conflict:
                problems.append(Problem(file, f"id {row['id']!r}",
                                        f"places deaths at {row['place']!r}, not an incident of {conflict}"))
        if len(rest) == 1:
            listed = rest.iloc[0]["unplaced_incident_figures"]
            exempt[(conflict, side)] = {f["incident"]: f["killed"] for f in listed or []}
    placed = deaths[deaths["place"] != NOT_PLACED].groupby(["place", "side"])["killed"].sum().to_dict()
    for (conflict, side), listed in sorted(exempt.items()):
        column = f"killed_{side.lower()}"
        war = incidents[incidents["conflict"] == conflict]
        for _, inc in war.iterrows():
            figure = None if pd.isna(inc[column]) else int(inc[column])
            here = int(placed.get((inc["id"], side), 0))
            where = f"id {inc['id']!r}"
            if inc["id"] in listed:
                if here or listed[inc["id"]] != figure:
                    problems.append(Problem(_file("incidents"), where,
                                            f"its {side} killed figure ({figure}) is listed as not a place of "
                                            f"death with {listed[inc['id']]}, and {here} are placed there"))
            elif (figure or 0) != here:
                problems.append(Problem(_file("incidents"), where,
                                        f"reports {figure} {side} killed but war_deaths places {here} there"))
    return problems


def cross_layer_problems(frames: dict[str, pd.DataFrame], gazetteer_path: Path | None = None) -> list[Problem]:
    """Every cross-layer check over a full set of loaded layers (the gazetteer's, when it is found)."""
    problems = references_resolve(frames)
    problems += dates_in_range(frames["incidents"])
    problems += war_days(frames)
    problems += confidence_rules(frames["incidents"])
    problems += day_precision_support(frames["incidents"])
    problems += sources_not_before_event(frames["incidents"])
    problems += cited_keys_resolve(frames["incidents"])
    problems += placement_basis(frames["incidents"])
    problems += named_place_distance(frames["incidents"])
    if gazetteer_path is not None:
        problems += district_points(frames["incidents"], read_gazetteer(gazetteer_path))
    problems += incident_placement(frames["incidents"], frames["countries"], frames["border_lines"])
    problems += intervals_do_not_overlap(frames["border_status"], "border_status", "sector")
    problems += intervals_do_not_overlap(frames["crossings"], "crossings", "crossing")
    problems += war_deaths_add_up(frames)
    return problems
