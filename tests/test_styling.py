"""Styles for KML and QGIS follow the app's colours, and cover every value of their column."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from borderviz.io import styling
from borderviz.maps import mapview
from borderviz.model.schema import ALL_SPECS, BORDER_STATUSES, EVENT_TYPES

STYLED = [n for n, s in ALL_SPECS.items() if s.geometry]


@pytest.mark.parametrize("layer", STYLED)
def test_every_layer_with_geometry_has_a_style_with_valid_documents(layer):
    style = styling.layer_style(layer)
    ET.fromstring(styling.qml(layer))
    ET.fromstring(styling.sld(layer).encode())
    assert len({s.key for s in style.all_symbols()}) == len(style.all_symbols())
    if style.column:
        assert style.column in ALL_SPECS[layer].columns


@pytest.mark.parametrize("layer", STYLED)
def test_every_value_the_schema_allows_has_its_own_symbol(layer):
    style = styling.layer_style(layer)
    if style.column is None:
        return
    choices = ALL_SPECS[layer].field(style.column).choices
    if choices:  # "other" (imported data) takes the default symbol, labelled so
        assert set(choices) - set(style.symbols) <= {style.default.label}, set(choices) - set(style.symbols)


def test_colours_are_the_apps():
    assert {t: styling.layer_style("incidents").symbols[t].fill for t in EVENT_TYPES} == mapview.EVENT_COLORS
    for status in BORDER_STATUSES:
        symbol = styling.layer_style("border_status").symbols[status]
        assert (symbol.stroke, symbol.width) == (mapview.STATUS_STYLE[status]["color"],
                                                 mapview.STATUS_STYLE[status]["weight"])


def test_dated_layers_say_whether_their_last_day_is_included():
    assert styling.end_inclusive("incidents") is True
    assert styling.end_inclusive("border_status") is False
    # QGIS's frames include their start and exclude their end (limitMode 0); an inclusive last day
    # ends at the next midnight, an exclusive one at its own (the expressions, not the fields: day-exact).
    incidents = ET.fromstring(styling.qml("incidents")).find("temporal")
    status = ET.fromstring(styling.qml("border_status")).find("temporal")
    assert (incidents.get("mode"), incidents.get("limitMode"), status.get("limitMode")) == ("4", "0", "0")
    assert "make_interval(days:=1)" in incidents.get("endExpression")
    assert "make_interval" not in status.get("endExpression")
    assert incidents.get("startExpression") == 'coalesce(to_datetime("date_start"), make_datetime(1000,1,1,0,0,0))'
    assert ET.fromstring(styling.qml("countries")).find("temporal") is None


def test_styles_follow_a_files_field_names():
    names = {"event_type": "evt", "date_start": "d0", "date_end": "d1"}
    qml = ET.fromstring(styling.qml("incidents", names))
    assert qml.find("renderer-v2").get("attr") == "evt"
    assert '"d0"' in qml.find("temporal").get("startExpression") and '"d1"' in qml.find("temporal").get("endExpression")
    assert "<ogc:PropertyName>evt</ogc:PropertyName>" in styling.sld("incidents", names)
