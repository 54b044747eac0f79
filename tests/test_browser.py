"""What happens in a real browser: Playwright drives Debian's Chromium against `streamlit run app.py`.

Every test runs with the network off for anything but the app itself: requests
to other hosts are aborted and recorded. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from borderviz.io import formats
from borderviz.model import timeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import appdriver  # noqa: E402

pytestmark = pytest.mark.browser

TILE_HOSTS = {"tile.openstreetmap.org", "server.arcgisonline.com", "a.tile.opentopomap.org",
              "b.tile.opentopomap.org", "c.tile.opentopomap.org"}
HOSTILE = "<img src=x onerror=alert(1)> `${alert(2)}` </script><script>alert(3)</script> Ворух"


@pytest.fixture(scope="session")
def artifacts(repo):
    folder = repo / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def page(browser, server):
    tab = appdriver.AppTab(browser, server)
    yield tab
    tab.close()


def _places(frame: pd.DataFrame) -> int:
    """Distinct points these incidents are placed at (circles drawn when zoomed in far enough)."""
    return frame.geometry.apply(lambda g: (round(g.x, 6), round(g.y, 6))).nunique()


# Every incident reachable from a circle: (incidents listed by all circles, circles, circles' overlaps).
REACHABLE = """(() => {
    const drawn = borderviz.engine.markers.drawn, map = borderviz.engine.map;
    const listed = drawn.reduce((n, m) => n + m.bvItems.length, 0);
    let overlaps = 0;
    for (let a = 0; a < drawn.length; a++) for (let b = a + 1; b < drawn.length; b++) {
        const pa = map.latLngToLayerPoint(drawn[a].getLatLng()), pb = map.latLngToLayerPoint(drawn[b].getLatLng());
        if (pa.distanceTo(pb) < drawn[a].getRadius() + drawn[b].getRadius()) overlaps++;
    }
    return [listed, drawn.length, overlaps];
})()"""


def test_the_border_is_drawn_with_no_network(page, artifacts):
    page.open("?basemap=none")
    assert page.markers("path.bv-status") > 0
    assert page.markers("path.bv-enclave") >= 6
    assert page.markers("path.bv-difference") > 40
    page.page.screenshot(path=str(artifacts / "map-offline.png"))
    assert page.external == [], f"requests left the machine: {page.external[:5]}"


def test_only_basemap_tiles_ever_need_the_network(page):
    page.open("?basemap=streets")
    assert page.markers() > 0
    assert page.external_hosts() <= TILE_HOSTS, page.external_hosts() - TILE_HOSTS


def test_a_preset_changes_the_incidents_drawn(page, frames, artifacts):
    page.open("?basemap=none")
    everything = page.markers()
    assert page.api(REACHABLE)[0] == len(frames["incidents"]) == page.count()
    assert everything <= _places(frames["incidents"])
    page.page.get_by_role("combobox", name="Period").click()
    page.page.get_by_role("option", name="September 2022 war").click()
    page.settle()
    war = timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20")
    assert page.api(REACHABLE)[0] == len(war) == page.count() and page.markers() < everything
    body = page.page.inner_text("body")
    assert "The line on 20 Sep 2022" in body and "519 km agreed of 972 km" in body  # the gauge beside the map
    page.page.get_by_text("In full, with sources").click()
    page.page.get_by_text("As of 20 Sep 2022: 519 km agreed of 972 km", exact=False).wait_for(timeout=10_000)
    page.page.screenshot(path=str(artifacts / "preset-september-2022.png"))


def test_changing_a_filter_keeps_the_map_where_the_user_left_it(page):
    page.open("?basemap=none")
    page.api("borderviz.engine.map.setView([39.87, 70.55], 12, {animate: false})")
    page.page.get_by_role("combobox", name="Event types").click()
    page.page.get_by_role("option", name="Armed clash").click()
    page.page.keyboard.press("Escape")
    page.settle()
    assert "types=armed_clash" in page.page.url
    assert page.api("[borderviz.engine.map.getZoom(), borderviz.engine.map.getCenter().lat.toFixed(2)]") == \
        [12, "39.87"]


def test_moving_the_date_slider_changes_the_incidents_drawn(page, frames):
    page.open("?basemap=none&start=2021-01-01&end=2022-12-31")
    before = page.markers()
    start_thumb = page.page.get_by_role("slider").first
    start_thumb.focus()
    start_thumb.press("End")  # the start thumb jumps to the end date: a one-day range
    page.settle()
    assert page.markers() < before
    assert "start=2022-12-31" in page.page.url


def test_the_border_is_drawn_as_it_was_on_the_last_day(page):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    assert page.markers("path.bv-status-disputed") > 0 and page.markers("path.bv-status-agreed") == 0
    assert page.map.get_by_text("Lolazor", exact=False).count() == 1
    page.open("?basemap=none&start=2025-01-01&end=2025-06-01")
    assert page.markers("path.bv-status-disputed") == 0 and page.markers("path.bv-status-agreed") > 0
    assert page.map.get_by_text("Lolazor", exact=False).count() == 0  # passed to Kyrgyzstan in 2025


def test_clicking_an_incident_shows_its_sources(page):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.click_visible("path.bv-incident")
    popup = page.map.locator(".leaflet-popup-content")
    popup.wait_for()
    if popup.locator("details.bv-item").count():  # several incidents here: open the first
        popup.locator("details.bv-item summary").first.click()
    links = [a.get_attribute("href") for a in popup.locator("a").all()]
    assert links and all(h.startswith(("https://", "http://")) for h in links)
    assert "Sources" in popup.inner_text()


def test_incident_circles_sit_above_the_line_whatever_loads_first(page):
    """State layers arrive by fetch after the incidents; panes keep the circles clickable on top."""
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.map.locator("path.bv-status").first.wait_for()
    page.click_visible("path.bv-incident", largest=True)
    popup = page.map.locator(".leaflet-popup-content")
    popup.wait_for()
    if popup.locator("details.bv-item").count():
        popup.locator("details.bv-item summary").first.click()
    assert "confidence" in popup.inner_text()  # an incident's popup, not the line's


def test_uploaded_text_is_escaped_in_popups(page, tmp_path, artifacts):
    hostile = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [70.95, 39.93]},
        "properties": {"id": "x1", "date": "2022-09-16", "place": HOSTILE + " {{ 7*191 }}",
                       "description": HOSTILE + " {% for x in range(3) %}{{ x }}{% endfor %}",
                       "source": "https://example.org/report"}}]}
    path = tmp_path / "{{ 7*7 }}.geojson"
    path.write_text(json.dumps(hostile), encoding="utf-8")
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    before = page.count()
    page.page.locator('input[type="file"]').set_input_files(str(path))
    page.frame.wait_for_function(f"() => borderviz.count() === {before + 1}", timeout=60_000)
    page.settle()
    page.api("borderviz.engine.map.setView([39.93, 70.95], 12, {animate: false})")
    page.click_latlng(39.93, 70.95)
    popup = page.map.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "<img src=x onerror=alert(1)>" in text and "${alert(2)}" in text and "Ворух" in text
    assert "{{ 7*191 }}" in text and "{% for x in range(3) %}" in text and "1337" not in text
    assert "{{ 7*7 }}.geojson" in text and "49.geojson" not in text
    assert popup.locator("img").count() == 0 and popup.locator("script").count() == 0
    time.sleep(1)
    assert page.dialogs == []
    page.page.screenshot(path=str(artifacts / "escaped-popup.png"))


def test_a_bad_upload_says_why_and_keeps_the_app_running(page, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("date,latitude,longitude\n2022-09-16,39.9,seventy\n", encoding="utf-8")
    page.open("?basemap=none")
    before = page.markers()
    page.page.locator('input[type="file"]').set_input_files(str(path))
    page.page.get_by_text("was not imported").wait_for(timeout=60_000)
    page.page.get_by_text("broken.csv, row 2", exact=False).wait_for(timeout=30_000)
    assert "not numbers" in page.page.inner_text('[data-testid="stMain"]')  # at the top of the page
    error = page.page.locator('[data-testid="stAlert"]').filter(has_text="was not imported").bounding_box()
    assert error["y"] < page.page.locator(appdriver.MAP).bounding_box()["y"]
    page.settle()
    assert page.markers() == before


def test_an_acled_export_appears_on_the_map_and_the_timeline(page, tmp_path):
    header = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
              "country,admin1,admin2,location,latitude,longitude,geo_precision,source,source_scale,notes,"
              "fatalities")
    rows = ["KGZ9001,2022-09-16,2022,1,Political violence,Battles,Armed clash,Military Forces,Kyrgyzstan,"
            "Batken,Batken,Ak-Sai,39.874,70.522,1,Test outlet,National,Sample row written for a test,2",
            "KGZ9002,2022-09-17,2022,1,Political violence,Battles,Armed clash,Military Forces,Kyrgyzstan,"
            "Batken,Leilek,Kulundu,40.106,69.641,1,Test outlet,National,Sample row written for a test,0"]
    path = tmp_path / "acled-sample.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.page.locator('input[type="file"]').set_input_files(str(path))
    page.frame.wait_for_function("() => borderviz.engine.imported.length === 1", timeout=60_000)
    page.settle()
    war = page.markers()
    assert page.count() - page.api("borderviz.engine.selectedBuiltin") == 2 and war > 0
    assert "2 incidents from acled-sample.csv (acled)" in page.page.inner_text("body")


def test_download_holds_only_the_selected_dates_and_opens(page, tmp_path):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.page.get_by_role("tab", name="Download").click()
    with page.page.expect_download(timeout=90_000) as info:
        page.page.get_by_role("button", name="Download GeoJSON (RFC 7946)").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    frame = gpd.read_file(saved)
    assert len(frame) > 0
    assert frame["date_start"].min() >= pd.Timestamp("2022-09-14")
    assert frame["date_start"].max() <= pd.Timestamp("2022-09-20")
    provenance = json.loads(saved.read_text(encoding="utf-8"))["borderviz"]
    assert provenance["filters"]["from"] == "2022-09-14"


def test_the_html_export_opens_from_disk_with_no_network(browser, frames, tmp_path, artifacts):
    """The exported file is the same engine: brush, API, popups and the day's border, from disk."""
    selection = timeline.in_range(frames["incidents"], "2021-04-28", "2021-05-01")
    status = timeline.layer_selection(frames, "border_status", "2021-04-28", "2021-05-01")
    bundle = formats.export({"incidents": selection, "border_status": status}, "html",
                            {"from": "2021-04-28", "to": "2021-05-01"}, context=frames)
    name, data, _ = bundle.single()
    path = tmp_path / name
    path.write_bytes(data)
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    tab = context.new_page()
    external = []
    tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
              else (external.append(r.request.url), r.abort()))
    tab.goto(path.as_uri())
    tab.locator("path.bv-incident").first.wait_for(timeout=30_000)
    listed, circles, overlaps = tab.evaluate(REACHABLE)
    assert listed == len(selection) and circles <= _places(selection) and overlaps == 0
    assert tab.evaluate("borderviz.range()") == ["2021-04-28", "2021-05-01"]
    assert tab.evaluate("borderviz.count()") == len(selection)
    assert tab.locator("path.bv-status").count() > 0
    assert "28 Apr 2021 – 1 May 2021" in tab.locator(".bv-title").inner_text()
    tab.evaluate("borderviz.setRange('2021-04-29', '2021-04-29')")
    one_day = timeline.in_range(selection, "2021-04-29", "2021-04-29")
    assert tab.evaluate("borderviz.count()") == len(one_day) < len(selection)
    tab.screenshot(path=str(artifacts / "html-export.png"))
    context.close()
    assert external == []


