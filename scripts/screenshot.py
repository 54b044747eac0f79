"""Take the README's screenshot from the running app: the September 2022 war, no tiles, a popup open.

    python scripts/screenshot.py            # writes docs/screenshot.png
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from appdriver import AppTab, chromium, serve_app  # noqa: E402


def main() -> int:
    repo = HERE.parent
    out = repo / "docs" / "screenshot.png"
    with serve_app(repo) as url, chromium() as browser:
        tab = AppTab(browser, url, width=1500, height=1150)
        tab.open("?basemap=none&start=2022-09-14&end=2022-09-20")
        tab.click_visible("path.bv-incident", largest=True)
        tab.map.locator(".leaflet-popup-content").wait_for()
        time.sleep(1)
        tab.page.screenshot(path=str(out))
        tab.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
