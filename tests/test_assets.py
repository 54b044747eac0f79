"""The map loads Leaflet, its plugins and the engine from borderviz's own files, never a CDN."""

from __future__ import annotations

import re

import folium
import pytest

from borderviz.maps import assets, engine


def test_base_map_links_only_to_local_files():
    links = assets.local_links(engine.base_map())
    assert links and all(u.startswith("/app/static/") for u in links)
    assert "/app/static/engine.js" in links and "/app/static/brush.js" in links
    for url in links:
        assert (assets.STATIC_DIR / url.removeprefix("/app/static/")).is_file()


def test_rendered_html_names_no_external_script_or_stylesheet():
    html = engine.base_map().get_root().render()
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="https?://', html)


def test_the_component_page_loads_every_engine_file_from_the_package():
    page = (assets.STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for name in engine.ENGINE_JS:
        assert f'<script src="{name}"></script>' in page
        assert (assets.STATIC_DIR / name).is_file()
    assert "http" not in page


def test_an_element_without_local_copies_is_refused():
    m = folium.Map()
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(KeyError, match="MarkerCluster"):
        assets.localise(m)


def test_inline_embeds_scripts_and_css_images():
    inlined = engine.html_document(engine.base_map())
    assert "/app/static/" not in inlined
    assert "data:image/png;base64," in inlined  # leaflet-measure icons
    assert "bvx.attach(" in inlined and "L.map" in inlined


def test_vendored_files_keep_their_licences():
    for package in ("leaflet", "leaflet-measure", "leaflet-fullscreen", "html-to-image"):
        folder = assets.VENDOR_DIR / package
        assert any(p.name.upper().startswith("LICENSE") for p in folder.iterdir()), package