def _drag(page, box, x0: float, x1: float) -> None:
    """Press on the brush chart at fraction x0 of its width and drag to x1 in small steps (button kept down)."""
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * x0, y)
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(box["x"] + box["width"] * (x0 + (x1 - x0) * k / 10), y)
        page.wait_for_timeout(30)


def test_brushing_redraws_the_map_as_it_moves_and_the_app_follows_on_release(page, frames, artifacts):
    page.open("?basemap=none")
    page.map.locator(".bv-chart").scroll_into_view_if_needed()
    chart = page.map.locator(".bv-chart").bounding_box()
    counts = []
    _drag(page.page, chart, 0.55, 0.70)
    counts.append(page.count())
    ranges = [page.api("borderviz.range()")]
    page.page.mouse.move(chart["x"] + chart["width"] * 0.90, chart["y"] + chart["height"] / 2)
    counts.append(page.count())
    ranges.append(page.api("borderviz.range()"))
    page.page.mouse.up()
    assert ranges[0] != ranges[1] and counts[0] != counts[1], (ranges, counts)
    start, end = ranges[1]
    page.settle()
    # The app follows the brush once it is released: URL, slider, metrics.
    page.page.wait_for_function(f"() => location.search.includes('start={start}')", timeout=30_000)
    assert f"end={end}" in page.page.url
    expected = len(timeline.in_range(frames["incidents"], start, end))
    metric = page.page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert metric == str(expected) == str(page.count())
    page.page.screenshot(path=str(artifacts / "brushed.png"))


