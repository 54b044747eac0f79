"""The sweep log of the incident record (issue 18): load it, check it, and write its coverage tables.

The log is data/research/sweep/: outlets.yaml (the core outlets every month and year must be swept
for) and one <YYYY>.yaml per year, each listing the queries run and every result that reports an
event at the Kyrgyzstan–Tajikistan border, with what was done about it (format:
data/research/sweep/README.md). This script

- checks the rules of that format (the functions below; tests/test_sweep.py runs them), and
- writes two generated blocks: the coverage tables into data/README.md and a short version into
  docs/about.md (the app's notes), each between its markers.

    python scripts/sweep_report.py            # check, then rewrite the two blocks
    python scripts/sweep_report.py --check    # check only; exit 1 if a rule fails or a block is stale

The counts are those of the committed incident layer (data/incidents.geojson) and of the log; the
build (scripts/build_data.py) does not read the log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FIRST_YEAR = 2014
DECISIONS = ("added", "duplicate", "out_of_scope", "undated", "unverifiable")
NEEDS_INCIDENT = ("added", "duplicate")
LANGUAGES = ("ru", "en", "ky", "tg")
README_MARKERS = ("<!-- sweep:start -->", "<!-- sweep:end -->")
ABOUT_MARKERS = ("[//]: # (sweep:start)", "[//]: # (sweep:end)")


# --- loading ---------------------------------------------------------------------------------------

def load_log(root: Path = ROOT) -> tuple[dict, dict[int, dict]]:
    """outlets.yaml and the year files present, as {year: document}."""
    sweep = root / "data" / "research" / "sweep"
    outlets = yaml.safe_load((sweep / "outlets.yaml").read_text(encoding="utf-8"))
    years = {int(p.stem): yaml.safe_load(p.read_text(encoding="utf-8"))
             for p in sorted(sweep.glob("[0-9][0-9][0-9][0-9].yaml"))}
    return outlets, years


def load_research(root: Path = ROOT) -> tuple[dict[str, dict], dict[str, dict]]:
    """Every researched incident by id and every bibliography entry by key (keys are global)."""
    research = root / "data" / "research"
    incidents: dict[str, dict] = {}
    sources: dict[str, dict] = {}
    for path in sorted(research.glob("*.yaml")) + sorted(research.glob("incidents/*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sources.update(doc.get("sources") or {})
        for record in doc.get("incidents") or []:
            incidents[record["id"]] = record
    return incidents, sources


def layer_incidents(root: Path = ROOT) -> list[dict]:
    """The properties of every feature of the built incident layer."""
    layer = json.loads((root / "data" / "incidents.geojson").read_text(encoding="utf-8"))
    return [f["properties"] for f in layer["features"]]


def queries(years: dict[int, dict]) -> list[dict]:
    return [q for doc in years.values() for q in doc.get("queries") or []]


def candidates(years: dict[int, dict]) -> list[tuple[int, dict]]:
    return [(year, c) for year, doc in years.items() for c in doc.get("candidates") or []]


def month_range(first: str, last: str) -> list[str]:
    """'2014-01' .. 'YYYY-MM', inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _same_url(a: str, b: str) -> bool:
    """One address written two ways (':443', 'www.', a trailing slash) is the same page."""
    def norm(u: str) -> str:
        u = u.strip().replace(":443/", "/").replace("://www.", "://")
        return u[:-1] if u.endswith("/") else u
    return norm(a) == norm(b)


# --- the rules (each returns a list of problems, empty when the rule holds) -------------------------

def months_covered(outlets: dict, years: dict[int, dict], today: dt.date | None = None) -> list[str]:
    """Every month of every year present, up to the current month, is swept for every core outlet:
    some query lists the month and names the outlet or no outlet at all (`outlets: all`)."""
    today = today or dt.date.today()
    now = f"{today:%Y-%m}"
    problems = []
    for year in sorted(years):
        for month in month_range(f"{year}-01", min(f"{year}-12", now)):
            reach = [q for q in queries(years) if month in (q.get("months") or [])]
            for slug in outlets["core"]:
                if not any(q["outlets"] == "all" or slug in q["outlets"] for q in reach):
                    problems.append(f"{month}: no query reaches core outlet {slug}")
            languages = {q["language"] for q in reach if q["outlets"] == "all"}
            for language in ("ru", "en"):
                if language not in languages:
                    problems.append(f"{month}: no month query in {language}")
    return problems


