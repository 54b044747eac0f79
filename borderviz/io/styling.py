"""How each exported layer is drawn outside the app: one table, rendered as KML styles,
QGIS styles (QML) and OGC SLD.

The colours are the app's own (:mod:`borderviz.maps.mapview`: ``EVENT_COLORS``,
``STATUS_STYLE``, ``CROSSING_STYLE``, ``OWNER_FILL`` ...), so a layer opened in
Google Earth or QGIS looks like it does on the map. Every value that reaches a
style document is our own vocabulary or a number; nothing from the data's text.

>>> layer_style("border_status").column
'status'
>>> kml_color("#d7191c", 0.5)
'801c19d7'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from borderviz.model.schema import ALL_SPECS, BORDER_STATUSES, COUNTRIES, CROSSING_STATUSES, EVENT_TYPES


@dataclass(frozen=True)
class Symbol:
    """One look: stroke, fill and (for points) marker size in pixels."""

    key: str
    label: str
    stroke: str = "#333333"
    width: float = 1.0
    opacity: float = 1.0
    dash: tuple[float, ...] | None = None
    fill: str | None = None
    fill_opacity: float = 0.0
    size: float = 8.0
    marker: str = "circle"  # circle, square, diamond


@dataclass(frozen=True)
class LayerStyle:
    """Symbols of a layer by the value of ``column`` (None: one symbol for all)."""

    kind: str  # point, line, polygon
    column: str | None
    symbols: dict[object, Symbol]
    default: Symbol
    # Temporal columns (start, end) and whether the end day is included.
    interval: tuple[str, str] | None = None
    end_inclusive: bool = False
    extra: dict = field(default_factory=dict)

    def symbol_for(self, row) -> Symbol:
        if self.column is None:
            return self.default
        return self.symbols.get(row.get(self.column), self.default)

    def all_symbols(self) -> list[Symbol]:
        return [*self.symbols.values(), self.default]


def _dash(text: str | None) -> tuple[float, ...] | None:
    return tuple(float(p) for p in text.split()) if text else None


def end_inclusive(layer: str) -> bool:
    """Whether the last day of a dated layer is included (incidents) or the day it ended (states)."""
    spec = ALL_SPECS[layer]
    doc = spec.field(spec.interval[1]).doc.lower()
    if "inclusive" not in doc and "exclusive" not in doc:
        raise ValueError(f"{layer}.{spec.interval[1]}: the schema must say whether the end is inclusive")
    return "exclusive" not in doc


def _styles() -> dict[str, LayerStyle]:
    from borderviz.maps import mapview as mv

    def dated(layer: str) -> dict:
        spec = ALL_SPECS[layer]
        return {"interval": spec.interval, "end_inclusive": end_inclusive(layer)} if spec.interval else {}

    event = {t: Symbol(f"incidents-{t}", t.replace("_", " "), "#ffffff", 1, fill=mv.EVENT_COLORS[t],
                       fill_opacity=0.85, size=9) for t in EVENT_TYPES}
    imported = {t: Symbol(f"imported-{t}", t.replace("_", " "), "#000000", 2, fill=mv.EVENT_COLORS[t],
                          fill_opacity=0.6, size=9) for t in EVENT_TYPES}
    status = {s: Symbol(f"status-{s}", s.replace("_", " "), mv.STATUS_STYLE[s]["color"], mv.STATUS_STYLE[s]["weight"],
                        mv.STATUS_STYLE[s]["opacity"], _dash(mv.STATUS_STYLE[s]["dashArray"]))
              for s in BORDER_STATUSES}
    crossing = {s: Symbol(f"crossing-{s}", s, "#ffffff", 1, fill=mv.CROSSING_STYLE[s][0], fill_opacity=1, size=10,
                          marker="square") for s in CROSSING_STATUSES}
    owner = {c: Symbol(f"enclave-{c}", f"{c} enclave", mv.OWNER_FILL[c], 1.5, fill=mv.OWNER_FILL[c], fill_opacity=0.35)
             for c in mv.OWNER_FILL}
    country = {c: Symbol(f"country-{c}", c, "#9aa4ab", 0.6, fill=mv.COUNTRY_BACKGROUND[c], fill_opacity=1)
               for c in COUNTRIES}
    v17, diff = mv.VINTAGE_2017_STYLE, mv.DIFFERENCE_STYLE
    lines = {2017: Symbol("line-2017", "2017 OSM version", v17["color"], v17["weight"], v17["opacity"],
                          _dash(v17["dashArray"])),
             2024: Symbol("line-2024", "2024 OSM version", "#1a1a1a", 2, 0.9)}
    return {
        "incidents": LayerStyle("point", "event_type", event, Symbol("incidents-other", "other", "#ffffff", 1,
                                                                     fill="#555555", fill_opacity=0.85),
                                **dated("incidents")),
        "imported_incidents": LayerStyle("point", "event_type", imported,
                                         Symbol("imported-other", "other", "#000000", 2, fill="#555555",
                                                fill_opacity=0.6), **dated("imported_incidents")),
        "border_status": LayerStyle("line", "status", status, Symbol("status-other", "other", "#6b6b6b", 3),
                                    **dated("border_status")),
        "crossings": LayerStyle("point", "status", crossing, Symbol("crossing-other", "other", "#ffffff", 1,
                                                                    fill="#777777", fill_opacity=1, marker="square"),
                                **dated("crossings")),
        "enclaves": LayerStyle("polygon", "owner", owner, Symbol("enclave-other", "enclave", "#777777", 1.5,
                                                                 fill="#777777", fill_opacity=0.35),
                               **dated("enclaves")),
        "countries": LayerStyle("polygon", "country", country, Symbol("country-other", "country", "#9aa4ab", 0.6,
                                                                      fill="#eeeeee", fill_opacity=1)),
        "border_lines": LayerStyle("line", "vintage", lines, Symbol("line-other", "line", "#1a1a1a", 2)),
        "vintage_differences": LayerStyle("polygon", None, {}, Symbol(
            "differences", "where the 2017 and 2024 versions disagree", diff["color"], diff["weight"],
            fill=diff["fillColor"], fill_opacity=diff["fillOpacity"])),
        "infrastructure": LayerStyle("point", None, {}, Symbol("infrastructure", "contested infrastructure",
                                                               "#ffffff", 1, fill="#6a3d9a", fill_opacity=1,
                                                               size=9, marker="diamond")),
    }


_CACHE: dict[str, LayerStyle] = {}


def layer_style(layer: str) -> LayerStyle:
    """The style of a layer with geometry (KeyError for a table)."""
    if not _CACHE:
        _CACHE.update(_styles())
    return _CACHE[layer]


# --- colours ----------------------------------------------------------------------------------


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def kml_color(hex_color: str, opacity: float = 1.0) -> str:
    """KML's aabbggrr."""
    r, g, b = _rgb(hex_color)
    return f"{round(opacity * 255):02x}{b:02x}{g:02x}{r:02x}"