def test_the_border_state_follows_the_brush_with_no_server_round_trip(page):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    assert page.markers("path.bv-status-disputed") > 0
    page.api("borderviz.setRange('2025-04-01', '2025-06-01')")
    assert page.markers("path.bv-status-disputed") == 0 and page.markers("path.bv-status-agreed") > 0
    page.api("borderviz.setRange('2022-09-14', '2022-09-20')")
    assert page.markers("path.bv-status-disputed") > 0


def test_play_animates_the_september_2022_war_day_by_day(page, frames):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.map.locator(".bv-timebar select").first.select_option("1")   # window: one day
    page.map.locator(".bv-timebar select").nth(1).select_option("3")  # three days a second
    seen = page.frame.evaluate("""async () => {
        const seen = [];
        borderviz.play();
        const t0 = performance.now();
        while (performance.now() - t0 < 2600) {
            const r = borderviz.range();
            const fresh = !seen.length || seen[seen.length - 1][0] !== r[0];
            if (borderviz.engine.frames > 0 && fresh) { seen.push([r[0], r[1], borderviz.count()]); }
            await new Promise(requestAnimationFrame);
        }
        const frames = borderviz.engine.frames, seconds = (performance.now() - t0) / 1000;
        borderviz.pause();
        return {seen, fps: frames / seconds};
    }""")
    days = [r[0] for r in seen["seen"]]
    assert days[:3] == ["2022-09-14", "2022-09-15", "2022-09-16"], days
    assert all(r[0] == r[1] for r in seen["seen"])  # a one-day window
    by_day = {d: len(timeline.in_range(frames["incidents"], d, d)) for d in days[:7]}
    assert all(r[2] == by_day[r[0]] for r in seen["seen"] if r[0] in by_day)
    assert seen["fps"] >= 20, seen["fps"]