def years_named(outlets: dict, years: dict[int, dict]) -> list[str]:
    """Every (year, core outlet) has a query that names the outlet."""
    return [f"{year}: no query names {slug}" for year, doc in sorted(years.items())
            for slug in outlets["core"]
            if not any(isinstance(q["outlets"], list) and slug in q["outlets"]
                       for q in doc.get("queries") or [])]


def all_years_present(years: dict[int, dict], today: dt.date | None = None) -> list[str]:
    """One year file per year from 2014 to the current year."""
    today = today or dt.date.today()
    return [f"no sweep file for {year}" for year in range(FIRST_YEAR, today.year + 1) if year not in years]


def well_formed(outlets: dict, years: dict[int, dict]) -> list[str]:
    """Query ids unique, fields of the vocabulary, outlets known, one candidate per URL per year file."""
    problems = []
    known = set(outlets["outlets"]) | {"other"}
    missing_core = set(outlets["core"]) - set(outlets["outlets"])
    problems += [f"core outlet {slug} is not described in outlets.yaml" for slug in sorted(missing_core)]
    ids = Counter(q["id"] for q in queries(years))
    problems += [f"query id {qid} used {n} times" for qid, n in ids.items() if n > 1]
    for year, doc in sorted(years.items()):
        if doc.get("year") != year:
            problems.append(f"{year}.yaml says year {doc.get('year')}")
        for q in doc.get("queries") or []:
            where = f"query {q['id']}"
            if q.get("language") not in LANGUAGES:
                problems.append(f"{where}: language {q.get('language')!r}")
            if q["outlets"] != "all" and not set(q["outlets"]) <= known:
                problems.append(f"{where}: unknown outlets {sorted(set(q['outlets']) - known)}")
            if any(not str(m).startswith(f"{year}-") for m in q.get("months") or []) or not q.get("months"):
                problems.append(f"{where}: months {q.get('months')} not all in {year}")
            if not (0 <= q["relevant"] <= q["results"]):
                problems.append(f"{where}: relevant {q['relevant']} of {q['results']} results")
        urls = Counter(c["url"] for c in doc.get("candidates") or [])
        problems += [f"{year}.yaml: {u} listed {n} times" for u, n in urls.items() if n > 1]
        for c in doc.get("candidates") or []:
            if c.get("outlet") not in known:
                problems.append(f"{year}.yaml {c['url']}: unknown outlet {c.get('outlet')!r}")
            if c.get("outlet") == "other" and not c.get("publisher"):
                problems.append(f"{year}.yaml {c['url']}: outlet 'other' without a publisher")
    return problems


def decisions_complete(years: dict[int, dict], incidents: dict[str, dict]) -> list[str]:
    """Every candidate has a decision and what it requires: an existing incident for added and
    duplicate, a reason otherwise."""
    problems = []
    for year, c in candidates(years):
        where, decision = f"{year}.yaml {c['url']}", c.get("decision")
        if decision not in DECISIONS:
            problems.append(f"{where}: decision {decision!r}")
        elif decision in NEEDS_INCIDENT:
            if c.get("incident") not in incidents:
                problems.append(f"{where}: {decision} names no existing incident ({c.get('incident')!r})")
        elif not str(c.get("reason") or "").strip():
            problems.append(f"{where}: {decision} without a reason")
    return problems


def found_by_resolves(years: dict[int, dict]) -> list[str]:
    """Every query id in a candidate's found_by exists."""
    ids = {q["id"] for q in queries(years)}
    return [f"{year}.yaml {c['url']}: found_by {qid} is not a query" for year, c in candidates(years)
            for qid in c.get("found_by") or [None] if qid not in ids]


def relevant_counts(years: dict[int, dict]) -> list[str]:
    """A query's `relevant` equals the number of candidates (in any year file) it found."""
    found = Counter(qid for _year, c in candidates(years) for qid in set(c.get("found_by") or []))
    return [f"query {q['id']}: relevant {q['relevant']} but {found[q['id']]} candidates"
            for q in queries(years) if q["relevant"] != found[q["id"]]]


def added_are_cited(years: dict[int, dict], incidents: dict[str, dict], sources: dict[str, dict]) -> list[str]:
    """An `added` candidate's page is among the sources of the incident it led to."""
    problems = []
    for year, c in candidates(years):
        record = incidents.get(c.get("incident")) if c.get("decision") == "added" else None
        if record is None:
            continue
        cited = [sources.get(key, {}).get("url", "") for key in record.get("sources") or []]
        if not any(_same_url(c["url"], url) for url in cited):
            problems.append(f"{year}.yaml {c['url']}: added as {record['id']}, which does not cite it")
    return problems


