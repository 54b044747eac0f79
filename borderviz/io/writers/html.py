"""The standalone HTML map: exactly the exported layers, with the brush, Play and popups working from disk.

``write(frames, prov, folder, view=None, context=None)`` writes
``borderviz-map.html``. Unlike the other writers it takes the layers as
frames (an import's Arrow table is turned into its frame, whose columns stay
in Arrow), because the map is built by :mod:`borderviz.maps.engine`:
incidents travel as packets of typed columns (:mod:`borderviz.maps.points`),
never through a template; the provenance panel is added after folium has
rendered, from escaped text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from borderviz.maps.mapview import MAP_LAYER_OF, to_json
from borderviz.maps.popups import export_panel_html
from borderviz.model.layers import load_all
from borderviz.model.schema import LAYERS

NAME = "borderviz-map.html"


def _frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pa.Table):
        from borderviz.io.mapping import to_frame

        return to_frame(data)
    return data


def write(frames: Mapping[str, Any], prov: dict[str, Any], folder: Path, view: Any = None,
          context: Mapping[str, pd.DataFrame] | None = None) -> list[str]:
    """``view`` (a :class:`borderviz.maps.engine.MapState`) gives the opening window, filters and basemap;
    otherwise the export's own dates. ``context`` is every layer as loaded (from data/ when not given)."""
    from borderviz.maps.engine import MapState, build_map, html_document
    from borderviz.model.schema import RECORD_START

    frames = {name: _frame(data) for name, data in frames.items()}
    context = context if context is not None else load_all()
    base = {**context, **{name: frame for name, frame in frames.items() if name in LAYERS}}
    base["incidents"] = frames.get("incidents", context["incidents"].iloc[0:0])
    wanted = tuple(dict.fromkeys(MAP_LAYER_OF[n] if n != "imported_incidents" else "incidents"
                                 for n in frames if n in MAP_LAYER_OF or n == "imported_incidents"))
    if view is None:
        start = dt.date.fromisoformat(prov["filters"].get("from") or RECORD_START.isoformat())
        end = dt.date.fromisoformat(prov["filters"].get("to") or dt.date.today().isoformat())
        view = MapState(start=start, end=end, basemap="none")
    state = MapState(**{**view.__dict__, "layers": wanted})
    imported = [frames["imported_incidents"]] if "imported_incidents" in frames else []
    m = build_map(base, state, imported, layers=wanted, last=max(dt.date.today(), state.end))
    html = html_document(m)
    html = html.replace("</body>", f'{export_panel_html(prov)}<script type="application/json" '
                                   f'id="borderviz-provenance">{to_json(prov)}</script></body>', 1)
    (folder / NAME).write_bytes(html.encode("utf-8"))
    return [NAME]
