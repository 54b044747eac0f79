"""What each layer holds: columns, types and vocabularies, as data.

Everything that knows the shape of borderviz's data reads it from here: the
loader validates against it, the exporters map it onto formats, and
``data/README.md`` documents it (:func:`schema_markdown` writes that section,
and a test keeps the two equal).

>>> LAYERS["incidents"].field("event_type").choices[:3]
('armed_clash', 'shooting', 'communal_clash')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The record begins here: incidents before it are out of scope.
RECORD_START = dt.date(2014, 1, 1)

# --- vocabularies -----------------------------------------------------------

COUNTRIES = ("KG", "TJ", "UZ")
SIDES = ("KG", "TJ", "unknown")
VINTAGES = (2017, 2024)

EVENT_TYPES = (
    "armed_clash",
    "shooting",
    "communal_clash",
    "destruction",
    "occupation",
    "mobilisation",
    "blockade",
    "detention",
    "crossing_closed",
    "crossing_reopened",
    "agreement",
    "demarcation",
)
EVENT_TYPE_LABELS = {
    "armed_clash": "Armed clash",
    "shooting": "Shooting",
    "communal_clash": "Communal clash",
    "destruction": "Destruction",
    "occupation": "Occupation",
    "mobilisation": "Mobilisation / stand-off",
    "blockade": "Blockade",
    "detention": "Detention",
    "crossing_closed": "Crossing closed",
    "crossing_reopened": "Crossing reopened",
    "agreement": "Local agreement",
    "demarcation": "Demarcation works / handover",
}
DATE_PRECISIONS = ("day", "month", "year")
LOCATION_PRECISIONS = ("exact", "settlement", "district", "approximate")
# How far from its point a place of each precision may really be, in km.
# Used to judge whether an incident is on the side of the line it claims.
# ("region" and "country" occur only in imported data.)
LOCATION_TOLERANCE_KM = {"exact": 0.5, "settlement": 2.0, "district": 30.0, "approximate": 5.0,
                         "region": 100.0, "country": 500.0}
CONFIDENCES = ("high", "medium", "low")
# Whose word an incident record rests on; with `denial`, it fixes the highest
# confidence the record may carry (see checks.confidence_rules).
ACCOUNTS = ("both", "independent", "KG", "TJ")
MEASURES = ("killed", "injured", "displaced")
QUALIFIERS = ("exact", "at_least", "about", "up_to")
BORDER_STATUSES = ("agreed", "disputed", "not_documented")
BORDER_STATUS_LABELS = {
    "agreed": "agreed",
    "disputed": "disputed sector (indicative)",
    "not_documented": "status not published",
}
GEOMETRY_BASES = ("source_line", "indicative")
CROSSING_STATUSES = ("open", "closed", "restricted")
CROSSING_KINDS = ("road", "rail", "pedestrian")
INFRASTRUCTURE_KINDS = ("water_intake", "bridge", "road", "canal", "reservoir", "pumping_station")
TIMELINE_KINDS = (
    "summit", "treaty", "ratification", "agreement", "talks", "ceasefire", "statement",
    "transport_link", "implementation",
)
LINE_PARTS = ("main", "enclave_perimeter")


# --- columns and layers -------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One column.

    ``kind`` is one of ``str``, ``int``, ``float``, ``date``, ``partial_date``
    (ISO text YYYY, YYYY-MM or YYYY-MM-DD, for dates known only to the month
    or year), ``sources`` (a list of citations), ``json`` (a list or mapping).
    ``required`` means the value may not be null.
    """

    name: str
    kind: str
    doc: str
    required: bool = True
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    long_text: bool = False  # free text that may exceed 254 bytes (a Shapefile's limit)