def problems(root: Path = ROOT, today: dt.date | None = None) -> list[str]:
    """Every rule's problems, except the one that all years be present (see all_years_present)."""
    outlets, years = load_log(root)
    incidents, sources = load_research(root)
    return (well_formed(outlets, years) + months_covered(outlets, years, today) + years_named(outlets, years)
            + decisions_complete(years, incidents) + found_by_resolves(years) + relevant_counts(years)
            + added_are_cited(years, incidents, sources))


# --- the tables ------------------------------------------------------------------------------------

def _year(value) -> int:
    return int(str(value)[:4])


def added_ids(years: dict[int, dict]) -> set[str]:
    """The records the sweep added."""
    return {c["incident"] for _year, c in candidates(years) if c["decision"] == "added"}


def layer_table(layer: list[dict], last_year: int, added: set[str]) -> str:
    """Incidents of the layer per year and event type, and how many of them the sweep added."""
    types = sorted({p["event_type"] for p in layer})
    counts = Counter((_year(p["date_start"]), p["event_type"]) for p in layer)
    new = Counter(_year(p["date_start"]) for p in layer if p["id"] in added)
    head = "| year | " + " | ".join(t.replace("_", " ") for t in types) + " | all | added by the sweep |"
    rows = [head, "|---|" + "---:|" * (len(types) + 2)]
    for year in range(FIRST_YEAR, last_year + 1):
        cells = [counts[(year, t)] for t in types]
        rows.append(f"| {year} | " + " | ".join(str(n) if n else "·" for n in cells)
                    + f" | {sum(cells)} | {new[year] or '·'} |")
    return "\n".join(rows)


