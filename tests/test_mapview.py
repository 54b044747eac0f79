"""GeoDataFrames to folium: a fixed base map and view-dependent groups of fixed shape."""

from __future__ import annotations

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
        html = _html(mapview.status_group(frames["border_status"], pd.Timestamp(day)))
        return {s for s in mapview.STATUS_STYLE if f"bv-status-{s}" in html}
    assert statuses("2022-09-20") == {"disputed", "not_documented"}
    assert statuses("2025-06-01") == {"agreed"}


def test_enclaves_follow_the_day(frames):
    def names(day):
        return _html(mapview.enclaves_group(frames["enclaves"], pd.Timestamp(day)))
    assert "Lolazor" in names("2024-01-01") and "Lolazor" not in names("2025-06-01")
    assert "Barak" in names("2022-01-01") and "Barak" not in names("2023-06-01")


def test_incidents_at_one_point_share_a_circle_with_a_count(make_incidents):
    inc = make_incidents([incident(id="a"), incident(id="b"), incident(id="c")],
                         [(70.5, 39.9), (70.5, 39.9), (70.7, 40.0)])
    html = _html(mapview.incidents_group(inc))
    assert html.count('"className": "bv-incident') == 2
    assert html.count('"className": "bv-count-icon"') == 1
    assert 'bv-count\\"\\u003e2\\u003c/span' in html


def test_approximate_places_are_drawn_hollow_and_dashed(make_incidents):
    inc = make_incidents([incident(location_precision="approximate")])
    html = _html(mapview.incidents_group(inc))
    assert '"dashArray": "3 3"' in html and '"fillOpacity": 0.25' in html


def test_marker_size_grows_with_killed_and_is_capped():
    assert mapview.marker_radius(None) == mapview.marker_radius(0) < mapview.marker_radius(4)
    assert mapview.marker_radius(10_000) == 20


def test_no_tiles_basemap_draws_countries_with_labels_inside_them(frames):
    countries = mapview.display_countries(frames["countries"])
    html = _html(mapview.basemap_group(countries, "none"))
    assert "tileLayer" not in html and "KYRGYZSTAN" in html and "TAJIKISTAN" in html
    assert "tile.openstreetmap.org" in _html(mapview.basemap_group(countries, "streets"))


def test_display_countries_keep_one_shared_edge(frames):
    simple = mapview.display_countries(frames["countries"]).set_index("country").geometry
    assert simple["KG"].intersection(simple["TJ"]).area < 1e-6
    assert shapely.get_num_coordinates(simple["KG"]) < shapely.get_num_coordinates(
        frames["countries"].query("vintage == 2024 and country == 'KG'").geometry.iloc[0])


def test_standalone_map_uses_local_assets(frames):
    html = mapview.standalone_map(frames, _view(frames, basemap="none")).get_root().render()
    assert "/app/static/vendor/leaflet/leaflet.js" in html and "cdn.jsdelivr" not in html