@dataclass(frozen=True)
class LayerSpec:
    """A layer: its file under ``data/``, geometry and columns.

    ``geometry`` is None for a table without geometry (a CSV file).
    ``interval`` names the (start, end) date columns of a layer whose rows
    hold between two dates; an end of null means "still so".
    """

    name: str
    file: str
    title: str
    doc: str
    fields: tuple[Field, ...]
    geometry: tuple[str, ...] | None
    id_field: str = "id"
    interval: tuple[str, str] | None = None
    crs: str = "EPSG:4326"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name!r} has no column {name!r}")

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


SOURCES = Field(
    "sources",
    "sources",
    "Citations: a list of {publisher, title, date, url, language}. Never empty.",
)


def _id(doc: str) -> Field:
    return Field("id", "str", doc)


_FIRST_DAY = Field("date_start", "date", "First day.")
_LAST_DAY = Field("date_end", "date", "Last day (inclusive).")
_OUR_WORDS = Field("description", "str", "What happened, in our words.", long_text=True)

_PRECISION = Field(
    "location_precision",
    "str",
    "How precisely the point is placed: exact, settlement (a gazetteer village centre), "
    "district, approximate (placed from a description).",
    choices=LOCATION_PRECISIONS,
)
_METHOD = Field(
    "location_method",
    "str",
    "How the point was placed: the gazetteer row used, or the published coordinate or "
    "description it was derived from.",
    long_text=True,
)

LAYERS: dict[str, LayerSpec] = {}


def _register(spec: LayerSpec) -> LayerSpec:
    LAYERS[spec.name] = spec
    return spec


REGION_BOUNDS = (67.3, 38.0, 75.5, 41.6)  # lon/lat box the countries layer is clipped to