def _qgis_color(hex_color: str, opacity: float = 1.0) -> str:
    r, g, b = _rgb(hex_color)
    return f"{r},{g},{b},{round(opacity * 255)}"


# --- KML --------------------------------------------------------------------------------------


def kml_style(symbol: Symbol) -> str:
    """A KML <Style> (KML 2.2 element order: IconStyle, LineStyle, PolyStyle)."""
    fill = symbol.fill or symbol.stroke
    return (f"<Style id={quoteattr(symbol.key)}>"
            f"<IconStyle><color>{kml_color(fill, max(symbol.fill_opacity, 0.6))}</color>"
            f"<scale>{symbol.size / 10:.2f}</scale></IconStyle>"
            f"<LineStyle><color>{kml_color(symbol.stroke, symbol.opacity)}</color>"
            f"<width>{symbol.width:g}</width></LineStyle>"
            f"<PolyStyle><color>{kml_color(fill, symbol.fill_opacity)}</color>"
            f"<fill>{1 if symbol.fill else 0}</fill><outline>1</outline></PolyStyle></Style>")


# --- QGIS (QML) -------------------------------------------------------------------------------


def _qml_symbol(kind: str, symbol: Symbol, name: str) -> str:
    def props(values: dict[str, str]) -> str:
        # QGIS 3.20+ reads the Option map; older versions the <prop> elements: both are written.
        options = "".join(f"<Option type=\"QString\" name={quoteattr(k)} value={quoteattr(v)}/>"
                          for k, v in values.items())
        legacy = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in values.items())
        return f"<Option type=\"Map\">{options}</Option>{legacy}"

    stroke, width_mm = _qgis_color(symbol.stroke, symbol.opacity), f"{symbol.width * 0.26:.2f}"
    dash = {"use_custom_dash": "1" if symbol.dash else "0",
            "customdash": ";".join(f"{d * 0.26:.2f}" for d in symbol.dash) if symbol.dash else "5;2",
            "customdash_unit": "MM"}
    if kind == "point":
        layer_class = "SimpleMarker"
        values = {"name": symbol.marker, "color": _qgis_color(symbol.fill or symbol.stroke, symbol.fill_opacity),
                  "outline_color": stroke, "outline_width": width_mm, "outline_width_unit": "MM",
                  "size": f"{symbol.size * 0.26:.2f}", "size_unit": "MM"}
        sym_type = "marker"
    elif kind == "line":
        layer_class = "SimpleLine"
        values = {"line_color": stroke, "line_width": width_mm, "line_width_unit": "MM", "capstyle": "round",
                  "joinstyle": "round", **dash}
        sym_type = "line"
    else:
        layer_class = "SimpleFill"
        values = {"color": _qgis_color(symbol.fill or "#000000", symbol.fill_opacity if symbol.fill else 0),
                  "outline_color": stroke, "outline_width": width_mm, "outline_width_unit": "MM",
                  "style": "solid" if symbol.fill else "no", "outline_style": "solid"}
        sym_type = "fill"
    return (f"<symbol type=\"{sym_type}\" name={quoteattr(name)} alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">"
            f"<layer class=\"{layer_class}\" enabled=\"1\" locked=\"0\" pass=\"0\">"
            f"{props(values)}</layer></symbol>")


