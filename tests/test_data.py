"""Facts the committed data must hold (issues 2 and 3)."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from borderviz.model.geodesy import area_km2
from borderviz.model.schema import LAYERS


def test_committed_data_validates(frames):
    assert set(frames) == set(LAYERS)


def test_every_feature_and_row_carries_sources(frames):
    for name, frame in frames.items():
        if "sources" not in frame:
            continue
        empty = frame[[not s for s in frame["sources"]]]
        assert empty.empty, f"{name}: {list(empty['id'])} have no sources"
        for sources in frame["sources"]:
            assert all(s["url"].startswith(("http://", "https://")) and s["publisher"] for s in sources)


def _outline(geom):
    """A territory with its holes filled: what lies inside the country's outer border."""
    return shapely.union_all([shapely.Polygon(p.exterior) for p in shapely.get_parts(geom)])


@pytest.mark.parametrize("enclave", ["vorukh", "kayragach"])
def test_tajik_exclaves_lie_inside_kyrgyzstan_and_touch_no_other_country(frames, enclave):
    countries = frames["countries"]
    for _, row in frames["enclaves"][frames["enclaves"]["enclave"] == enclave].iterrows():
        vintage = countries[countries["vintage"] == row["vintage"]].set_index("country").geometry
        assert _outline(vintage["KG"]).buffer(1e-9).contains(row.geometry)
        assert row["owner"] == "TJ" and row["host"] == "KG"
        assert not row.geometry.buffer(-1e-6).intersects(vintage["UZ"])
        tajik_mainland = max(shapely.get_parts(vintage["TJ"]), key=lambda g: g.area)
        assert not row.geometry.intersects(tajik_mainland.buffer(1e-7))


@pytest.mark.parametrize(("vintage", "expected"), [(2017, 97.7), (2024, 33.2)])
def test_vorukh_area_matches_the_source_polygons(frames, vintage, expected):
    en = frames["enclaves"]
    row = en[(en["enclave"] == "vorukh") & (en["vintage"] == vintage)].iloc[0]
    assert row["area_km2"] == pytest.approx(expected, abs=0.1)
    assert area_km2(row.geometry) == pytest.approx(row["area_km2"], abs=0.01)


def test_kayragach_is_drawn_in_2024_and_ends_with_the_treaty(frames):
    en = frames["enclaves"]
    kay = en[en["enclave"] == "kayragach"]
    assert list(kay["vintage"]) == [2024]
    assert kay.iloc[0]["area_km2"] == pytest.approx(1.0, abs=0.05)
    assert kay.iloc[0]["valid_to"] == pd.Timestamp("2025-03-13")


def test_context_enclaves_are_all_there_with_names_in_two_languages(frames):
    en = frames["enclaves"]
    assert set(en["enclave"]) == {"vorukh", "kayragach", "sokh", "shakhimardan", "chon-qora",
                                  "jani-ayil", "sarvan", "barak"}
    assert en["name_en"].notna().all() and en["name_ru"].notna().all()


@pytest.mark.parametrize("vintage", [2017, 2024])
def test_total_kg_tj_line_is_within_published_range(frames, vintage):
    lines = frames["border_lines"]
    total = lines[lines["vintage"] == vintage]["length_km"].sum()
    assert 900 <= total <= 1010


def test_main_line_runs_from_the_uzbek_tripoint_to_china(frames):
    lines, countries = frames["border_lines"], frames["countries"]
    main = lines[(lines["vintage"] == 2024) & (lines["part"] == "main")].iloc[0].geometry
    uz = countries[(countries["country"] == "UZ") & (countries["vintage"] == 2024)].iloc[0].geometry
    start, end = shapely.Point(main.coords[0]), shapely.Point(main.coords[-1])
    assert start.distance(uz) < 1e-6
    assert end.x > 73.5  # the Chinese tripoint, east of the clipped region's UZ


def test_vintage_differences_are_kept_as_information(frames):
    diff = frames["vintage_differences"]
    near_vorukh = diff[(diff["in_2017"] == "TJ") & (diff["in_2024"] == "KG")]
    assert near_vorukh["area_km2"].max() > 50  # the two versions differ by tens of km² around Vorukh
    assert (diff["area_km2"] >= 0.1).all()


def test_line_pieces_add_up_to_the_line(frames):
    """Status sectors are cut from the line by linear reference: no gaps, no double counting."""
    status = frames["border_status"]
    lines = frames["border_lines"]
    before = status[status["date_start"].isna()]
    assert before["length_km"].sum() == pytest.approx(lines[lines["vintage"] == 2024]["length_km"].sum(), abs=0.2)


def test_incidents_cover_the_record(frames):
    inc = frames["incidents"]
    assert len(inc) >= 40
    assert inc["id"].is_unique
    assert (inc["date_start"] <= inc["date_end"]).all()
    assert inc["date_start"].min() < pd.Timestamp("2015-01-01")
    assert inc["date_start"].max() > pd.Timestamp("2025-01-01")