def test_the_map_api_answers(page, frames):
    page.open("?basemap=none")
    assert page.api("borderviz.setRange('2021-04-28', '2021-05-01')") == ["2021-04-28", "2021-05-01"]
    assert page.api("borderviz.range()") == ["2021-04-28", "2021-05-01"]
    assert page.count() == len(timeline.in_range(frames["incidents"], "2021-04-28", "2021-05-01"))
    page.api("borderviz.play()")
    assert page.api("borderviz.playing()") is True
    page.api("borderviz.pause()")
    assert page.api("borderviz.playing()") is False


# --- issue 10, app side: numbers, links, search, table, phone ------------------------------------


def _metrics(tab) -> dict[str, str]:
    """The headline metrics as a person reads them: label → value."""
    out = {}
    for m in tab.page.locator('[data-testid="stMetric"]').all():
        label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def _wait_url(tab, part: str) -> None:
    tab.page.wait_for_function(f"() => window.location.search.includes({json.dumps(part)})", timeout=30_000)


def test_the_september_2022_headline_equals_the_sourced_war_totals(page, frames):
    from borderviz.model import casualties

    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    shown = _metrics(page)
    latest = casualties.latest_by_side(frames["casualty_reports"], "war-2022-09")
    for side, measure in (("KG", "killed"), ("TJ", "killed"), ("KG", "injured"), ("TJ", "injured")):
        expected = latest[(latest["side"] == side) & (latest["measure"] == measure)].iloc[0]["figure"]
        assert shown[f"{measure.capitalize()}, {side} (Sep 2022 war)"] == expected
    assert shown["Killed, KG (Sep 2022 war)"] == "63"
    assert "Killed, KG" not in shown


def test_a_link_to_an_incident_opens_its_popup_centred(page, frames):
    target = timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20")["id"].iloc[2]
    row = frames["incidents"].set_index("id").loc[target]
    page.open(f"?basemap=none&incident={target}")
    popup = page.map.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    assert target in popup.inner_text()
    # Centred, then moved just enough by Leaflet for the popup to fit: the incident is well inside the view.
    inside = page.api(f"(() => {{ const b = window.borderviz.engine.map.getBounds().pad(-0.2);"
                      f" return b.contains([{row.geometry.y}, {row.geometry.x}]); }})()")
    assert inside and page.api("window.borderviz.engine.map.getZoom()") >= 11
    assert f"incident={target}" in page.page.url


