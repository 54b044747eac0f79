"""A QGIS project (``.qgz``) beside the GeoPackage it draws: one double click to a styled, animated map.

``write(layers, prov, folder)`` writes ``borderviz.gpkg`` (:mod:`borderviz.io.writers.gpkg`, which also
stores the same project inside it) and ``borderviz.qgz``: every layer, styled in the app's colours, each
dated layer's temporal settings switched on (day-exact: :func:`borderviz.io.styling.temporal_expressions`),
and the project's time settings on the exported period in steps of a day
(:mod:`borderviz.io.qgis_project`). The project reads ``./borderviz.gpkg``; written to ``out.qgz`` the pair
becomes ``out.qgz`` and ``out.gpkg`` and the project is pointed at ``./out.gpkg``
(:func:`borderviz.io.formats.export_to`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from borderviz.io import qgis_project
from borderviz.io.writers import gpkg
from borderviz.io.writers.layer import Layer

NAME = "borderviz.qgz"


def write(layers: list[Layer], prov: dict[str, Any], folder: Path) -> list[str]:
    data = gpkg.write(layers, prov, folder)[0]
    qgs = qgis_project.geopackage_project(folder / data, [layer.name for layer in layers], prov)
    (folder / NAME).write_bytes(qgis_project.qgz_bytes(qgs))
    return [NAME, data]
