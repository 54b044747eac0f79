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
