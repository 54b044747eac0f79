"""The ``borderviz`` command: inspect, validate, build and export the layers, and run the app.

    borderviz layers                 # what each layer holds: counts, dates, km, km²
    borderviz validate               # exit 1 with every problem when data is wrong
    borderviz build-data             # rebuild data/ from data/sources and data/research
    borderviz export --layer incidents --from 2021-04-28 --to 2021-05-01 -o out.gpkg
    borderviz export --layer border_status --history --format gpkg -o - > history.gpkg
    borderviz import my-acled-export.csv
    borderviz app                    # the map in a browser (Streamlit)

Conventions: results go to stdout, diagnostics (what was written, warnings,
progress) to stderr; ``-q`` keeps only errors, ``-v`` adds detail. Exit codes:
0 done, 1 the data or the input is wrong, 2 the command line is wrong.

Everything heavy (pandas, geopandas, folium) is imported inside the command
that needs it, so ``borderviz --help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from borderviz import __version__
from borderviz.errors import BorderVizError, DataError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0],
                  pretty_exceptions_enable=False)

# Format keys, file extensions and layer names, as data the help can show without
# importing borderviz.io.formats (geopandas) or borderviz.model.schema's consumers.
# tests/test_cli.py keeps these equal to formats.FORMATS and schema.LAYERS.
FORMAT_EXTENSIONS = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet", "kml": ".kml",
                     "csv": ".csv", "shp": ".zip", "html": ".html"}
BINARY_FORMATS = frozenset({"gpkg", "parquet", "shp"})

# What .streamlit/config.toml sets for a checkout; an installed package has no such
# file, so `borderviz app` passes the same options (tests keep the two equal).
STREAMLIT_OPTIONS = {
    "server.maxUploadSize": "500",
    "browser.gatherUsageStats": "false",
    "theme.base": "light",
    "client.toolbarMode": "viewer",
}


class _Say:
    """Diagnostics on stderr, as loud as -q/-v asked."""

    level = 1  # 0 quiet, 1 normal, 2 verbose

    def info(self, text: str) -> None:
        if self.level >= 1:
            typer.echo(text, err=True)

    def detail(self, text: str) -> None:
        if self.level >= 2:
            typer.echo(text, err=True)

    def error(self, text: str) -> None:
        typer.echo(text, err=True)

    @contextmanager
    def step(self, text: str):
        """A spinner on a terminal (or a line with -v) while something slow runs."""
        started = time.perf_counter()
        if self.level >= 1 and sys.stderr.isatty():
            from rich.console import Console

            with Console(stderr=True).status(text + " …"):
                yield
        else:
            yield
        self.detail(f"{text}: {time.perf_counter() - started:.2f} s")


say = _Say()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"borderviz {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="print only errors")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="say more: timings, each file")] = False,
) -> None:
    """An interactive, sourced map of the Kyrgyzstan–Tajikistan border conflict."""
    say.level = 0 if quiet else 2 if verbose else 1


def _fail(message: str, code: int = 1) -> typer.Exit:
    say.error(message)
    return typer.Exit(code)


DataDir = Annotated[Path | None, typer.Option("--data", help="folder holding the layers (default: the shipped data/)")]


REGION_KEY = "kg-tj-fergana (borderviz.model.region)"


def _builtin_incidents(data: Path | None) -> pd.DataFrame:
    """The built-in incidents alone (what an import is checked against for duplicates), validated."""
    from borderviz.model import layers as layer_io

    try:
        with say.step("reading the built-in incidents"):
            return layer_io.read_layer("incidents", data)
    except DataError as exc:
        raise _fail(str(exc)) from None


def _load(data: Path | None) -> dict[str, pd.DataFrame]:
    from borderviz.model import layers as layer_io

    try:
        with say.step("reading and validating the layers"):
            return layer_io.load_all(data)
    except DataError as exc:
        raise _fail(str(exc)) from None


def _span(frame: pd.DataFrame, start: str, end: str) -> str:
    """'2014-01-11 .. 2026-03-12'; an open start or end (null) reads 'start' or 'now'."""
    if frame.empty:
        return ""
    first = "start" if frame[start].isna().any() else f"{frame[start].min():%Y-%m-%d}"
    last = "now" if frame[end].isna().any() else f"{frame[end].max():%Y-%m-%d}"
    return f"{first} .. {last}"


@app.command("layers")
def layers_command(data: DataDir = None) -> None:
    """Summarise every layer: features, date span, km of line by status, km² per enclave."""
    import pandas as pd

    from borderviz.model.schema import LAYERS
    from borderviz.model.status import summary

    frames = _load(data)
    for name, spec in LAYERS.items():
        frame = frames[name]
        line = f"{name:<20} {len(frame):>4} {'features' if spec.geometry else 'rows'}"
        if spec.interval:
            line += f"   {_span(frame, *spec.interval)}"
        typer.echo(line)

    typer.echo("\nKyrgyzstan–Tajikistan line (geodesic km):")
    bl = frames["border_lines"]
    for vintage, rows in bl.groupby("vintage"):
        parts = ", ".join(
            f"{r.enclave or 'main line'} {r.length_km:.1f}" for r in rows.itertuples()
        )
        typer.echo(f"  {vintage}: {rows['length_km'].sum():.1f} km = {parts}")

    typer.echo("\nEnclaves (geodesic km², per OSM vintage):")
    en = frames["enclaves"].pivot_table(index=["enclave", "owner", "host"], columns="vintage",
                                        values="area_km2", aggfunc="first")
    for (enclave, owner, host), row in en.iterrows():
        areas = "  ".join(f"{v}: {row[v]:7.2f}" if pd.notna(row[v]) else f"{v}:       -" for v in en.columns)
        typer.echo(f"  {enclave:<14} {owner} in {host}   {areas}")

    vd = frames["vintage_differences"]
    if not vd.empty:
        by_dir = vd.groupby(["in_2017", "in_2024"])["area_km2"].agg(["count", "sum"])
        typer.echo("\nWhere the 2017 and 2024 versions disagree:")
        for (a, b), r in by_dir.iterrows():
            typer.echo(f"  {a} in 2017, {b} in 2024: {int(r['count'])} patches, {r['sum']:.1f} km²")

    inc = frames["incidents"]
    if not inc.empty:
        typer.echo(f"\nIncidents: {len(inc)} from {inc['date_start'].min():%Y-%m-%d} "
                   f"to {inc['date_end'].max():%Y-%m-%d}")
        per_year = inc.groupby(inc["date_start"].dt.year).size()
        typer.echo("  per year: " + ", ".join(f"{y}: {n}" for y, n in per_year.items()))
        per_type = inc["event_type"].value_counts()
        typer.echo("  per type: " + ", ".join(f"{t}: {n}" for t, n in per_type.items()))

    bs = frames["border_status"]
    if not bs.empty:
        typer.echo("\nBorder status history (km of the 2024 line drawn, per interval):")
        for _, r in bs.sort_values(["date_start", "sector"], na_position="first").iterrows():
            start = f"{r['date_start']:%Y-%m-%d}" if pd.notna(r["date_start"]) else "start"
            end = f"{r['date_end']:%Y-%m-%d}" if pd.notna(r["date_end"]) else "now"
            typer.echo(f"  {start:>10} .. {end:<10} {r['status']:<15} {r['length_km']:7.1f} km  "
                       f"{r['name']} ({r['geometry_basis']})")
        typer.echo("")
        for day in ("2021-04-28", "2022-09-16", "2025-03-13"):
            typer.echo("  " + summary(bs, frames["official_figures"], day).sentence())


# --- export --------------------------------------------------------------------------


def output_format(fmt: str | None, output: str) -> str:
    """The format to write: ``fmt``, or the one the output's extension names.

    Refuses (exit 2) an unknown format, an extension that names another format
    (``--format geojson -o x.csv``), and ``-o -`` or ``.zip`` without ``--format``.
    Any format may go to a ``.zip`` (its files zipped).
    """
    by_extension = {ext: key for key, ext in FORMAT_EXTENSIONS.items() if ext != ".zip"}
    by_extension[".json"] = "geojson"
    suffix = Path(output).suffix.lower() if output != "-" else ""
    if fmt is not None and fmt not in FORMAT_EXTENSIONS:
        raise _fail(f"unknown format {fmt!r}; formats: {', '.join(FORMAT_EXTENSIONS)}", 2)
    if fmt is None:
        if suffix in by_extension:
            return by_extension[suffix]
        raise _fail(f"say which format to write to {output!r}: --format "
                    f"{'|'.join(FORMAT_EXTENSIONS)} (or use an extension: {', '.join(by_extension)})", 2)
    if output == "-" or suffix in (".zip", FORMAT_EXTENSIONS[fmt]) or (fmt, suffix) == ("geojson", ".json"):
        return fmt
    given = suffix or "a name without an extension"
    raise _fail(f"--format {fmt} writes {FORMAT_EXTENSIONS[fmt]} (or .zip), not {given}: change -o or --format", 2)


def _write_export(subset: dict, fmt: str, filters: dict, output: str,
                  frames: dict[str, pd.DataFrame] | None, attribution: list[dict[str, str]] | None = None) -> None:
    """Export ``subset`` (frames, or an import's Arrow table) to ``output`` (``-`` is stdout) and say what was
    written; exit 1 if it cannot be. A file is written as it is made, never held whole in memory."""
    from borderviz.io import formats

    try:
        with say.step(f"writing {fmt}"):
            if output != "-":
                written = formats.export_to(subset, fmt, Path(output), filters, extra_attribution=attribution,
                                            context=frames)
                for path in written:
                    say.info(f"wrote {path} ({path.stat().st_size:,} bytes)")
                return
            bundle = formats.export(subset, fmt, filters, extra_attribution=attribution, context=frames)
            if output == "-":
                _, content, _ = bundle.single()
                stdout = typer.get_binary_stream("stdout")
                if (fmt in BINARY_FORMATS or len(bundle.files) > 1) and stdout.isatty():
                    raise _fail(f"{fmt} is binary: redirect stdout to a file (> out{FORMAT_EXTENSIONS[fmt]}) "
                                "or give -o a path", 2)
                stdout.write(content)
                stdout.flush()
                say.info(f"wrote {len(content):,} bytes of {fmt}"
                         f"{' (zipped: several files)' if len(bundle.files) > 1 else ''} to stdout")
    except BorderVizError as exc:
        raise _fail(str(exc)) from None


@app.command("export")
def export_command(
    output: Annotated[str, typer.Option("-o", "--output", help="file to write (.zip for several files; - for stdout)")],
    layer: Annotated[list[str], typer.Option("--layer", help="layer to export; repeat for several")] = ("incidents",),
    fmt: Annotated[str | None, typer.Option(
        "--format", help=f"one of: {', '.join(FORMAT_EXTENSIONS)} (default: from the extension of -o)")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    event_type: Annotated[list[str], typer.Option("--type", help="keep only these event types (repeat)")] = (),
    country: Annotated[list[str], typer.Option("--country", help="keep only incidents in these countries "
                                                                  "(KG, TJ, UZ; repeat)")] = (),
    precision: Annotated[list[str], typer.Option("--precision", help="keep only places known this precisely "
                                                                      "(exact, settlement, ...; repeat)")] = (),
    min_killed: Annotated[int, typer.Option("--min-killed", min=0, help="keep only incidents with at least "
                                                                        "this many killed")] = 0,
    history: Annotated[bool, typer.Option("--history", help="layers that change over time (border status, "
                                                            "crossings, enclaves) with every interval in the "
                                                            "dates, not as of the last day: for QGIS's temporal "
                                                            "controller or kepler.gl")] = False,
    with_files: Annotated[list[Path], typer.Option(
        "--with", help="also export your own incidents from this file (ACLED/UCDP CSV, GeoJSON, ...; repeat), "
                       "filtered like the built-in ones; as the layer imported_incidents")] = (),
    keep_outside: Annotated[bool, typer.Option("--keep-outside", help="with --with: keep the rows outside the "
                                                                      "border region too")] = False,
    data: DataDir = None,
) -> None:
    """Export layers, or the incidents between two dates, with their provenance.

    Examples: borderviz export --layer incidents --from 2021-04-28 --to 2021-05-01 -o out.gpkg
              borderviz export --layer incidents --with my-acled.csv --format html -o map.html
    """
    import datetime as dt

    from borderviz.model import timeline
    from borderviz.model.checks import FIRST_DAY
    from borderviz.model.schema import COUNTRIES, EVENT_TYPES, LAYERS, LOCATION_PRECISIONS

    fmt = output_format(fmt, output)
    problems = [f"unknown layer {n!r} (layers: {', '.join(LAYERS)})" for n in layer if n not in LAYERS]
    for flag, given, allowed in (("--type", event_type, EVENT_TYPES), ("--country", country, COUNTRIES),
                                 ("--precision", precision, LOCATION_PRECISIONS)):
        bad = [v for v in given if v not in allowed]
        if bad:
            problems.append(f"unknown {flag} {', '.join(bad)}; choose from: {', '.join(allowed)}")
    try:
        start = dt.date.fromisoformat(date_from) if date_from else FIRST_DAY.date()
        end = dt.date.fromisoformat(date_to) if date_to else dt.date.today()
    except ValueError as exc:
        problems.append(f"--from/--to: {exc}; use YYYY-MM-DD")
        start = end = None
    if start and end and start > end:
        problems.append(f"--from {start} is after --to {end}")
    if problems:
        raise _fail("\n".join(problems), 2)
    frames = _load(data)
    criteria = timeline.IncidentFilter(event_types=tuple(event_type), countries=tuple(country),
                                       precisions=tuple(precision), min_killed=min_killed)
    selected = timeline.filter_incidents(frames["incidents"], start, end, criteria)
    subset = {n: timeline.layer_selection(frames, n, start, end, selected, history=history)
              for n in dict.fromkeys(layer)}
    credits = None
    if with_files:
        imported = _import_files(with_files, frames["incidents"], keep_outside)
        subset["imported_incidents"] = timeline.filter_incidents(imported.frame, start, end, criteria)
        credits = imported.attribution
    filters = {"from": start.isoformat(), "to": end.isoformat(),
               **{k: list(v) for k, v in (("types", event_type), ("countries", country),
                                          ("precisions", precision)) if v},
               **({"min_killed": min_killed} if min_killed else {}), **({"history": True} if history else {})}
    _write_export(subset, fmt, filters, output, frames, credits)
    say.info("  " + ", ".join(f"{n}: {len(f)} rows" for n, f in subset.items()))


def _limits(path: Path):
    """An import's limits for a file on disk: the usual ones, with time for its size (streamed at ~50 MB/s)."""
    from borderviz.io import uploads

    seconds = max(uploads.LIMITS.seconds, path.stat().st_size / 25e6)
    return uploads.Limits(seconds=seconds, memory_mb=uploads.LIMITS.memory_mb, rows=uploads.LIMITS.rows)


def _import_files(paths: list[Path], builtin, keep_outside: bool = False, progress=None, export=None):
    """Import the user's files (every problem of every file reported together); one result for all.
    ``export`` (an :class:`borderviz.io.uploads.Export`, one file only): the import's child writes it."""
    from borderviz.errors import DataError, ExportError
    from borderviz.io import importers, uploads

    results, problems = [], []
    for path in paths:
        try:
            results.append(uploads.import_upload(path.name, path, builtin, limits=_limits(path), progress=progress,
                                                 keep_outside=keep_outside, export=export))
        except ExportError as exc:
            raise _fail(str(exc)) from None
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror})")
        except DataError as exc:
            problems.append(str(exc) if progress is None else f"{path.name} was not imported:\n{exc}")
    if problems:
        raise _fail("\n".join(problems), 1)
    for result in results:
        if result.outside_note() and progress is None:  # (the import command says it after its progress line)
            say.info(result.outside_note())
    return importers.combine(results)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="ACLED/UCDP CSV, GeoJSON, GPKG, KML, zipped Shapefile, CSV")],
    output: Annotated[str | None, typer.Option("-o", "--output", help="also export the imported rows "
                                                                      "(- for stdout)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help=f"export format: {', '.join(FORMAT_EXTENSIONS)} "
                                                             "(default: from the extension of -o)")] = None,
    keep_outside: Annotated[bool, typer.Option("--keep-outside", help="keep the rows outside the border region "
                                                                      "(Kyrgyzstan, Tajikistan and the Fergana "
                                                                      "valley, with 25 km around them) too")] = False,
    data: DataDir = None,
) -> None:
    """Check and import your own incidents; report every problem, or a summary and duplicates.

    Only the rows in the border region are kept (how many lay outside is said); --keep-outside keeps all.
    """
    from borderviz.io import importers, uploads

    if fmt is not None and fmt not in FORMAT_EXTENSIONS:
        raise _fail(f"unknown format {fmt!r}; formats: {', '.join(FORMAT_EXTENSIONS)}", 2)
    if output is not None:
        fmt = output_format(fmt, output)
    if not file.is_file():
        raise _fail(f"{file}: cannot be read (no such file)")
    builtin = _builtin_incidents(data)
    shown = []

    def progress(fraction: float) -> None:
        if say.level >= 1:
            shown.append(fraction)
            typer.echo(f"\rreading {file.name}: {fraction:4.0%}", err=True, nl=False)

    filters = {"imported_from": file.name, "region": "all rows" if keep_outside else REGION_KEY}
    # To a file, the import's child writes the export itself: the rows never come back to this process.
    export = uploads.Export(fmt, str(Path(output).resolve()), filters) if output not in (None, "-") and \
        fmt != "html" else None
    try:
        result = _import_files([file], builtin, keep_outside, progress, export)
    finally:
        if shown:
            typer.echo("", err=True)
    for warning in result.warnings:
        say.info(f"warning: {warning}")
    if result.outside_note():
        say.info(result.outside_note())
    facts = importers.summary(result)
    report = typer.echo if output != "-" else say.info  # stdout carries the export then
    report(f"{facts['rows']} incidents from {file.name} ({result.dataset}), "
           f"{facts['first']:%Y-%m-%d} to {facts['last']:%Y-%m-%d}")
    report(f"{facts['flagged']} may duplicate built-in incidents (within a day and 5 km):")
    for ident, dupe in facts["duplicates"]:
        report(f"  {ident} ~ {dupe}")
    for path in result.written:
        say.info(f"wrote {path} ({path.stat().st_size:,} bytes)")
    if output is not None and export is None:  # stdout, or the HTML map (which draws the built-in layers too)
        # The import's own Arrow table is exported as it is: no frame is built.
        _write_export({"imported_incidents": result.table}, fmt, {**filters, "rows_outside_region": result.outside},
                      output, None if fmt != "html" else _load(data), result.attribution)


