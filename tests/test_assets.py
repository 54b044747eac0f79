"""The map loads Leaflet and its plugins from borderviz's own files, never a CDN."""

from __future__ import annotations

import re

import folium
import pytest

from borderviz import assets, mapview


def test_base_map_links_only_to_local_files():
    links = assets.local_links(mapview.base_map())
    assert links and all(u.startswith("/app/static/") for u in links)
    assert "/app/static/renderer.js" in links
    for url in links:
        assert (assets.STATIC_DIR / url.removeprefix("/app/static/")).is_file()


def test_rendered_html_names_no_external_script_or_stylesheet():
    html = mapview.base_map().get_root().render()
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)


def test_an_element_without_local_copies_is_refused():
    m = folium.Map()
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(KeyError, match="MarkerCluster"):
        assets.localise(m)


def test_inline_embeds_scripts_and_css_images():
    html = mapview.base_map().get_root().render()
    inlined = assets.inline(html)
    assert "/app/static/vendor" not in inlined
    assert "data:image/png;base64," in inlined  # leaflet-measure icons
    assert "L.Map" in inlined or "L.map" in inlined


def test_vendored_files_keep_their_licences():
    for package in ("leaflet", "jquery", "leaflet-measure", "leaflet-fullscreen"):
        folder = assets.VENDOR_DIR / package
        assert any(p.name.upper().startswith("LICENSE") for p in folder.iterdir()), package
