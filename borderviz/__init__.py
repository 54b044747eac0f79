"""borderviz: an interactive, sourced map of the Kyrgyzstan–Tajikistan border conflict.

The package is organised one concern per module:

- :mod:`borderviz.schema`: columns, types and vocabularies of every layer, as data
- :mod:`borderviz.layers`: load and validate layers from ``data/``
- :mod:`borderviz.checks`: facts that must hold between layers
- :mod:`borderviz.timeline`: pure date and attribute filters
- :mod:`borderviz.status`: the border's status and official figures on a day
- :mod:`borderviz.casualties`: casualty figures by side and source
- :mod:`borderviz.popups`: the only place HTML is built (everything escaped)
- :mod:`borderviz.mapview`: layers to a folium map (no Streamlit)
- :mod:`borderviz.assets`: Leaflet and plugin files served locally (no CDN)
- :mod:`borderviz.formats`: export and import, and what each format keeps
- :mod:`borderviz.cli`: the ``borderviz`` command
"""

__version__ = "0.1.0"
