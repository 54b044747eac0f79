"""Drive the real app in Debian's Chromium: used by the browser tests and the README screenshot.

    with serve_app(repo) as url, chromium() as browser:
        tab = AppTab(browser, url)
        tab.open("?basemap=none")
        tab.markers()        # incident circles drawn

Every tab is offline except for the app itself: requests to other hosts are
aborted and recorded in ``tab.external``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What Chromium needs to run headless here: without the networking flags it
# tries Google's hosts at every start and this machine's closed network refuses them.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
MAP = 'iframe[title="borderviz.maps.component.borderviz_map"]'
LOCAL = ("http://localhost", "http://127.0.0.1", "data:", "blob:", "file:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(repo: Path, timeout_s: float = 90) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port; yield its URL once healthy."""
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BORDERVIZ_DATA", None)
    log = Path(tempfile.mkdtemp(prefix="borderviz-app-")) / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(repo / "app.py"), "--server.headless", "true",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=repo, stdout=out, stderr=subprocess.STDOUT, env=env)
        url = f"http://localhost:{port}"
        deadline = time.time() + timeout_s
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    proc.kill()
                    raise RuntimeError(f"streamlit did not start:\n{log.read_text()}") from None
                time.sleep(0.5)
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium under Playwright (Playwright's own browser downloads are not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class AppTab:
    """A browser tab on the app, offline but for the app, recording what it tried to fetch."""

    def __init__(self, browser, url: str, width: int = 1400, height: int = 1000):
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self.url = url
        self.external: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def open(self, query: str = "") -> None:
        self.page.goto(f"{self.url}/{query}", wait_until="domcontentloaded", timeout=90_000)
        self.map.locator(".leaflet-container").wait_for(timeout=90_000)
        self.frame.wait_for_function("() => window.borderviz && window.borderviz.engine.config", timeout=90_000)
        self.settle()

    @property
    def map(self):
        return self.page.frame_locator(MAP)

    @property
    def frame(self):
        """The map's frame, for calling its JavaScript API (window.borderviz)."""
        return self.page.locator(MAP).element_handle().content_frame()

    def api(self, expression: str):
        """Evaluate ``expression`` in the map's frame (awaiting it if it is a Promise)."""
        return self.frame.evaluate(f"async () => await ({expression})")

    def settle(self, quiet_s: float = 1.5) -> None:
        """Wait until Streamlit has finished running and the map has stopped changing."""
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
        last, stable_since = None, time.time()
        while time.time() - stable_since < quiet_s:
            count = (self.markers(), self.count())
            if count != last:
                last, stable_since = count, time.time()
            self.page.wait_for_timeout(250)  # (time.sleep would stall the request router)

    def markers(self, css: str = "path.bv-incident") -> int:
        return self.map.locator(css).count()

    def count(self) -> int:
        """Incidents drawn, built-in and imported (the map's own count)."""
        return self.api("window.borderviz ? window.borderviz.count() : -1")

    def click_latlng(self, lat: float, lon: float) -> None:
        """Click the map where (lat, lon) is drawn, as a person would."""
        box = self.page.locator(MAP).bounding_box()
        point = self.api(f"(() => {{ const p = window.borderviz.engine.map.latLngToContainerPoint([{lat}, {lon}]);"
                         " return [p.x, p.y]; })()")
        self.page.mouse.click(box["x"] + point[0], box["y"] + point[1])

    def click_visible(self, css: str, largest: bool = False) -> None:
        """Click the first (or largest) of ``css`` a person could click: on the map, not under the legend."""
        frame_box = self.page.locator(MAP).bounding_box()
        legend = self.map.locator(".bv-legend").bounding_box()
        boxes = [b for b in (e.bounding_box() for e in self.map.locator(css).all()) if b]
        if largest:
            boxes.sort(key=lambda b: -b["width"])
        for box in boxes:
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            inside = (frame_box["x"] + 40 < x < frame_box["x"] + frame_box["width"] - 60
                      and frame_box["y"] + 40 < y < frame_box["y"] + frame_box["height"] - 40)
            under_legend = legend and (legend["x"] <= x <= legend["x"] + legend["width"]
                                       and legend["y"] <= y <= legend["y"] + legend["height"])
            if inside and not under_legend:
                self.page.mouse.click(x, y)
                return
        raise AssertionError(f"no visible {css} to click")

    def external_hosts(self) -> set[str]:
        return {u.split("/")[2] for u in self.external}

    def close(self) -> None:
        self.context.close()
