"""Leaflet and plugin files served by borderviz itself, never from a CDN.

folium points every map at CDNs by default; with no network the map is an
empty rectangle, and a third party sees every map a user opens. borderviz
ships the files under ``borderviz/maps/web/vendor`` (from the npm registry, with
their licences), and its own map engine under ``borderviz/maps/web``. In the
Streamlit app the component serves them (``borderviz.maps.component``); in a
standalone HTML export or a notebook map they are inlined, with CSS images
as data URIs, so the file works from disk.

>>> m = folium.Map()
>>> localise(m).default_js[0]
('leaflet', '/app/static/vendor/leaflet/leaflet.js')
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

import folium
from branca.element import Element
from folium import plugins

STATIC_DIR = Path(__file__).resolve().parent / "web"
VENDOR_DIR = STATIC_DIR / "vendor"
APP_BASE_URL = "/app/static"


# What each folium class needs, as files under web/vendor. jQuery, Bootstrap
# and Font Awesome, which folium also loads by default, serve folium's own
# popups and icons, which borderviz does not use (its popups are built by the
# engine), so none of them is loaded.
ASSETS: dict[type, dict[str, list[tuple[str, str]]]] = {
    folium.Map: {
        "js": [("leaflet", "vendor/leaflet/leaflet.js")],
        "css": [("leaflet_css", "vendor/leaflet/leaflet.css")],
    },
    plugins.MeasureControl: {
        "js": [("leaflet_measure_js", "vendor/leaflet-measure/leaflet-measure.js")],
        "css": [("leaflet_measure_css", "vendor/leaflet-measure/leaflet-measure.css")],
    },
    plugins.Fullscreen: {
        "js": [("Control.Fullscreen.js", "vendor/leaflet-fullscreen/Control.FullScreen.js")],
        "css": [("Control.FullScreen.css", "vendor/leaflet-fullscreen/Control.FullScreen.css")],
    },
}


def localise(element: Element, base_url: str = APP_BASE_URL) -> Element:
    """Point ``element`` (and its children) at the local copies instead of CDNs.

    Sets instance attributes only; folium's classes are left untouched.
    Raises KeyError for a JS/CSS-loading element borderviz has no copy of,
    so a new plugin cannot silently fall back to a CDN.
    """
    for item in _walk(element):
        if not (getattr(item, "default_js", None) or getattr(item, "default_css", None)):
            continue
        spec = next((v for k, v in ASSETS.items() if type(item) is k), None) or _own_assets(item)
        if spec is None:
            raise KeyError(f"no local assets for {type(item).__name__}; add them to borderviz.maps.assets")
        item.default_js = [(name, f"{base_url}/{path}") for name, path in spec["js"]]
        item.default_css = [(name, f"{base_url}/{path}") for name, path in spec["css"]]
    return element


def _own_assets(item: Element) -> dict[str, list[tuple[str, str]]] | None:
    """borderviz's own elements name files under web/ relative to it (e.g. the map engine)."""
    if not type(item).__module__.startswith("borderviz."):
        return None
    return {"js": list(type(item).default_js), "css": list(type(item).default_css)}


def _walk(element: Element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def local_links(element: Element) -> list[str]:
    """Every JS/CSS URL the element tree will load (for tests: none may be external)."""
    links = []
    for item in _walk(element):
        links += [u for _, u in getattr(item, "default_js", [])]
        links += [u for _, u in getattr(item, "default_css", [])]
    return links


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        target = match.group(1).strip("'\"")
        if target.startswith(("data:", "#", "http")):
            return match.group(0)
        return f"url({_data_uri((path.parent / target).resolve())})"

    return re.sub(r"url\(([^)]+)\)", replace, css)


def inline(html: str, base_url: str = APP_BASE_URL) -> str:
    """Replace script and stylesheet links to ``base_url`` with the files' contents.

    The result needs no server and no network (only map tiles do).
    """
    prefix = re.escape(base_url.rstrip("/"))

    def script(match: re.Match) -> str:
        js = (STATIC_DIR / match.group(1)).read_text(encoding="utf-8")
        return "<script>" + js.replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match) -> str:
        return "<style>" + _inline_css(STATIC_DIR / match.group(1)) + "</style>"

    html = re.sub(rf'<script src="{prefix}/([^"]+)"></script>', script, html)
    return re.sub(rf'<link rel="stylesheet" href="{prefix}/([^"]+)"\s*/>', style, html)