@pytest.mark.parametrize("war", ["war-2021-04", "war-2022-09"])
def test_wars_appear_as_separate_places_and_days(frames, war):
    part = frames["incidents"][frames["incidents"]["conflict"] == war]
    assert part["place_reported"].nunique() >= 10
    assert part["date_start"].nunique() >= 3
    assert part.geometry.apply(lambda g: (round(g.x, 4), round(g.y, 4))).nunique() >= 8


@pytest.mark.parametrize(
    ("war", "side", "measure", "value"),
    [("war-2021-04", "KG", "killed", 36), ("war-2021-04", "KG", "injured", 186),
     ("war-2021-04", "KG", "displaced", 58000), ("war-2021-04", "TJ", "killed", 19),
     ("war-2021-04", "TJ", "injured", 87), ("war-2021-04", "TJ", "displaced", 15000),
     ("war-2022-09", "KG", "killed", 62), ("war-2022-09", "KG", "injured", 198),
     ("war-2022-09", "KG", "displaced", 136000), ("war-2022-09", "TJ", "killed", 41),
     ("war-2022-09", "KG", "killed", 59)],
)
def test_headline_figures_are_kept_as_published(frames, war, side, measure, value):
    reports = frames["casualty_reports"]
    match = reports[(reports["scope"] == "conflict") & (reports["subject"] == war)
                    & (reports["side"] == side) & (reports["measure"] == measure) & (reports["value"] == value)]
    assert not match.empty
    assert match["reported_by"].notna().all()


def test_named_events_of_the_seeds_are_recorded(frames):
    inc = frames["incidents"]
    text = (inc["place_reported"] + " " + inc["description"]).str.lower()
    assert (inc[text.str.contains("ak-suu") & text.str.contains("bridge")]["event_type"] == "destruction").any()
    flag = inc[text.str.contains("dostuk") & text.str.contains("school")]
    assert (flag["event_type"] == "occupation").any()
    june4 = inc[(inc["date_start"] == pd.Timestamp("2021-06-04"))]
    assert (june4["event_type"] == "mobilisation").any()


def test_treaty_reopened_kyzyl_bel_and_kayragach(frames):
    crossings = frames["crossings"]
    reopened = crossings[(crossings["status"] == "open") & (crossings["date_start"] == pd.Timestamp("2025-03-13"))]
    assert {"kyzyl-bel", "kayragach"} <= set(reopened["crossing"])


def test_status_before_the_treaty_is_honest_about_the_unknown(frames):
    status = frames["border_status"]
    before = status[status["date_start"].isna()]
    assert set(before["status"]) == {"disputed", "not_documented"}
    assert (before[before["status"] == "disputed"]["geometry_basis"] == "indicative").all()
    after = status[status["date_start"] == pd.Timestamp("2025-03-13")]
    assert set(after["status"]) == {"agreed"}
    assert "kayragach-perimeter" not in set(after["sector"])  # no longer a border after the treaty


def test_official_figures_include_the_treaty_length(frames):
    figures = frames["official_figures"]
    assert (figures["total_km"] == 1006.84).any()
    assert figures["date_as_published"].notna().all()


def test_timeline_events_include_the_summits_and_the_treaty(frames):
    events = frames["timeline_events"]
    assert (events["date_start"] == pd.Timestamp("2025-03-13")).any()
    assert events["title"].str.contains("SCO", case=False).any()
    assert events["title"].str.contains("CSTO", case=False).any()


def test_bibliography_lists_every_cited_source_once(frames):
    bib = frames["bibliography"]
    assert bib["id"].is_unique and bib["url"].is_unique
    keys = {k for row in bib["keys"] for k in row.split("; ")}
    for name, frame in frames.items():
        if "sources" in frame:
            assert {s["key"] for s in frame["sources"].explode().dropna()} <= keys, name


def test_data_readme_sweep_table_covers_every_year_of_the_record(repo):
    readme = (repo / "data" / "README.md").read_text(encoding="utf-8")
    sweep = readme.split("## Sweep of the incident record", 1)[1].split("\n## ", 1)[0]
    for year in range(2014, 2027):
        assert f"\n| {year} |" in sweep, year


@pytest.mark.parametrize("ident", ["2022-09-16-kyzyl-bel", "2022-09-16-tamdyk", "2022-09-16-kum-mazar",
                                   "2022-09-14-samarkandyk", "2021-04-29-eski-oochu"])
def test_places_attacked_in_the_wars_have_records_of_their_own(frames, ident):
    assert ident in set(frames["incidents"]["id"])


def test_no_text_dates_the_january_shootout_to_2013(repo):
    for path in (repo / "data" / "research").rglob("*.yaml"):
        assert "11 January 2013" not in path.read_text(encoding="utf-8"), path
