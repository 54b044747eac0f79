"""What QGIS reads from borderviz's files: run by Debian's /usr/bin/python3 with python3-qgis, not the venv.

Reads a JSON request on stdin and prints one JSON answer on stdout (tests/test_qgis.py asks and checks):

    {"targets": [{"kind": "layer", "uri": "x.gpkg|layername=incidents", "name": "incidents", "reload": true},
                 {"kind": "delimitedtext", "uri": "file:///x.csv?type=csv&detectTypes=yes", "name": "incidents"},
                 {"kind": "project", "path": "x.qgz" or "geopackage:/x.gpkg?projectName=borderviz"}],
     "days": ["2022-09-14", ...]}

For each layer: valid, feature count, renderer (type, column, categories), fields and their types, the
temporal settings as loaded (active, mode, expressions) and, for each day, the ids QGIS draws in that
day's frame: every feature when the layer's temporal settings are off (QGIS does not filter it), else
those its temporal filter keeps (what the map renderer asks the provider for). For a project the frame
is the time controller's (QgsTemporalNavigationObject on the project's range and step) and the project's
time settings are reported. With ``reload``, the layer's default style is loaded a second time and
the layer described again (``reloaded``). Headless: QT_QPA_PLATFORM=offscreen; ends with os._exit(0), since
exitQgis() crashes there.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsDateTimeRange,
    QgsFeatureRequest,
    QgsInterval,
    QgsProject,
    QgsTemporalNavigationObject,
    QgsVectorLayer,
    QgsVectorLayerTemporalContext,
)
from qgis.PyQt.QtCore import QDate, QDateTime, Qt, QTime  # noqa: E402


def day_range(day):
    d = QDate.fromString(day, "yyyy-MM-dd")
    return QgsDateTimeRange(QDateTime(d, QTime(0, 0)), QDateTime(d.addDays(1), QTime(0, 0)), True, False)


def ids_in(layer, frame):
    props = layer.temporalProperties()
    id_field = "id" if layer.fields().indexOf("id") >= 0 else None
    if not props.isActive():
        request = QgsFeatureRequest()
    else:
        if not props.isVisibleInTemporalRange(frame):
            return []
        context = QgsVectorLayerTemporalContext()
        context.setLayer(layer)
        expression = props.createFilterString(context, frame)
        request = QgsFeatureRequest().setFilterExpression(expression) if expression else QgsFeatureRequest()
    return sorted(str(f[id_field]) if id_field else str(f.id()) for f in layer.getFeatures(request))


def describe(layer, frames):
    renderer = layer.renderer() if layer.isSpatial() else None
    info = {"valid": layer.isValid(), "name": layer.name(), "features": layer.featureCount(),
            "fields": {f.name(): f.typeName() for f in layer.fields()}, "renderer": None}
    if renderer is not None:
        info["renderer"] = {"type": renderer.type(),
                            "column": renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
                            "categories": [str(c.value()) for c in renderer.categories()]
                            if hasattr(renderer, "categories") else []}
    props = layer.temporalProperties()
    info["temporal"] = {"active": props.isActive(), "mode": int(props.mode()),
                        "start": props.startExpression(), "end": props.endExpression(),
                        "startField": props.startField(), "endField": props.endField()}
    if layer.isValid():
        info["frames"] = {day: ids_in(layer, frame) for day, frame in frames.items()}
        if "id" in info["fields"]:
            info["ids"] = sorted(str(f["id"]) for f in layer.getFeatures())
    return info


def project(path, days):
    proj = QgsProject.instance()
    proj.clear()
    ok = proj.read(path)
    settings = proj.timeSettings()
    extent = settings.temporalRange()
    navigation = QgsTemporalNavigationObject()
    navigation.setTemporalExtents(extent)
    navigation.setFrameDuration(QgsInterval(settings.timeStep(), settings.timeStepUnit()))
    frames = {}
    for n in range(navigation.totalFrameCount()):
        frame = navigation.dateTimeRangeForFrameNumber(n)
        frames[frame.begin().date().toString("yyyy-MM-dd")] = frame
    checked = {day: frames[day] for day in days if day in frames}
    tree = [node.layerId() for node in proj.layerTreeRoot().findLayers()]
    layers = [describe(proj.mapLayer(i), checked) for i in tree]
    return {"read": ok, "title": proj.title(),
            "time": {"start": extent.begin().toString(Qt.ISODate), "end": extent.end().toString(Qt.ISODate),
                     "step": settings.timeStep(), "unit": int(settings.timeStepUnit()),
                     "frames": len(frames), "first_frame": min(frames) if frames else None,
                     "last_frame": max(frames) if frames else None},
            "crs": proj.crs().authid(), "layers": layers}


def main():
    request = json.load(sys.stdin)
    app = QgsApplication([], False)
    app.initQgis()
    days = request.get("days", [])
    out = []
    for target in request["targets"]:
        if target["kind"] == "project":
            out.append(project(target["path"], days))
        else:
            provider = "delimitedtext" if target["kind"] == "delimitedtext" else "ogr"
            layer = QgsVectorLayer(target["uri"], target.get("name", "layer"), provider)
            frames = {day: day_range(day) for day in days}
            info = describe(layer, frames)
            if target.get("reload"):  # the style loaded a second time, as Layer Properties > Load Style does
                message, ok = layer.loadDefaultStyle()
                info["reloaded"] = describe(layer, frames)
            out.append(info)
    sys.stdout.write(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
