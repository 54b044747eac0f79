"""The sweep log of the incident record (data/research/sweep/, issue 18) keeps its rules.

The rules are those of data/research/sweep/README.md, checked for whatever year files exist;
scripts/sweep_report.py implements them and writes the coverage tables. One test asks for a
year file for every year from 2014 to the current one: it fails until every year is swept.
"""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import sweep_report


@pytest.fixture(scope="module")
def log(repo):
    return sweep_report.load_log(repo)


@pytest.fixture(scope="module")
def research(repo):
    return sweep_report.load_research(repo)


def test_the_log_is_well_formed(log):
    outlets, years = log
    assert years, "no year file in data/research/sweep/"
    assert sweep_report.well_formed(outlets, years) == []


def test_every_month_of_the_years_present_is_swept_for_every_core_outlet(log):
    outlets, years = log
    assert sweep_report.months_covered(outlets, years) == []


def test_every_year_present_has_a_query_naming_each_core_outlet(log):
    outlets, years = log
    assert sweep_report.years_named(outlets, years) == []


def test_every_year_from_2014_to_now_has_a_sweep_file(log):
    _outlets, years = log
    assert sweep_report.all_years_present(years) == []


def test_every_candidate_has_a_decision_and_what_it_requires(log, research):
    _outlets, years = log
    incidents, _sources = research
    assert sweep_report.decisions_complete(years, incidents) == []


def test_found_by_names_queries_and_relevant_counts_the_candidates(log):
    _outlets, years = log
    assert sweep_report.found_by_resolves(years) == []
    assert sweep_report.relevant_counts(years) == []


def test_an_added_candidate_is_cited_by_its_incident(log, research):
    _outlets, years = log
    incidents, sources = research
    assert sweep_report.added_are_cited(years, incidents, sources) == []


def test_the_generated_tables_are_current(repo):
    stale = [str(path.relative_to(repo)) for path, text in sweep_report.targets(repo).items()
             if path.read_text(encoding="utf-8") != text]
    assert stale == [], "run: python scripts/sweep_report.py"


# --- the rules catch what they are for -------------------------------------------------------------

def _one_year(log):
    outlets, years = log
    year = min(years)
    return outlets, {year: copy.deepcopy(years[year])}, year


def test_a_month_without_a_query_is_reported(log):
    outlets, years, year = _one_year(log)
    month = f"{year}-03"
    years[year]["queries"] = [q for q in years[year]["queries"] if q["months"] != [month]]
    found = sweep_report.months_covered(outlets, years, today=dt.date(year, 12, 31))
    assert f"{month}: no month query in ru" in found and f"{month}: no month query in en" in found


def test_the_current_year_is_checked_only_up_to_the_current_month(log):
    outlets, years, year = _one_year(log)
    years[year]["queries"] = [q for q in years[year]["queries"] if q["months"] != [f"{year}-12"]]
    assert sweep_report.months_covered(outlets, years, today=dt.date(year, 11, 30)) == []
    assert sweep_report.months_covered(outlets, years, today=dt.date(year, 12, 1))


def test_a_year_missing_an_outlet_query_is_reported(log):
    outlets, years, year = _one_year(log)
    slug = outlets["core"][0]
    years[year]["queries"] = [q for q in years[year]["queries"]
                              if not (isinstance(q["outlets"], list) and slug in q["outlets"])]
    assert f"{year}: no query names {slug}" in sweep_report.years_named(outlets, years)


def test_missing_years_are_reported():
    assert sweep_report.all_years_present({2014: {}}, today=dt.date(2016, 6, 1)) == [
        "no sweep file for 2015", "no sweep file for 2016"]


def test_bad_decisions_and_counts_are_reported(log, research):
    _outlets, years, year = _one_year(log)
    incidents, sources = research
    cands = years[year]["candidates"]
    cands[0]["decision"], cands[0]["incident"] = "duplicate", "no-such-record"
    cands[1]["decision"] = "maybe"
    cands[2]["decision"], cands[2]["reason"] = "undated", " "
    found = sweep_report.decisions_complete(years, incidents)
    assert len(found) == 3, found
    cands[3]["found_by"] = ["no-such-query"]
    assert sweep_report.found_by_resolves(years)
    assert sweep_report.relevant_counts(years)


def test_an_added_candidate_its_incident_does_not_cite_is_reported(log, research):
    _outlets, years, year = _one_year(log)
    incidents, sources = research
    cand = next(c for c in years[year]["candidates"] if c["decision"] == "added")
    cand["url"] = "https://example.org/not-cited"
    assert sweep_report.added_are_cited(years, incidents, sources) == [
        f"{year}.yaml https://example.org/not-cited: added as {cand['incident']}, which does not cite it"]


def test_an_address_written_two_ways_is_one_page():
    assert sweep_report._same_url("https://24.kg:443/english/1_x/", "https://24.kg/english/1_x")
    assert not sweep_report._same_url("https://24.kg/english/1_x", "https://24.kg/english/2_y")