def sweep_table(outlets: dict, years: dict[int, dict], last_year: int) -> str:
    """Per year: queries, results, candidates by decision."""
    rows = ["| year | queries (month / outlet / other) | results | candidates | added | duplicate "
            "| out of scope | undated | unverifiable |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for year in range(FIRST_YEAR, last_year + 1):
        doc = years.get(year)
        if doc is None:
            rows.append(f"| {year} | not swept yet | | | | | | | |")
            continue
        qs = doc.get("queries") or []
        month = sum(1 for q in qs if q["outlets"] == "all" and len(q["months"]) == 1)
        named = sum(1 for q in qs if isinstance(q["outlets"], list))
        decided = Counter(c["decision"] for c in doc.get("candidates") or [])
        rows.append(f"| {year} | {len(qs)} ({month} / {named} / {len(qs) - month - named}) "
                    f"| {sum(q['results'] for q in qs)} | {sum(decided.values())} | "
                    + " | ".join(str(decided[d]) for d in DECISIONS) + " |")
    pages: dict[str, str] = {}
    for _year, c in candidates(years):
        pages.setdefault(c["url"], c["decision"])
    distinct = Counter(pages.values())
    rows.append(f"| all, distinct pages | {len(queries(years))} | {sum(q['results'] for q in queries(years))} "
                f"| {len(pages)} | " + " | ".join(str(distinct[d]) for d in DECISIONS) + " |")
    return "\n".join(rows)


def outlet_table(outlets: dict, years: dict[int, dict], last_year: int) -> str:
    """Per year and core outlet: queries naming it / candidates from it / of which added."""
    core = outlets["core"]
    rows = ["| year | " + " | ".join(core) + " | other outlets |", "|---|" + "---|" * (len(core) + 1)]
    for year in range(FIRST_YEAR, last_year + 1):
        doc = years.get(year)
        if doc is None:
            rows.append(f"| {year} |" + " |" * (len(core) + 1))
            continue
        qs, cands = doc.get("queries") or [], doc.get("candidates") or []
        cells = []
        for slug in core:
            named = sum(1 for q in qs if isinstance(q["outlets"], list) and slug in q["outlets"])
            mine = [c for c in cands if c["outlet"] == slug]
            cells.append(f"{named} / {len(mine)} / {sum(c['decision'] == 'added' for c in mine)}")
        rest = [c for c in cands if c["outlet"] not in core]
        cells.append(f"{len(rest)} / {sum(c['decision'] == 'added' for c in rest)}")
        rows.append(f"| {year} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def undated_list(years: dict[int, dict]) -> str:
    """The pages left undated or unverifiable, once each (each may report an incident the layer lacks)."""
    first: dict[str, dict] = {}
    for _year, c in candidates(years):
        if c["decision"] in ("undated", "unverifiable"):
            first.setdefault(c["url"], c)
    lines = [f"- {c.get('what', '').rstrip('.')} ({c.get('publisher') or c['outlet']}; {c['url']}): "
             f"{c['reason'].rstrip('.')}." for c in first.values()]
    return "\n".join(sorted(lines)) or "- none"


LOWER_BOUNDS = (
    "Counts per year are lower bounds: they are what the stored reporting yielded, a sample of public "
    "pages rather than the outlets' archives, and each query returns at most a handful of passages "
    "(mostly about the wars of 2021 and 2022, whatever year the query names). Officials counted more: "
    "Kyrgyzstan's vice-premier reported 8 incidents on the border in 2015 and three times as many in 2014 "
    "(Vecherny Bishkek, 27 October 2015), and Asia-Plus counted at least fourteen cases of violence in "
    "2019 (26 October 2020). The record is weakest for 2015–2018, when almost nothing dated came back, "
    "and for the small incidents of every year — detentions, pasture and water disputes, fences and "
    "road works — which the outlets report briefly or not at all.")


def readme_block(root: Path = ROOT, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    outlets, years = load_log(root)
    layer = layer_incidents(root)
    return "\n".join([
        "How complete the incident layer is depends on what the stored corpus of public pages holds. "
        "The sweep is logged query by query in `research/sweep/` (format in its README): for every "
        "month at least one query in Russian and one in English naming places of that month's border, "
        "and for every year one query per core outlet in the outlet's own language; every result that "
        "reports an event at the border is listed with what was done about it (added, a duplicate of a "
        "record, out of the year's scope, undated, unverifiable). These tables are generated from the "
        "log and the layer by `scripts/sweep_report.py`.",
        "",
        LOWER_BOUNDS,
        "",
        "Incidents in the layer, by year and type:",
        "",
        layer_table(layer, today.year, added_ids(years)),
        "",
        "Sweep queries by the year they sweep, and the pages among their results that report an event at the "
        "border, whatever its year (a page met in several years' files counts in each; the last row counts "
        "each page once):",
        "",
        sweep_table(outlets, years, today.year),
        "",
        "Per core outlet: queries naming it / its pages among the candidates / of which added "
        "(other outlets: candidates / added):",
        "",
        outlet_table(outlets, years, today.year),
        "",
        "Candidates left undated or unverifiable (a record needs at least its year):",
        "",
        undated_list(years),
    ])


def about_block(root: Path = ROOT, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    _outlets, years = load_log(root)
    layer = layer_incidents(root)
    added = added_ids(years)
    count = Counter(_year(p["date_start"]) for p in layer)
    new = Counter(_year(p["date_start"]) for p in layer if p["id"] in added)
    rows = ["| year | incidents | added by the sweep | sweep queries | pages reporting a border event |",
            "|---|---:|---:|---:|---:|"]
    for year in range(FIRST_YEAR, today.year + 1):
        doc = years.get(year)
        if doc is None:
            rows.append(f"| {year} | {count[year]} | | not swept yet | |")
            continue
        rows.append(f"| {year} | {count[year]} | {new[year]} | {len(doc.get('queries') or [])} | "
                    f"{len(doc.get('candidates') or [])} |")
    return "\n".join([
        "#### How complete the incident record is",
        "",
        "The record comes from a logged sweep of stored public reporting, month by month and outlet by "
        "outlet (data/README.md has the full tables). Each year's count is a lower bound: officials "
        "counted more incidents than were found, and small ones (detentions, pasture and water "
        "disputes, fences) are the least reported.",
        "",
        *rows,
    ])


def replace_block(text: str, markers: tuple[str, str], block: str) -> str:
    start, end = markers
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"


def targets(root: Path = ROOT, today: dt.date | None = None) -> dict[Path, str]:
    """The two files with their generated blocks as they should be."""
    readme, about = root / "data" / "README.md", root / "docs" / "about.md"
    return {readme: replace_block(readme.read_text(encoding="utf-8"), README_MARKERS, readme_block(root, today)),
            about: replace_block(about.read_text(encoding="utf-8"), ABOUT_MARKERS, about_block(root, today))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="check only; do not rewrite the blocks")
    args = parser.parse_args(argv)
    found = problems()
    for p in found:
        print(f"sweep: {p}", file=sys.stderr)
    stale = [path for path, text in targets().items() if path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"sweep: {path.relative_to(ROOT)} is not current; run scripts/sweep_report.py", file=sys.stderr)
        return 1 if found or stale else 0
    for path, text in targets().items():
        path.write_text(text, encoding="utf-8")
        print(f"updated {path.relative_to(ROOT)}")
    missing = all_years_present(load_log()[1])
    if missing:
        print("sweep: " + "; ".join(missing), file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