def test_the_view_lives_in_the_url_and_survives_a_basemap_change(page, artifacts):
    page.open("?basemap=none&lat=40.05&lon=70.8&zoom=11")
    assert page.api("window.borderviz.engine.map.getZoom()") == 11
    page.api("window.borderviz.engine.map.setView([39.99, 70.6], 12, {animate: false})")
    _wait_url(page, "zoom=12")
    assert "lat=39.99" in page.page.url and "lon=70.6" in page.page.url
    page.page.locator('[data-testid="stSidebar"]').get_by_text("Satellite").click()
    _wait_url(page, "basemap=satellite")
    page.settle()
    assert page.api("window.borderviz.engine.map.getZoom()") == 12
    assert "zoom=12" in page.page.url
    # The share link carries all of it.
    page.page.get_by_test_id("stPopoverButton").click()
    link = page.page.locator('[data-testid="stCode"]').first.inner_text()
    for part in ("start=", "end=", "layers=", "basemap=satellite", "lat=39.99", "zoom=12"):
        assert part in link, (part, link)


def test_search_goes_to_a_place_on_the_map(page):
    page.open("?basemap=none")
    box = page.page.get_by_role("textbox", name="Find a place or incident")
    box.fill("Ворух")
    box.press("Enter")
    result = page.page.locator('[data-testid="stRadio"] label').filter(has_text="Vorukh").first
    result.wait_for(timeout=30_000)
    result.click()
    page.map.locator(".bv-found").wait_for(timeout=30_000)
    assert "Vorukh" in page.map.locator(".leaflet-tooltip").first.inner_text()
    assert page.api("window.borderviz.engine.map.getZoom()") >= 12


def test_a_row_of_the_incidents_table_opens_its_incident_on_the_map(page, frames):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    first = timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20")["id"].iloc[0]
    page.page.get_by_role("tab", name="Incidents").click()
    grid = page.page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)  # the first row's selection box
    page.frame.wait_for_function(f"() => window.borderviz.engine.opened === {json.dumps(first)}", timeout=30_000)
    assert first in page.map.locator(".leaflet-popup-content").inner_text()
    page.page.wait_for_function(  # the page went back up to the map
        f"() => {{ const r = document.querySelector({json.dumps(appdriver.MAP)}).getBoundingClientRect();"
        " return r.top > -200 && r.top < window.innerHeight / 2; }", timeout=10_000)


def test_on_a_phone_the_map_comes_first_and_fills_the_width(browser, server, artifacts):
    tab = appdriver.AppTab(browser, server, width=390, height=844)
    try:
        tab.open("?basemap=none")
        frame = tab.page.locator(appdriver.MAP).bounding_box()
        assert frame["width"] >= 370 and frame["y"] < 200
        search_box = tab.page.get_by_role("textbox", name="Find a place or incident").bounding_box()
        assert search_box["y"] > frame["y"] + frame["height"] - 5  # controls follow the map
        tab.page.screenshot(path=str(artifacts / "phone-390.png"))
    finally:
        tab.close()


def test_an_import_says_what_it_may_duplicate_and_opens_the_built_in_incident(page, tmp_path, frames):
    header = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
              "country,admin1,admin2,location,latitude,longitude,geo_precision,source,source_scale,notes,"
              "fatalities")
    builtin = timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-14").iloc[0]
    row = (f"TJK9001,2022-09-14,2022,1,Political violence,Battles,Armed clash,Military Forces,Tajikistan,"
           f"Sughd,Isfara,Khelison,{builtin.geometry.y:.5f},{builtin.geometry.x:.5f},1,Test outlet,National,"
           "Sample row written for a test,1")
    path = tmp_path / "acled-duplicate.csv"
    path.write_text(header + "\n" + row + "\n", encoding="utf-8")
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.page.locator('input[type="file"]').set_input_files(str(path))
    page.frame.wait_for_function("() => borderviz.engine.imported.length === 1", timeout=60_000)
    page.settle()
    notice = page.page.locator('[data-testid="stAlert"]').filter(has_text="Imported 1 incident from").first
    assert notice.bounding_box()["y"] < page.page.locator(appdriver.MAP).bounding_box()["y"]
    assert "1 may duplicate" in notice.inner_text()
    assert "Imported" in _metrics(page)  # the totals say what they include
    page.page.get_by_text("Check the 1 possible duplicates").click()
    button = page.page.get_by_role("button", name=f"Open {builtin['id']}")
    if not button.count():  # another built-in incident is as close: open the first listed
        button = page.page.get_by_role("button", name="Open 2022-09-1").first
    target = button.inner_text().removeprefix("Open ").strip()
    assert target in set(frames["incidents"]["id"])
    button.click()
    page.frame.wait_for_function(f"() => window.borderviz.engine.opened === {json.dumps(target)}", timeout=30_000)