_register(
    LayerSpec(
        name="countries",
        file="countries.geojson",
        title="Kyrgyzstan, Tajikistan and Uzbekistan",
        doc="Country territories in each OSM vintage, clipped to the region around the border "
        f"(lon {REGION_BOUNDS[0]}–{REGION_BOUNDS[2]}, lat {REGION_BOUNDS[1]}–{REGION_BOUNDS[3]}), "
        "with the neighbours' enclaves cut out. Used to tell which side of the line a point is "
        "on, and as the map's background when no tiles can load.",
        geometry=("Polygon", "MultiPolygon"),
        fields=(
            _id("Feature id, e.g. KG-2024."),
            Field("country", "str", "ISO 3166-1 alpha-2 code.", choices=COUNTRIES),
            Field("vintage", "int", "OSM vintage.", choices=VINTAGES),
            Field("name_en", "str", "Name in English."),
            Field("name_ru", "str", "Name in Russian."),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="border_lines",
        file="border_lines.geojson",
        title="Kyrgyzstan–Tajikistan border lines",
        doc="The shared KG–TJ line in each OSM vintage: the main line from the Uzbek "
        "tripoint to the Chinese tripoint, and the perimeter of each Tajik exclave.",
        geometry=("LineString", "MultiLineString"),
        fields=(
            _id("Line id, e.g. kg-tj-main-2024."),
            Field("vintage", "int", "OSM vintage the line comes from.", choices=VINTAGES),
            Field("part", "str", "main line or an exclave perimeter.", choices=LINE_PARTS),
            Field("enclave", "str", "Exclave id for a perimeter; null for the main line.",
                  required=False),
            Field("length_km", "float", "Geodesic length on WGS84, km.", minimum=0),
            Field("derivation", "str", "How the line was derived from the source polygons.", long_text=True),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="enclaves",
        file="enclaves.geojson",
        title="Enclaves and exclaves of the Fergana Valley",
        doc="Vorukh and Kayragach (Tajik exclaves in Kyrgyzstan) and, as context, the other "
        "Fergana Valley enclaves the source polygons hold; one feature per enclave and "
        "OSM vintage that draws it.",
        geometry=("Polygon", "MultiPolygon"),
        interval=("valid_from", "valid_to"),
        fields=(
            _id("Feature id: enclave id and vintage, e.g. vorukh-2024."),
            Field("enclave", "str", "Enclave id, e.g. vorukh."),
            Field("vintage", "int", "OSM vintage of the polygon.", choices=VINTAGES),
            Field("name_en", "str", "Name in English."),
            Field("name_ru", "str", "Name in Russian."),
            Field("name_ky", "str", "Name in Kyrgyz.", required=False),
            Field("name_tg", "str", "Name in Tajik.", required=False),
            Field("name_uz", "str", "Name in Uzbek.", required=False),
            Field("other_names", "str", "Other names, separated by '; '.", required=False),
            Field("owner", "str", "Country the territory belongs to.", choices=COUNTRIES),
            Field("host", "str", "Country that surrounds it.", choices=COUNTRIES),
            Field("area_km2", "float", "Geodesic area on WGS84, km².", minimum=0),
            Field("published_areas", "json", "Areas published for the enclave, each with its source: "
                  "a list of {km2, qualifier, official, as_published, key, publisher, title, date, url}; "
                  "null when none was found.", required=False),
            Field("published_area_min_km2", "float", "Smallest published area, km².", required=False,
                  minimum=0),
            Field("published_area_max_km2", "float", "Largest published area, km².", required=False,
                  minimum=0),
            Field("area_comparison", "str", "How the drawn area compares with the published ones, in "
                  "one sentence (borderviz.enclaves.area_sentence).", long_text=True),
            Field("valid_from", "date", "First day it was an enclave, null if since before "
                  "the record (independence, 1991).", required=False),
            Field("valid_to", "date", "Day it ceased to be one (exclusive), null if it still is.",
                  required=False),
            Field("valid_to_event", "str", "What ended it.", required=False, long_text=True),
            Field("note", "str", "What to know about this polygon.", required=False, long_text=True),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="vintage_differences",
        file="vintage_differences.geojson",
        title="Where the 2017 and 2024 versions of the line disagree",
        doc="Land that one OSM vintage puts in Kyrgyzstan and the other in Tajikistan. "
        "The two countries do not agree on one map; this layer shows where the published "
        "versions differ, which is information, not error.",
        geometry=("Polygon", "MultiPolygon"),
        fields=(
            _id("Patch id."),
            Field("in_2017", "str", "Country this land is in, per the 2017 vintage.",
                  choices=("KG", "TJ")),
            Field("in_2024", "str", "Country this land is in, per the 2024 vintage.",
                  choices=("KG", "TJ")),
            Field("area_km2", "float", "Geodesic area on WGS84, km².", minimum=0),
            Field("near", "str", "Nearest named place (gazetteer) to the patch.", required=False),
            Field("note", "str", "What to know about this patch.", required=False, long_text=True),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="border_status",
        file="border_status.geojson",
        title="Border status over time",
        doc="Sectors of the 2024 main line, one row per sector and status interval. "
        "Which kilometres were undelimited before 2025 was never published: sectors "
        "documented as disputed around named places are drawn as indicative geometry; "
        "the rest of the line is 'not_documented' until the 2025 treaty.",
        geometry=("LineString", "MultiLineString"),
        interval=("date_start", "date_end"),
        fields=(
            _id("Row id: sector id and interval start."),
            Field("sector", "str", "Sector id."),
            Field("name", "str", "Sector name."),
            Field("status", "str", "Status in this interval.", choices=BORDER_STATUSES),
            Field("date_start", "date", "First day of the interval; null = since before the record.",
                  required=False),
            Field("date_end", "date", "Day the interval ends (exclusive); null = still so.",
                  required=False),
            Field("geometry_basis", "str", "source_line: the line as in the OSM source; "
                  "indicative: the part of it near the places named by the sources.",
                  choices=GEOMETRY_BASES),
            Field("length_km", "float", "Geodesic length of the drawn geometry, km.", minimum=0),
            Field("description", "str", "What the sources say about this sector.", long_text=True),
            SOURCES,
        ),
    )
)

_FIGURE_DOC = "Headline figure ({measure}, {side}) for this incident as reported (the most " \
    "recent report; all reports are in `figures`); null when none was reported."

_register(
    LayerSpec(
        name="incidents",
        file="incidents.geojson",
        title="Incidents",
        doc="Dated incidents along the KG–TJ border from published reporting; the two wars "
        "appear as their separate places and days.",
        geometry=("Point",),
        interval=("date_start", "date_end"),
        fields=(
            _id("Incident id: start date and place slug."),
            _FIRST_DAY,
            _LAST_DAY,
            Field("date_precision", "str", "How exactly date_start is known: day only when a source "
                  "published within 3 days of the event reports it, or `day_source` states the day "
                  "(checked); a war's damage known only from tallies after the war is dated to the "
                  "month, its dates spanning the war.", choices=DATE_PRECISIONS),
            Field("day_source", "str", "Key (in `sources`) of the source that states the day, for a "
                  "`day` record none of whose sources was published within 3 days of it.",
                  required=False),
            Field("event_type", "str", "What happened.", choices=EVENT_TYPES),
            Field("conflict", "str", "War this belongs to (see conflicts), if any.",
                  required=False),
            Field("place_reported", "str", "The place as the sources name it.", long_text=True),
            *(Field(f"name_{code}", "str", f"Name of the place in {lang}: `names` in the record, else "
                    "the gazetteer row of `named_place`; null when neither gives one.", required=False)
              for code, lang in (("ru", "Russian"), ("ky", "Kyrgyz"), ("tg", "Tajik"))),
            Field("country", "str", "Whose territory the place is in, as reported.",
                  choices=("KG", "TJ", "disputed")),
            Field("region", "str", "Oblast / viloyat."),
            Field("district", "str", "Raion / nohiya."),
            _PRECISION,
            _METHOD,
            Field("gazetteer_id", "int", "wof_id of the gazetteer row used, if any.",
                  required=False),
            Field("named_place", "json", "The place the sources name, when it is in the gazetteer: "
                  "{wof, name, lat, lon}. The point must lie within its location precision's tolerance "
                  "of it (checked).", required=False),
            Field("location_source", "str", "Key (in `sources`) of the source that published the "
                  "coordinate or the description the point is placed by; required for a point given "
                  "by coordinates (checked).", required=False),
            *(
                Field(f"{m}_{s}", "int", _FIGURE_DOC.format(measure=m, side=s), required=False,
                      minimum=0)
                for m in MEASURES
                for s in ("kg", "tj")
            ),
            Field("killed_total", "int", "Sum of the headline killed figures of all sides, "
                  "null when none was reported.", required=False, minimum=0),
            Field("figures", "json", "Every casualty figure reported: a list of {side, measure, "
                  "value, qualifier, reported_by, reported_on, source}.", required=False),
            _OUR_WORDS,
            Field("account", "str", "Whose word the record rests on: both (statements of both "
                  "sides, even if they blame each other), independent (journalists or observers "
                  "outside either government documented it), KG or TJ (one side's officials, media or "
                  "residents only).", choices=ACCOUNTS),
            Field("denial", "str", "The other side's published denial or counter-account of a "
                  "one-sided record, in our words (its source is in `sources`); null when none was "
                  "found.", required=False, long_text=True),
            Field("confidence", "str", "high: both sides' statements, or two or more independent "
                  "sources agree; medium: one credible source, or one side's account not denied; "
                  "low: one side's account that the other side denied (checked: see `account`).",
                  choices=CONFIDENCES),
            SOURCES,
            Field("background_sources", "str", "Keys (in `sources`, separated by '; ') of sources cited "
                  "for context rather than for the event (a place's coordinates, a renaming, earlier "
                  "history); only these may be published before the event (checked).", required=False),
        ),
    )
)

_register(
    LayerSpec(
        name="casualty_reports",
        file="casualty_reports.csv",
        title="Casualty figures as reported",
        doc="Every casualty figure, for one incident or a whole war, with who reported it "
        "and when. Figures are never reconciled into one.",
        geometry=None,
        fields=(
            _id("Row id."),
            Field("scope", "str", "incident or conflict.", choices=("incident", "conflict")),
            Field("subject", "str", "Incident id or conflict id."),
            Field("side", "str", "Whose casualties.", choices=SIDES),
            Field("measure", "str", "What is counted.", choices=MEASURES),
            Field("value", "int", "The figure.", minimum=0),
            Field("qualifier", "str", "exact, at_least, about or up_to.", choices=QUALIFIERS),
            Field("reported_by", "str", "Who published the figure."),
            Field("reported_on", "partial_date", "When the figure was published (YYYY-MM-DD, or "
                  "YYYY-MM when only the month is known).", required=False),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="conflicts",
        file="conflicts.csv",
        title="Wars",
        doc="The two wars as wholes; their figures are in casualty_reports.",
        geometry=None,
        interval=("date_start", "date_end"),
        fields=(
            _id("Conflict id, e.g. war-2021-04."),
            Field("name", "str", "Name in English."),
            Field("name_ru", "str", "Name in Russian."),
            _FIRST_DAY,
            _LAST_DAY,
            _OUR_WORDS,
            SOURCES,
        ),
    )
)

# The `place` of war_deaths rows whose deaths no source puts at a place.
NOT_PLACED = "not placed"

_register(
    LayerSpec(
        name="war_deaths",
        file="war_deaths.csv",
        title="Where each war's reported dead were killed",
        doc="For each war and side, the dead of the war total the map quotes, placed at the incident "
        "where a source says they died, and the rest in one 'not placed' row: placed plus not placed "
        "equals the total (borderviz.model.casualties.placement_summary).",
        geometry=None,
        fields=(
            _id("Row id: war, side and place."),
            Field("conflict", "str", "War (see conflicts)."),
            Field("side", "str", "Whose dead.", choices=("KG", "TJ")),
            Field("place", "str", f"Incident id where a source places these deaths, or '{NOT_PLACED}'."),
            Field("place_reported", "str", "The place as the incident's sources name it; empty when not "
                  "placed.", required=False, long_text=True),
            Field("killed", "int", "Deaths placed there; for 'not placed', the total minus every death "
                  "placed.", minimum=0),
            Field("qualifier", "str", "exact, at_least, about or up_to. 'not placed' is up_to when a "
                  "placed figure is an at_least one.", choices=QUALIFIERS),
            Field("total", "int", "The war's total for this side that the map quotes: the latest "
                  "whole-war figure in casualty_reports.", minimum=0),
            Field("total_qualifier", "str", "Qualifier of the total.", choices=QUALIFIERS),
            Field("total_reported_by", "str", "Who published the total."),
            Field("total_reported_on", "partial_date", "When the total was published.", required=False),
            Field("note", "str", "What the source says of these deaths, in our words; for 'not placed', "
                  "what is known of them and why they cannot be placed.", long_text=True),
            Field("unplaced_incident_figures", "json", "On the 'not placed' row: killed figures on this "
                  "war's incident records that count something other than deaths at the place (residents "
                  "on a list, a funeral), as a list of {incident, killed, why}; they are part of 'not "
                  "placed'.", required=False),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="crossings",
        file="crossings.geojson",
        title="Border crossing points",
        doc="KG–TJ crossing points, one row per crossing and status interval.",
        geometry=("Point",),
        interval=("date_start", "date_end"),
        fields=(
            _id("Row id: crossing id and interval start."),
            Field("crossing", "str", "Crossing id."),
            Field("name", "str", "Name (KG side – TJ side)."),
            Field("name_ru", "str", "Name in Russian.", required=False),
            Field("kg_place", "str", "Place on the Kyrgyz side.", required=False),
            Field("tj_place", "str", "Place on the Tajik side.", required=False),
            Field("kind", "str", "road, rail or pedestrian.", choices=CROSSING_KINDS),
            Field("status", "str", "Status in this interval.", choices=CROSSING_STATUSES),
            Field("date_start", "date", "First day; null = since before the record.",
                  required=False),
            Field("date_end", "date", "Day the interval ends (exclusive); null = still so.",
                  required=False),
            Field("note", "str", "What to know about this interval.", required=False, long_text=True),
            _PRECISION,
            _METHOD,
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="infrastructure",
        file="infrastructure.geojson",
        title="Contested infrastructure",
        doc="Water intakes, bridges and roads at the heart of disputes. Roads are drawn "
        "schematically through the places they connect.",
        geometry=("Point", "LineString"),
        fields=(
            _id("Object id."),
            Field("name", "str", "Name in English."),
            Field("name_ru", "str", "Name in Russian.", required=False),
            Field("kind", "str", "What it is.", choices=INFRASTRUCTURE_KINDS),
            _PRECISION,
            _METHOD,
            Field("description", "str", "Why it matters, in our words.", long_text=True),
            Field("events", "json", "Dated events: a list of {date, what, source}.",
                  required=False),
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="timeline_events",
        file="timeline_events.csv",
        title="Dated events with no place on the border",
        doc="Summits, treaties, ratifications and ceasefires, for the timeline.",
        geometry=None,
        interval=("date_start", "date_end"),
        fields=(
            _id("Event id."),
            _FIRST_DAY,
            _LAST_DAY,
            Field("kind", "str", "What kind of event.", choices=TIMELINE_KINDS),
            Field("title", "str", "Short title."),
            _OUR_WORDS,
            SOURCES,
        ),
    )
)

_register(
    LayerSpec(
        name="official_figures",
        file="official_figures.csv",
        title="Official figures on the border over time",
        doc="Dated published figures: total length, agreed and disputed km, as each source "
        "gave them (they disagree; none is picked silently).",
        geometry=None,
        fields=(
            _id("Row id."),
            Field("date", "date", "Date the figure refers to, when known (the 1st of the month "
                  "when only the month is known).", required=False),
            Field("date_precision", "str", "How exactly `date` is known; null when undated.",
                  required=False, choices=DATE_PRECISIONS),
            Field("date_as_published", "str", "The date as the source gives it."),
            Field("total_km", "float", "Total length of the border, km.", required=False,
                  minimum=0),
            Field("agreed_km", "float", "Agreed (delimited) km.", required=False, minimum=0),
            Field("disputed_km", "float", "Disputed or undelimited km.", required=False,
                  minimum=0),
            Field("increment_km", "float", "Km agreed at one meeting (an increment, not a "
                  "total), when the row reports one.", required=False, minimum=0),
            Field("agreed_percent", "float", "Share agreed, in percent, when the source gives a share "
                  "rather than km (of the line, or of its disputed sections: `statement` says which).",
                  required=False, minimum=0, maximum=100),
            Field("km_qualifier", "str", "How the source qualifies its km figures: exact, "
                  "at_least ('more than'), about, up_to.", choices=QUALIFIERS),
            Field("statement", "str", "The figure or fact as published.", long_text=True),
            Field("who", "str", "Who said it."),
            Field("note", "str", "What to know about this figure.", required=False, long_text=True),
            SOURCES,
        ),
    )
)


_register(
    LayerSpec(
        name="bibliography",
        file="bibliography.csv",
        title="Every source cited",
        doc="One row per source (URL) cited anywhere in data/, with every key that cites it and "
        "where: the list to check and cite from.",
        geometry=None,
        fields=(
            _id("Bibliography key: the key of a citation of this URL (the first researched one)."),
            Field("keys", "str", "Every citation key pointing to this URL, separated by '; '."),
            Field("publisher", "str", "Publisher or outlet."),
            Field("title", "str", "Title as published ([brackets] when translated or described).",
                  long_text=True),
            Field("author", "str", "Author(s), when given.", required=False),
            Field("date", "partial_date", "Publication date (YYYY-MM-DD, YYYY-MM or YYYY).",
                  required=False),
            Field("url", "str", "Where it was read."),
            Field("language", "str", "Language code.", required=False),
            Field("note", "str", "What to know about this source.", required=False, long_text=True),
            Field("cited_in", "str", "Layers citing it, with counts, e.g. 'incidents: 3'."),
        ),
    )
)


IMPORT_PRECISIONS = (*LOCATION_PRECISIONS, "region", "country")
IMPORT_DATE_PRECISIONS = (*DATE_PRECISIONS, "week")
IMPORT_COUNTRIES = ("KG", "TJ", "UZ", "disputed", "other")

# A user's own incidents (ACLED, UCDP GED or a generic file) mapped onto the
# incident schema. Not a file in data/: it lives in the app's session and in
# exports. The source dataset's ids and precision codes are kept, and after
# these columns come the file's own, typed, under their own names (prefixed
# with the dataset, e.g. `acled_event_type`, where a name is one of these or
# one an export uses for geometry: latitude, longitude, wkt, geometry, bbox, fid).
IMPORTED_INCIDENTS = LayerSpec(
    name="imported_incidents",
    file="imported_incidents.geojson",
    title="Imported incidents",
    doc="Incidents from a file the user brought, mapped onto the incident schema.",
    geometry=("Point",),
    interval=("date_start", "date_end"),
    fields=(
        _id("Row id: dataset and the source's own id."),
        Field("dataset", "str", "Where the rows come from.", choices=("acled", "ucdp", "file")),
        Field("source_id", "str", "The row's id in the source dataset."),
        Field("date_start", "date", "First day."),
        Field("date_end", "date", "Last day (inclusive)."),
        Field("date_precision", "str", "How exactly the date is known.", choices=IMPORT_DATE_PRECISIONS),
        Field("event_type", "str", "Mapped onto borderviz's types ('other' when none fits).",
              choices=(*EVENT_TYPES, "other")),
        Field("source_event_type", "str", "The event type as the source gives it.", required=False),
        Field("place_reported", "str", "The place as the source names it.", required=False,
              long_text=True),
        Field("country", "str", "Country of the place.", choices=IMPORT_COUNTRIES),
        Field("region", "str", "First-level division.", required=False),
        Field("district", "str", "Second-level division.", required=False),
        Field("location_precision", "str", "Mapped from the source's precision code.",
              choices=IMPORT_PRECISIONS),
        Field("source_precision", "str", "The source's own precision codes, e.g. 'geo_precision 2'.",
              required=False),
        Field("killed_total", "int", "Fatalities as the source gives them (best estimate).",
              required=False, minimum=0),
        Field("description", "str", "The source's notes or headline.", required=False, long_text=True),
        Field("possible_duplicate_of", "str", "Built-in incidents within a day and 5 km.",
              required=False),
        SOURCES,
    ),
)

ALL_SPECS: dict[str, LayerSpec] = {**LAYERS, IMPORTED_INCIDENTS.name: IMPORTED_INCIDENTS}


def schema_markdown() -> str:
    """Document every layer, column and vocabulary as Markdown (for data/README.md)."""
    out: list[str] = []
    for spec in LAYERS.values():
        geom = ", ".join(spec.geometry) if spec.geometry else "none (table)"
        out.append(f"### `{spec.file}`: {spec.title}\n")
        out.append(f"{spec.doc}\n")
        out.append(f"Geometry: {geom}. CRS: {spec.crs if spec.geometry else 'n/a'}.\n")
        out.append("| column | type | required | allowed values | meaning |")
        out.append("|---|---|---|---|---|")
        for f in spec.fields:
            allowed = ", ".join(str(c) for c in f.choices) if f.choices else ""
            if f.minimum is not None:
                allowed = allowed or f"≥ {f.minimum:g}"
            out.append(
                f"| `{f.name}` | {f.kind} | {'yes' if f.required else 'no'} | {allowed} | {f.doc} |"
            )
        out.append("")
    return "\n".join(out)