# Open ends: a layer's null start or end means "since before the record" or "still so"; QGIS's
# expression mode has no open ends, so these stand in for them.
OPEN_START = "make_datetime(1000,1,1,0,0,0)"
OPEN_END = "make_datetime(9999,12,31,0,0,0)"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def temporal_expressions(layer: str, names: dict[str, str] | None = None) -> tuple[str, str] | None:
    """(start, end) QGIS expressions for a dated layer: the days as DateTimes at midnight, the end exclusive.

    QGIS 3.22 compares a Date field with the frame's DateTime so that an event of 14 September
    falls before the frame of 14 September (qgis/QGIS#48946): with field-based settings every
    event shows a day early. Turned into DateTimes by ``to_datetime`` the comparison is
    day-exact. An inclusive last day (incidents) ends at the next midnight; an exclusive one
    (the day a state ended) at its own. ``names`` maps columns to the names in the file
    (a Shapefile's short names). The date columns are the schema's, never data.

    >>> temporal_expressions("border_status")[1]
    'coalesce(to_datetime("date_end"), make_datetime(9999,12,31,0,0,0))'
    """
    style = layer_style(layer)
    if not style.interval:
        return None
    names = names or {}
    start, end = (_quoted(names.get(c, c)) for c in style.interval)
    last = f"to_datetime({end}) + make_interval(days:=1)" if style.end_inclusive else f"to_datetime({end})"
    return f"coalesce(to_datetime({start}), {OPEN_START})", f"coalesce({last}, {OPEN_END})"


def qml_temporal(layer: str, names: dict[str, str] | None = None) -> str:
    """The ``<temporal>`` element of a layer (empty for an undated one): mode 4, start and end from
    expressions (:func:`temporal_expressions`), limitMode 0 (the frame's start included, its end not)."""
    expressions = temporal_expressions(layer, names)
    if expressions is None:
        return ""
    names = names or {}
    start, end = (names.get(c, c) for c in layer_style(layer).interval)
    return (f"<temporal enabled=\"1\" mode=\"4\" startField={quoteattr(start)} endField={quoteattr(end)} "
            f"startExpression={quoteattr(expressions[0])} endExpression={quoteattr(expressions[1])} "
            "limitMode=\"0\" accumulate=\"0\" durationField=\"\" durationUnit=\"min\" fixedDuration=\"0\">"
            "<fixedRange><start></start><end></end></fixedRange></temporal>")


