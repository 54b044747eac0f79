"""Take the README's screenshots from the running app: the September 2022 war, no tiles, an incident open.

    python scripts/screenshot.py    # writes docs/screenshot-desktop.png (1440 wide) and docs/screenshot-phone.png (390)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from appdriver import AppTab, chromium, serve_app  # noqa: E402

VIEW = "?basemap=none&start=2022-09-14&end=2022-09-20"
SHOTS = {"screenshot-desktop.png": (1440, 1000, VIEW + "&incident=2022-09-14-pasky-aryk"),
         "screenshot-phone.png": (390, 844, VIEW)}


def main() -> int:
    repo = HERE.parent
    with serve_app(repo) as url, chromium() as browser:
        for name, (width, height, query) in SHOTS.items():
            tab = AppTab(browser, url, width=width, height=height)
            tab.open(query)
            if "incident=" in query:
                tab.map.locator(".leaflet-popup-content").wait_for()
            tab.page.wait_for_timeout(1000)  # (not time.sleep: it would stall the request router)
            out = repo / "docs" / name
            tab.page.screenshot(path=str(out))
            tab.close()
            print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