@pytest.mark.parametrize("zoom", [9, 11])
def test_every_incident_can_be_opened_in_two_clicks_and_no_circle_hides_another(page, frames, zoom):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.api(f"borderviz.engine.map.setView([39.97, 70.3], {zoom}, {{animate: false}})")
    page.api("new Promise(r => setTimeout(r, 200))")
    listed, circles, overlaps = page.api(REACHABLE)
    war = timeline.in_range(frames["incidents"], "2022-09-14", "2022-09-20")
    in_view = page.api("borderviz.engine.markers.items.length")
    assert listed == in_view == len(war) and overlaps == 0
    # Click the circle holding most incidents: its list names each; one more click opens one in full.
    page.api("(() => { const m = borderviz.engine.markers.drawn.slice().sort((a, b) => b.bvItems.length - "
             "a.bvItems.length)[0]; borderviz.engine.map.setView(m.getLatLng(), borderviz.engine.map.getZoom(), "
             "{animate: false}); return 0; })()")
    biggest = page.api("Math.max(...borderviz.engine.markers.drawn.map(m => m.bvItems.length))")
    box = page.page.locator(appdriver.MAP).bounding_box()
    centre = page.api("(() => { const p = borderviz.engine.map.getSize(); return [p.x / 2, p.y / 2]; })()")
    page.page.mouse.click(box["x"] + centre[0], box["y"] + centre[1])
    popup = page.map.locator(".leaflet-popup-content")
    popup.wait_for()
    if biggest > 1:
        assert popup.locator("details.bv-item").count() == biggest
        popup.locator("details.bv-item summary").first.click()
    assert "Sources" in popup.inner_text()


def test_with_tiles_blocked_the_countries_show_and_the_map_says_so(page, artifacts):
    page.open("?basemap=streets")
    notice = page.map.locator(".bv-notice")
    notice.wait_for(timeout=30_000)
    assert "could not be loaded" in notice.inner_text()
    assert page.markers("path.bv-country") >= 3
    notice.get_by_role("button", name="Use “No tiles”").click()
    page.page.wait_for_function("() => location.search.includes('basemap=none')", timeout=30_000)
    page.page.screenshot(path=str(artifacts / "tiles-blocked.png"))


def test_an_open_popup_survives_a_filter_change_from_the_sidebar(page):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    page.api("borderviz.open('2022-09-16-dostuk-school')")
    assert page.map.locator(".leaflet-popup-content").count() == 1
    page.page.get_by_role("combobox", name="Location precision").click()
    page.page.get_by_role("option", name="approximate").click()
    page.page.keyboard.press("Escape")
    page.settle()
    assert "precisions=approximate" in page.page.url
    assert page.api("borderviz.engine.opened") == "2022-09-16-dostuk-school"
    assert page.map.locator(".leaflet-popup-content").count() == 1


def test_zoom_survives_a_basemap_change(page):
    page.open("?basemap=none")
    page.api("borderviz.engine.map.setView([39.87, 70.55], 12, {animate: false})")
    page.page.get_by_text("Satellite (Esri World Imagery)").click()
    page.settle()
    assert page.api("borderviz.engine.basemap") == "satellite"
    assert page.api("[borderviz.engine.map.getZoom(), borderviz.engine.map.getCenter().lat.toFixed(2)]") == \
        [12, "39.87"]


def test_the_legend_is_closed_on_a_phone_and_shown_in_full_screen(browser, server, artifacts):
    phone = appdriver.AppTab(browser, server, width=390, height=844)
    try:
        phone.open("?basemap=none")
        assert phone.api("document.querySelector('.bv-legend').open") is False
        phone.page.screenshot(path=str(artifacts / "phone.png"), full_page=True)
    finally:
        phone.close()