def qml_renderer(layer: str, names: dict[str, str] | None = None) -> str:
    """The ``<renderer-v2>`` element: one symbol, or a symbol per category of the layer's column."""
    style = layer_style(layer)
    if style.column is None:
        return (f"<renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">"
                f"<symbols>{_qml_symbol(style.kind, style.default, '0')}</symbols></renderer-v2>")
    cats, syms = [], []
    for i, (value, symbol) in enumerate(style.symbols.items()):
        cats.append(f"<category render=\"true\" symbol=\"{i}\" value={quoteattr(str(value))} "
                    f"label={quoteattr(symbol.label)}/>")
        syms.append(_qml_symbol(style.kind, symbol, str(i)))
    column = (names or {}).get(style.column, style.column)
    return (f"<renderer-v2 type=\"categorizedSymbol\" attr={quoteattr(column)} symbollevels=\"0\" "
            f"enableorderby=\"0\" forceraster=\"0\"><categories>{''.join(cats)}</categories>"
            f"<symbols>{''.join(syms)}</symbols></renderer-v2>")


def qml(layer: str, names: dict[str, str] | None = None) -> str:
    """A QGIS style document: the renderer by category, and the temporal settings of a dated layer.

    ``names`` maps columns to the names a file gives them (a Shapefile's). QGIS 3.22 reads the
    temporal settings of a default style (a GeoPackage's ``layer_styles``, a ``.qml`` beside the
    file) but leaves them switched off (qgis/QGIS#42223); a project (:mod:`borderviz.io.qgis_project`)
    switches them on.
    """
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
            f"<qgis version=\"3.22.0\" styleCategories=\"Symbology|Temporal\">{qml_temporal(layer, names)}"
            f"{qml_renderer(layer, names)}</qgis>")


# --- SLD --------------------------------------------------------------------------------------


def _sld_symbolizer(kind: str, symbol: Symbol) -> str:
    stroke = (f"<se:Stroke><se:SvgParameter name=\"stroke\">{symbol.stroke}</se:SvgParameter>"
              f"<se:SvgParameter name=\"stroke-width\">{symbol.width:g}</se:SvgParameter>"
              f"<se:SvgParameter name=\"stroke-opacity\">{symbol.opacity:g}</se:SvgParameter>"
              + (f"<se:SvgParameter name=\"stroke-dasharray\">{' '.join(f'{d:g}' for d in symbol.dash)}"
                 "</se:SvgParameter>" if symbol.dash else "") + "</se:Stroke>")
    fill = (f"<se:Fill><se:SvgParameter name=\"fill\">{symbol.fill}</se:SvgParameter>"
            f"<se:SvgParameter name=\"fill-opacity\">{symbol.fill_opacity:g}</se:SvgParameter></se:Fill>"
            if symbol.fill else "")
    if kind == "point":
        mark = {"circle": "circle", "square": "square", "diamond": "square"}[symbol.marker]
        rotation = "<se:Rotation>45</se:Rotation>" if symbol.marker == "diamond" else ""
        return (f"<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>{mark}</se:WellKnownName>{fill}{stroke}"
                f"</se:Mark><se:Size>{symbol.size:g}</se:Size>{rotation}</se:Graphic></se:PointSymbolizer>")
    if kind == "line":
        return f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>"
    return f"<se:PolygonSymbolizer>{fill}{stroke}</se:PolygonSymbolizer>"


def sld(layer: str, names: dict[str, str] | None = None) -> str:
    """An OGC SLD 1.1 document with one rule per category (``names``: the columns' names in the file)."""
    style = layer_style(layer)
    column = (names or {}).get(style.column, style.column) if style.column else None
    rules = []
    if style.column is None:
        rules.append(f"<se:Rule><se:Name>{escape(style.default.label)}</se:Name>"
                     f"{_sld_symbolizer(style.kind, style.default)}</se:Rule>")
    for value, symbol in style.symbols.items():
        rules.append(f"<se:Rule><se:Name>{escape(symbol.label)}</se:Name><ogc:Filter><ogc:PropertyIsEqualTo>"
                     f"<ogc:PropertyName>{escape(column)}</ogc:PropertyName>"
                     f"<ogc:Literal>{escape(str(value))}</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>"
                     f"{_sld_symbolizer(style.kind, symbol)}</se:Rule>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            "<StyledLayerDescriptor version=\"1.1.0\" xmlns=\"http://www.opengis.net/sld\" "
            "xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:se=\"http://www.opengis.net/se\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
            f"<NamedLayer><se:Name>{escape(layer)}</se:Name><UserStyle><se:Name>{escape(layer)}</se:Name>"
            f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
            "</StyledLayerDescriptor>")
