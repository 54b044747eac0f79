"""GeoDataFrames to folium: a fixed base map and view-dependent groups of fixed shape."""

from __future__ import annotations

import json

import folium
import pandas as pd
import shapely
from conftest import incident
from streamlit_folium import generate_leaflet_string

from borderviz import mapview


def _html(group) -> str:
    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


def _view(frames, day="2022-09-20", **kw):
    return mapview.View(day=pd.Timestamp(day), incidents=kw.pop("incidents", frames["incidents"]), **kw)


def test_base_map_script_is_identical_on_every_build(frames):
    """streamlit-folium remounts the map when its script changes: the base must not change."""
    layers = frozenset(mapview.DEFAULT_LAYERS)
    assert generate_leaflet_string(mapview.base_map(frames, layers)) == \
        generate_leaflet_string(mapview.base_map(frames, layers))


def test_layers_that_never_change_live_in_the_base_map(frames):
    with_static = mapview.base_map(frames, frozenset({"differences", "infrastructure"})).get_root().render()
    assert "bv-difference" in with_static and "bv-infrastructure" in with_static
    assert "bv-line2017" not in with_static
    assert "bv-difference" not in mapview.base_map(frames, frozenset()).get_root().render()


def test_overlay_groups_keep_their_shape_when_layers_are_off(frames):
    on = mapview.overlay_groups(frames, _view(frames))
    off = mapview.overlay_groups(frames, _view(frames, layers=frozenset()))
    assert [g.layer_name for g in on] == [g.layer_name for g in off]
    assert all(len(g._children) == 0 for g in off[1:])


def test_status_follows_the_day(frames):
    def statuses(day):
        features = mapview.status_features(frames["border_status"], pd.Timestamp(day))
        return {f["properties"]["style"]["className"].split(" bv-status-")[1] for f in features}
    assert statuses("2022-09-20") == {"disputed", "not_documented"}
    assert statuses("2025-06-01") == {"agreed"}


def test_enclaves_follow_the_day(frames):
    def names(day):
        return json.dumps(mapview.enclave_features(frames["enclaves"], pd.Timestamp(day)))
    assert "Lolazor" in names("2024-01-01") and "Lolazor" not in names("2025-06-01")
    assert "Barak" in names("2022-01-01") and "Barak" not in names("2023-06-01")


def test_incidents_at_one_point_share_a_circle_with_a_count(make_incidents):
    inc = make_incidents([incident(id="a"), incident(id="b"), incident(id="c")],
                         [(70.5, 39.9), (70.5, 39.9), (70.7, 40.0)])
    features = mapview.incident_features(inc)
    circles = [f for f in features if "bv-incident" in f["properties"].get("style", {}).get("className", "")]
    badges = [f for f in features if f["properties"].get("icon", {}).get("className") == "bv-count-icon"]
    assert len(circles) == 2 and len(badges) == 1
    assert badges[0]["properties"]["icon"]["html"] == '<span class="bv-count">2</span>'
    assert badges[0]["properties"]["interactive"] is False
    assert "2 incidents placed at this point" in circles[0]["properties"]["popup"] + circles[1]["properties"]["popup"]


def test_approximate_places_are_drawn_hollow_and_dashed(make_incidents):
    inc = make_incidents([incident(location_precision="approximate")])
    style = mapview.incident_features(inc)[0]["properties"]["style"]
    assert style["dashArray"] == "3 3" and style["fillOpacity"] == 0.25


def test_marker_size_grows_with_killed_and_is_capped():
    assert mapview.marker_radius(None) == mapview.marker_radius(0) < mapview.marker_radius(4)
    assert mapview.marker_radius(10_000) == 20


def test_no_tiles_base_map_draws_countries_with_labels_inside_them(frames):
    background = {**frames, "countries": mapview.display_countries(frames["countries"])}
    html = mapview.base_map(background, frozenset(), "none").get_root().render()
    assert "tileLayer" not in html and "KYRGYZSTAN" in html and "TAJIKISTAN" in html
    assert "bv-country" not in mapview.base_map(background, frozenset(), "streets").get_root().render()
    assert "tile.openstreetmap.org" in _html(mapview.tiles_group("streets"))
    assert "tileLayer" not in _html(mapview.tiles_group("none"))


def test_display_countries_keep_one_shared_edge(frames):
    simple = mapview.display_countries(frames["countries"]).set_index("country").geometry
    assert simple["KG"].intersection(simple["TJ"]).area < 1e-6
    assert shapely.get_num_coordinates(simple["KG"]) < shapely.get_num_coordinates(
        frames["countries"].query("vintage == 2024 and country == 'KG'").geometry.iloc[0])


def test_standalone_map_uses_local_assets(frames):
    html = mapview.standalone_map(frames, _view(frames, basemap="none")).get_root().render()
    assert "/app/static/vendor/leaflet/leaflet.js" in html and "cdn.jsdelivr" not in html


def test_script_json_cannot_close_the_script_element(make_incidents):
    inc = make_incidents([incident(place_reported="</script><script>alert(1)</script>")])
    html = _html(mapview.incidents_group(inc))
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/div\\u003e" in html  # our own markup is \\u-escaped inside the script too


def test_static_layers_are_published_as_files_named_by_content(frames, tmp_path):
    background = {**frames, "countries": mapview.display_countries(frames["countries"])}
    urls = mapview.publish(background, tmp_path, "/app/static/generated")
    assert set(urls) == {"background", "differences", "line2017", "infrastructure", "status", "enclaves",
                         "crossings"}
    assert urls == mapview.publish(background, tmp_path, "/app/static/generated")
    for url in urls.values():
        data = (tmp_path / url.rsplit("/", 1)[1]).read_text(encoding="utf-8")
        assert data.startswith('{"type":"FeatureCollection"')
    remote = mapview.base_map(background, frozenset({"differences"}), "none", urls).get_root().render()
    assert "borderviz.fetchLayer" in remote and urls["differences"] in remote and urls["background"] in remote
    assert "bv-difference" not in remote  # the data is in the file, not the script


def test_state_features_carry_their_dates_for_the_browser(frames):
    every = mapview.status_features(frames["border_status"], None)
    assert len(every) == len(frames["border_status"])
    on_day = [f for f in every if (f["properties"]["from"] or "") <= "2022-09-20"
              and (f["properties"]["to"] is None or f["properties"]["to"] > "2022-09-20")]
    assert len(on_day) == len(mapview.status_features(frames["border_status"], pd.Timestamp("2022-09-20")))


def test_with_published_files_a_view_sends_only_the_day(frames, tmp_path):
    urls = mapview.publish({**frames, "countries": mapview.display_countries(frames["countries"])}, tmp_path, "/x")
    view = _view(frames, day="2022-09-20", incidents=frames["incidents"].iloc[0:0])
    html = "".join(_html(g) for g in mapview.overlay_groups(frames, view, urls))
    assert '"day":"2022-09-20"' in html and urls["status"] in html
    assert "bv-status" not in html
