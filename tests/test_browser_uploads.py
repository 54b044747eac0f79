"""Hostile uploads in a real browser: refused with a message, nothing runs, the server's memory stays flat.

Playwright uploads files through the app's own uploader (as a person would);
the server's resident memory is read from /proc before and after.
"""

from __future__ import annotations

import sys
import urllib.parse
from pathlib import Path

import pytest
from hostile_cases import RECURSIVE_VIEW, deeply_nested, gpkg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import appdriver  # noqa: E402

pytestmark = pytest.mark.browser
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
GOOD = b"id,date,place,latitude,longitude\na,2022-09-14,Vorukh,39.95,70.53\n"
HOSTILE_NAME = "{{ 7*7 }}<img src=x onerror=alert(1)>.csv"
HOSTILE_TEXT = b"id,date,place,latitude,longitude\nb,2022-09-15,{{ 7*191 }} <script>alert(2)</script>,39.9,70.5\n"


def server_rss_mb(url: str) -> float:
    """Resident memory of the `streamlit run` process serving ``url`` (its import children not counted)."""
    port = str(urllib.parse.urlparse(url).port)
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            if b"streamlit" in b" ".join(args) and port.encode() in args:
                status = (proc / "status").read_text()
                return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024
        except (OSError, StopIteration):
            continue
    raise AssertionError(f"no streamlit process on port {port}")


def upload(tab, name: str, data: bytes) -> None:
    tab.page.locator(UPLOADER).set_input_files(files=[{"name": name, "mimeType": "application/octet-stream",
                                                       "buffer": data}])
    tab.page.wait_for_timeout(500)
    tab.settle()


def notices_text(tab) -> str:
    """The import's result and problems, shown at the top of the page (above the map)."""
    return " ".join(a.inner_text() for a in tab.page.locator('[data-testid="stMain"] [data-testid="stAlert"], '
                                                              '[data-testid="stMain"] [data-testid="stCode"]').all())


def test_hostile_uploads_are_refused_nothing_runs_and_the_servers_memory_stays_flat(browser, server):
    tab = appdriver.AppTab(browser, server)
    try:
        tab.open("?basemap=none")
        upload(tab, "mine.csv", GOOD)
        assert "1 incident from mine.csv" in notices_text(tab)
        before = server_rss_mb(server)
        for name, data in (("evil.gpkg", gpkg(RECURSIVE_VIEW)()), ("deep.geojson", deeply_nested(100_000)())):
            upload(tab, name, data)
            text = notices_text(tab)
            assert f"{name} was not imported" in text and "still shows mine.csv" in text, text
        assert "is an SQL view" in notices_text(tab) or "too deeply" in notices_text(tab)
        upload(tab, HOSTILE_NAME, HOSTILE_TEXT)
        text = notices_text(tab)
        assert f"1 incident from {HOSTILE_NAME}" in text, text
        assert tab.dialogs == [], tab.dialogs
        after = server_rss_mb(server)
        print(f"server resident memory: {before:.0f} MB before the hostile uploads, {after:.0f} MB after")
        assert after - before < 150
    finally:
        tab.close()