@app.command("validate")
def validate_command(data: DataDir = None) -> None:
    """Validate every layer and the facts that hold between them; exit 1 listing all problems."""
    frames = _load(data)
    total = sum(len(f) for f in frames.values())
    typer.echo(f"OK: {len(frames)} layers, {total} rows, all valid.")


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "scripts" / "build_data.py").exists() and (folder / "data" / "sources").is_dir():
            return folder
    return None


@app.command("build-data")
def build_data_command(
    root: Annotated[Path | None, typer.Option(help="repository root (default: found from here)")] = None,
    out: Annotated[Path | None, typer.Option(help="output folder (default: ROOT/data)")] = None,
) -> None:
    """Rebuild data/ from data/sources and data/research (runs scripts/build_data.py)."""
    import runpy

    from borderviz.model.layers import RESOURCE_ROOT

    repo = root or _repo_root(Path.cwd()) or _repo_root(RESOURCE_ROOT)
    if repo is None:
        raise _fail("build-data needs a borderviz checkout (scripts/build_data.py and data/sources); "
                    "none found here or above.", 2)
    argv = ["--root", str(repo)] + (["--out", str(out)] if out else [])
    saved = sys.argv
    try:
        sys.argv = ["build_data.py", *argv]
        runpy.run_path(str(repo / "scripts" / "build_data.py"), run_name="__main__")
    except SystemExit as exc:
        if exc.code:
            raise typer.Exit(int(exc.code)) from None
    finally:
        sys.argv = saved


