"""Every string from data reaches the map escaped for HTML and for JS template literals."""

from __future__ import annotations

import pytest
from conftest import incident

from borderviz.maps import popups

HOSTILE = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "`${alert(3)}`",
           "\\`${alert(4)}", "Ворух — «Кок-Таш»"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_leaves_no_markup_or_template_syntax(text):
    out = popups.escape(text)
    for bad in ("<", ">", "`", "${", "\\"):
        assert bad not in out
    assert "Ворух" in popups.escape("Ворух")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>", "//evil.example", "ftp://x/y"])
def test_only_http_links_are_made(url):
    assert popups.safe_url(url) is None
    assert "<a" not in popups.link(url, "label")


def test_incident_popup_escapes_every_field(make_incidents):
    row = make_incidents([incident(place_reported=HOSTILE[0], description=HOSTILE[2], district=HOSTILE[1],
                                   sources=[{"publisher": HOSTILE[3], "title": HOSTILE[0],
                                             "url": "https://example.org/?q=<x>"}])]).iloc[0]
    html = popups.incident_popup(row)
    assert "<img" not in html and "<script" not in html and "${" not in html and "`" not in html
    assert 'href="https://example.org/?q=&lt;x&gt;"' in html
    assert "Test ministry" in html and "Sources" in html


def test_grouped_popup_lists_every_incident(make_incidents):
    frame = make_incidents([incident(id="a"), incident(id="b", date_start="2021-05-01", date_end="2021-05-01")])
    rows = [r for _, r in frame.iterrows()]
    html = popups.incidents_popup(rows)
    assert "2 incidents placed at this point" in html and "id a" in html and "id b" in html
    assert "2 incidents here" in popups.incidents_tooltip(rows)


def test_the_export_panel_is_a_readable_list_not_json():
    from borderviz.io import formats

    prov = formats.provenance(["incidents", "border_status"],
                              {"from": "2022-09-14", "to": "2022-09-20", "types": "armed_clash,shooting",
                               "countries": "KG", "min_killed": "0", "note": HOSTILE[0]})
    html = popups.export_panel_html(prov)
    assert "{" not in html and '"from"' not in html
    for text in ("From: 14 Sep 2022", "To: 20 Sep 2022", "Event types: Armed clash, Shooting", "Where: Kyrgyzstan",
                 "Layers: Incidents, Border status over time", "OpenStreetMap"):
        assert text in html, text
    assert "At least this many killed" not in html  # 0 is no filter
    assert "<img" not in html
