"""The map in Streamlit: a small component of borderviz's own, carrying state both ways.

streamlit-folium sends the whole map's script on every change and cannot
return a custom value; this component sends folium's frame once, each data
packet once (bytes, only while the browser does not hold it), and after
that only the view: dates, filters, layers, basemap. It returns what the
user did on the map (the brushed dates on release, the centre and zoom),
so the rest of the app follows the brush. Its files are ``borderviz/maps/web``
(``index.html`` + the engine), served by Streamlit from the package itself:
no CDN, no static folder, the same in a checkout and an installed wheel.

>>> value = map_component(config_blob, packets, state, seq=0)  # doctest: +SKIP
>>> value["range"]                                            # doctest: +SKIP
['2022-09-14', '2022-09-20']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from borderviz.maps import engine, packet
from borderviz.maps.assets import STATIC_DIR

HEIGHT = 760
_component = components.declare_component("borderviz_map", path=str(STATIC_DIR))


@lru_cache(maxsize=1)
def frame() -> dict[str, str]:
    """Folium's map frame (no data), with the asset links left out: index.html loads the assets."""
    m = engine.base_map()
    parts = engine.frame_parts(m)
    head = m.get_root().header.render()
    styles = "".join(re.findall(r"<style>.*?</style>", head, flags=re.S))
    return {"html": styles + parts["html"], "script": parts["script"]}


def map_component(config_blob: bytes, packets: Sequence[bytes], state: Mapping[str, Any], *, seq: int,
                  key: str = "map", height: int = HEIGHT) -> dict[str, Any] | None:
    """Draw the map; return the browser's last report ({have, range, view, basemap, n}) or None.

    ``seq`` changes whenever the app (sidebar, URL) changes ``state``: only
    then does the map apply it, so a brush in progress is never overridden.
    """
    previous = st.session_state.get(key) or {}
    have = set(previous.get("have") or ())
    names = [packet.digest(config_blob), *(packet.digest(b) for b in packets)]
    extra = {f"p{k}": (blob if names[k + 1] not in have else None) for k, blob in enumerate(packets)}
    parts = frame()
    return _component(frame_html=parts["html"], frame_script=parts["script"], config_name=names[0],
                      config=config_blob if names[0] not in have else None, packet_names=names[1:],
                      state=dict(state), seq=seq, height=height, key=key, default=None, **extra)
