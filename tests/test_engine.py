"""The engine's Python side: folium builds the frame, and no text from data ever passes a template.

Template injection is impossible by construction: every folium element borderviz
defines renders only names, numbers and base64 (checked below over every
element class), and the data travels in packets. The tests put template syntax
into every text field and file name and check it comes out literally.
"""

from __future__ import annotations

import inspect
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
from branca.element import MacroElement

from borderviz.io import formats
from borderviz.maps import engine, mapview, packet

TEMPLATE_ATTACKS = ["{{ 7*191 }}", "{% for x in range(3) %}{{ x }}{% endfor %}", "{# comment", "{% raw %}",
                    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
                    "{{constructor.constructor('alert(1)')()}}"]
HOSTILE = " ".join(TEMPLATE_ATTACKS)


def _options(html: str) -> dict:
    encoded = re.search(r'bvx\.attach\(map_\w+, "([A-Za-z0-9+/=.]+)"\)', html).group(1)
    return engine.decode_options(encoded)


def _packets(html: str) -> list[dict]:
    opts = _options(html)
    return [packet.unpack(b)[0] for b in [opts["config"], *opts["packets"]]]


def _imported(n: int = 2) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"{HOSTILE}-{i}" for i in range(n)], "date_start": pd.Timestamp("2022-09-16"),
         "date_end": pd.Timestamp("2022-09-16"), "date_precision": "day", "event_type": "armed_clash",
         "place_reported": HOSTILE, "description": HOSTILE, "dataset": "generic", "source_id": HOSTILE,
         "location_precision": "settlement", "killed_total": 1, "country": "KG",
         "possible_duplicate_of": None, "sources": [[{"publisher": HOSTILE, "url": "https://example.org"}]] * n},
        geometry=gpd.points_from_xy([70.9] * n, [39.9] * n), crs=4326)


def test_every_borderviz_folium_element_renders_only_names_and_base64():
    from borderviz.maps import component  # noqa: F401  (import every module that defines elements

    classes = [c for module in (engine, mapview) for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, MacroElement) and c.__module__.startswith("borderviz")]
    assert engine.Engine in classes
    for cls in classes:
        names = set(re.findall(r"\{\{\s*([^}]+?)\s*\}\}", inspect.getsource(cls)))
        assert names <= {"this._parent.get_name()", "this.options"}, (cls.__name__, names)


def test_engine_options_must_be_base64():
    element = engine.Engine()
    assert engine.OPTIONS.match(element.options) and not set(element.options) & set("{}%#")


def test_template_syntax_in_an_import_comes_out_literally_in_the_html_export(frames):
    html = formats.export({"incidents": frames["incidents"], "imported_incidents": _imported()}, "html",
                          {"from": "2022-09-14", "to": "2022-09-20", "file": "{{ 7*7 }}.csv"},
                          context=frames).files["borderviz-map.html"].decode("utf-8")
    clean = formats.export({"incidents": frames["incidents"]}, "html", {"from": "2022-09-14", "to": "2022-09-20"},
                           context=frames).files["borderviz-map.html"].decode("utf-8")

    def readable(text: str) -> str:  # the page without its base64 (which may hold any digits by chance)
        return re.sub(r"[A-Za-z0-9+/=]{200,}", "", text)
    assert readable(html).count("1337") == readable(clean).count("1337")  # (vendored code has its own)
    assert "uid=0(" not in html and "TemplateSyntaxError" not in html
    config, builtin, imported = _packets(html)
    assert imported["places"] == [HOSTILE] and imported["ids"][0].startswith(HOSTILE)
    assert imported["descriptions"] == [HOSTILE, HOSTILE]
    provenance = json.loads(re.search(r'id="borderviz-provenance">(.*?)</script>', html).group(1))
    assert provenance["filters"]["file"] == "{{ 7*7 }}.csv"


@pytest.mark.parametrize("attack", TEMPLATE_ATTACKS)
def test_template_syntax_in_the_data_itself_is_never_evaluated(frames, attack):
    hostile = frames["incidents"].assign(place_reported=attack, description=attack)
    crossings = frames["crossings"].assign(name=attack, note=attack)
    m = engine.build_map({**frames, "incidents": hostile, "crossings": crossings})
    html = m.get_root().render()  # must not raise TemplateSyntaxError either
    config, builtin = _packets(html)
    assert {r["place_reported"] for r in builtin["rows"]} == {attack}
    assert attack in json.dumps(config["layers"]["crossings"], ensure_ascii=False) or \
        attack.replace("'", "&#x27;") in json.dumps(config["layers"]["crossings"], ensure_ascii=False)


def test_the_map_opens_on_the_state_it_is_given(frames):
    state = engine.MapState.default(basemap="streets", types=("shooting",))
    opts = _options(engine.build_map(frames, state).get_root().render())
    assert opts["state"]["basemap"] == "streets" and opts["state"]["filters"]["types"] == ["shooting"]


def test_the_config_holds_every_interval_of_the_state_layers(frames):
    config = engine.config(frames, pd.Timestamp("2014-01-01").date(), pd.Timestamp("2026-01-01").date())
    assert len(config["layers"]["status"]["features"]) == len(frames["border_status"])
    assert config["layers"]["status"]["state"] and not config["layers"]["differences"]["state"]
    assert {p["key"] for p in config["presets"]} >= {"all", "war-2021-04", "war-2022-09"}
    assert len(config["marks"]) == len(frames["timeline_events"])


def test_the_frame_is_the_same_on_every_build():
    first, second = engine.frame_parts(engine.base_map()), engine.frame_parts(engine.base_map())
    assert first == second