def test_full_screen_keeps_the_legend_and_the_brush(page):
    page.open("?basemap=none")
    page.map.locator(".leaflet-control-zoom-fullscreen").click()
    screen = "(document.fullscreenElement || document.querySelector('.leaflet-pseudo-fullscreen'))"
    page.frame.wait_for_function(f"() => {screen}")
    shown = page.api(f"(() => {{ const s = {screen}; return ['.bv-legend', '.bv-timebar', '.bv-title'].map("
                     "c => !!s.querySelector(c) && s.querySelector(c).getBoundingClientRect().height > 0); })()")
    assert shown == [True, True, True]


def test_the_map_saves_a_picture_with_its_dates(page, tmp_path):
    page.open("?basemap=none&start=2022-09-14&end=2022-09-20")
    assert "14 Sep 2022 – 20 Sep 2022" in page.map.locator(".bv-title").inner_text()
    with page.page.expect_download(timeout=60_000) as info:
        page.map.locator(".bv-picture a").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert saved.name == "borderviz-map-2022-09-14_2022-09-20.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


def _acled_csv(path: Path, n: int, seed: int = 9) -> pd.DataFrame:
    """An ACLED-style export of ``n`` generated events around Batken and Isfara, 2014–2026 (test data)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2014-01-01") + pd.to_timedelta(rng.integers(0, 4700, n), "D")
    frame = pd.DataFrame({
        "event_id_cnty": [f"KGZ{i}" for i in range(n)], "event_date": days.strftime("%Y-%m-%d"),
        "year": days.year, "time_precision": 1, "disorder_type": "Political violence",
        "event_type": rng.choice(["Battles", "Explosions/Remote violence", "Riots"], n),
        "sub_event_type": "Armed clash", "actor1": "Military Forces", "country": "Kyrgyzstan",
        "admin1": "Batken", "admin2": "Batken", "location": rng.choice(["Ak-Sai", "Kok-Tash", "Dostuk"], n),
        "latitude": rng.uniform(39.7, 40.2, n).round(4), "longitude": rng.uniform(69.6, 71.2, n).round(4),
        "geo_precision": 1, "source": "Generated for a test", "source_scale": "National",
        "notes": "generated test row", "fatalities": rng.integers(0, 3, n)})
    frame.to_csv(path, index=False)
    return frame


def test_a_100000_row_import_draws_and_brushes_and_its_export_too(page, browser, frames, tmp_path):
    path = tmp_path / "acled-100k.csv"
    generated = _acled_csv(path, 100_000)
    page.open("?basemap=none")
    builtin = page.count()
    page.page.locator('input[type="file"]').set_input_files(str(path))
    page.frame.wait_for_function(f"() => borderviz.count() === {builtin + 100_000}", timeout=120_000)
    window = ("2019-01-01", "2019-12-31")
    page.api(f"borderviz.setRange('{window[0]}', '{window[1]}')")
    in_window = int(generated["event_date"].between(*window).sum())
    builtin_in_window = len(timeline.in_range(frames["incidents"], *window))
    assert page.count() == in_window + builtin_in_window
    # The same selection as a file that opens from disk, brush included.
    imported = gpd.GeoDataFrame(generated.assign(
        id="acled-" + generated["event_id_cnty"], date_start=pd.to_datetime(generated["event_date"]),
        date_end=pd.to_datetime(generated["event_date"]), event_type="armed_clash",
        place_reported=generated["location"], location_precision="settlement",
        killed_total=generated["fatalities"], dataset="acled", country="KG"),
        geometry=gpd.points_from_xy(generated["longitude"], generated["latitude"]), crs=4326)
    bundle = formats.export({"incidents": frames["incidents"], "imported_incidents": imported}, "html",
                            {"from": "2014-01-01", "to": dt.date.today().isoformat()}, context=frames)
    html = tmp_path / "map.html"
    html.write_bytes(bundle.single()[1])
    tab = browser.new_page()
    tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    tab.goto(html.as_uri())
    tab.wait_for_function("window.borderviz && borderviz.count() > 0", timeout=60_000)
    assert tab.evaluate("borderviz.count()") == 100_000 + len(frames["incidents"])
    tab.evaluate(f"borderviz.setRange('{window[0]}', '{window[1]}')")
    assert tab.evaluate("borderviz.count()") == in_window + builtin_in_window
    tab.close()
