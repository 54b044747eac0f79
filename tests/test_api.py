"""The public API in borderviz/__init__.py: load, incidents, map, and lazy submodules."""

from __future__ import annotations

import subprocess
import sys

import pytest

import borderviz
from borderviz.model import timeline


def test_submodules_are_reachable_after_a_bare_import():
    code = ("import sys, borderviz\nassert 'pandas' not in sys.modules\n"
            "print(borderviz.layers.data_dir().name, borderviz.schema.LAYERS['incidents'].file)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["data", "incidents.geojson"]
    with pytest.raises(AttributeError):
        borderviz.no_such_module  # noqa: B018


def test_incidents_select_as_the_app_does(frames):
    chosen = borderviz.incidents("2022-09-14", "2022-09-20", types=["armed_clash"], countries=["KG"], frames=frames)
    expected = timeline.filter_incidents(frames["incidents"], "2022-09-14", "2022-09-20",
                                         timeline.IncidentFilter(("armed_clash",), ("KG",)))
    assert list(chosen["id"]) == list(expected["id"]) and len(chosen) > 0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="types: unknown 'bombing'"):
        borderviz.incidents(types=["bombing"], frames={"incidents": None})
    with pytest.raises(ValueError, match="is after"):
        borderviz.incidents("2022-01-02", "2022-01-01", frames={"incidents": None})
    with pytest.raises(ValueError, match="basemap: unknown 'moon'"):
        borderviz.map(basemap="moon")


def test_the_notebook_map_inlines_its_assets_for_jupyter_and_save(frames, tmp_path):
    m = borderviz.map("2022-09-14", "2022-09-20", basemap="none", frames=frames)
    m.save(tmp_path / "map.html")
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "/app/static" not in html and "leaflet" in html.lower()
    assert '<script src="' not in html and '<link rel="stylesheet" href="' not in html
    notebook = m._repr_html_()
    assert "/app/static" not in notebook and "srcdoc" in notebook


def test_load_reads_the_shipped_layers(frames):
    assert set(borderviz.load()) == set(frames)


# A notebook cell holding the default map: 1,104,103 bytes before the engine's packets were base64 once
# (not again inside a base64 JSON), 969,771 after (measured here; the vendored Leaflet, leaflet-measure and
# the engine's scripts are ~480 kB of it, the data ~400 kB).
NOTEBOOK_CELL_BUDGET = 1_000_000


def _engine_options(html: str) -> dict:
    import html as html_module
    import re

    from borderviz.maps import engine

    text = html_module.unescape(html)
    return engine.decode_options(re.search(r'bvx\.attach\(map_\w+, "([A-Za-z0-9+/=.]+)"\)', text).group(1))


def test_a_notebook_cell_stays_within_its_budget(frames):
    cell = borderviz.map(frames=frames)._repr_html_()
    assert len(cell.encode("utf-8")) < NOTEBOOK_CELL_BUDGET
    fewer = borderviz.map(layers=["status", "incidents"], frames=frames)._repr_html_()
    assert len(fewer.encode("utf-8")) < len(cell.encode("utf-8")) - 40_000  # only the layers asked for


def test_map_takes_explores_width_height_and_tiles(frames):
    import xyzservices

    m = borderviz.map(frames=frames, width=800, height=500, tiles=xyzservices.providers.OpenTopoMap)
    cell = m._repr_html_()
    assert cell.startswith("<iframe") and 'width="800px" height="500px"' in cell
    assert (m.width, m.height) == ((800.0, "px"), (500.0, "px"))
    options = _engine_options(cell)
    from borderviz.maps import packet

    config = packet.unpack(options["config"])[0]
    assert options["state"]["basemap"] == "custom"
    assert config["basemaps"]["custom"]["url"].startswith("https://") and "OpenTopoMap" in config["basemaps"][
        "custom"]["label"]
    url = borderviz.map(frames=frames, tiles="https://tiles.example.org/{z}/{x}/{y}.png", attr="© Example")
    config = packet.unpack(_engine_options(url._repr_html_())["config"])[0]
    assert config["basemaps"]["custom"] == {"label": "custom", "url": "https://tiles.example.org/{z}/{x}/{y}.png",
                                            "attribution": "© Example", "maxZoom": 18}
    assert borderviz.map(frames=frames, tiles="none") is not None  # a basemap key works as tiles too
    with pytest.raises(ValueError, match="needs attr"):
        borderviz.map(frames=frames, tiles="https://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(ValueError, match="no basemap or xyzservices provider named 'moon'"):
        borderviz.map(frames=frames, tiles="moon")


def test_map_draws_onto_a_folium_map_of_yours(frames, tmp_path):
    import folium

    mine = folium.Map(location=[40.0, 71.0], zoom_start=8)
    folium.Marker([40.0, 71.0], tooltip="mine").add_to(mine)
    assert borderviz.map("2022-09-14", "2022-09-20", frames=frames, m=mine) is mine
    mine.save(tmp_path / "mine.html")
    html = (tmp_path / "mine.html").read_text(encoding="utf-8")
    assert "bvx.attach(" in html and "/app/static" not in html  # the engine inlined
    assert "L.marker" in html and "[40.0, 71.0]" in html  # yours kept, with its view
    assert _engine_options(html)["state"]["basemap"] == "none"  # your tiles, not a second basemap