# --- the app ------------------------------------------------------------------------------


def streamlit_command(main_script: Path, port: int | None = None, address: str | None = None,
                      open_browser: bool = False, extra: list[str] | None = None) -> list[str]:
    """The ``streamlit run`` command line for the app, with the options config.toml sets in a checkout."""
    options = {**STREAMLIT_OPTIONS, "server.headless": "false" if open_browser else "true"}
    if port is not None:
        options["server.port"] = str(port)
    if address is not None:
        options["server.address"] = address
    return [sys.executable, "-m", "streamlit", "run", str(main_script),
            *(f"--{k}={v}" for k, v in options.items()), *(extra or [])]


def app_folder(folder: Path) -> Path:
    """Write in ``folder`` a script that runs borderviz/app.py (what ``streamlit run`` is given). Returns it.

    The map's assets need no folder of their own: its component serves them from the package.
    """
    package = Path(__file__).resolve().parent
    script = folder / "borderviz_app.py"
    script.write_text("import runpy\n\nrunpy.run_path(" + repr(str(package / "app.py")) +
                      ", run_name='__main__')\n", encoding="utf-8")
    return script


@app.command("app", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def app_command(
    ctx: typer.Context,
    port: Annotated[int | None, typer.Option("--port", help="port to serve on (default 8501)")] = None,
    address: Annotated[str | None, typer.Option("--address", help="address to listen on (default: all)")] = None,
    browser: Annotated[bool, typer.Option("--browser", help="open a browser tab")] = False,
) -> None:
    """Run the map in a browser (Streamlit). Other options are passed to `streamlit run`."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="borderviz-app-") as tmp:
        command = streamlit_command(app_folder(Path(tmp)), port, address, browser, list(ctx.args))
        say.detail(" ".join(command))
        try:
            code = subprocess.call(command)
        except KeyboardInterrupt:
            code = 0
    raise typer.Exit(code)


if __name__ == "__main__":
    app()
