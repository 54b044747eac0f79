"""The ``borderviz`` command: inspect, validate, build and export the layers.

    borderviz layers                 # what each layer holds: counts, dates, km, km²
    borderviz validate               # exit 1 with every problem when data is wrong
    borderviz build-data             # rebuild data/ from data/sources and data/research
    borderviz export --layer incidents --from 2021-04-28 --to 2021-05-01 --format gpkg -o out.gpkg
    borderviz import my-acled-export.csv
"""

from __future__ import annotations

import datetime as dt
import runpy
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from . import formats, timeline, uploads
from . import layers as layer_io
from .checks import FIRST_DAY
from .errors import BorderVizError, DataError
from .formats import FORMATS
from .schema import EVENT_TYPES, LAYERS

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.splitlines()[0])

DataDir = Annotated[Path | None, typer.Option("--data", help="folder holding the layers (default: the repo's data/)")]


def _load(data: Path | None) -> dict[str, pd.DataFrame]:
    try:
        return layer_io.load_all(data)
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None


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
        from .status import summary

        typer.echo("")
        for day in ("2021-04-28", "2022-09-16", "2025-03-13"):
            typer.echo("  " + summary(bs, frames["official_figures"], day).sentence())


def _write_export(subset: dict[str, pd.DataFrame], fmt: str, filters: dict, output: Path,
                  frames: dict[str, pd.DataFrame], attribution: list[dict[str, str]] | None = None) -> None:
    """Export ``subset`` to ``output`` and say what was written; exit 1 with the reason if it cannot be."""
    try:
        bundle = formats.export(subset, fmt, filters, extra_attribution=attribution, context=frames)
        written = formats.write_bundle(bundle, output)
    except BorderVizError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


@app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="file to write (.zip for several files)")],
    layer: Annotated[list[str], typer.Option("--layer", help="layer to export; repeat for several")] = ("incidents",),
    fmt: Annotated[str, typer.Option("--format", help=f"one of: {', '.join(FORMATS)}")] = "geojson",
    date_from: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    event_type: Annotated[list[str], typer.Option("--type", help="keep only these event types")] = (),
    data: DataDir = None,
) -> None:
    """Export layers, or the incidents between two dates, with their provenance.

    Example: borderviz export --layer incidents --from 2021-04-28 --to 2021-05-01 --format gpkg -o out.gpkg
    """
    frames = _load(data)
    unknown = [n for n in layer if n not in LAYERS]
    if unknown or fmt not in FORMATS:
        problems = [f"unknown layer {n!r}" for n in unknown]
        if fmt not in FORMATS:
            problems.append(f"unknown format {fmt!r}")
        typer.echo("; ".join(problems) + f". Layers: {', '.join(LAYERS)}. Formats: {', '.join(FORMATS)}.",
                   err=True)
        raise typer.Exit(2)
    try:
        start = dt.date.fromisoformat(date_from) if date_from else FIRST_DAY.date()
        end = dt.date.fromisoformat(date_to) if date_to else dt.date.today()
    except ValueError as exc:
        typer.echo(f"--from/--to: {exc}; use YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    if start > end:
        typer.echo(f"--from {start} is after --to {end}", err=True)
        raise typer.Exit(2)
    unknown_types = [t for t in event_type if t not in EVENT_TYPES]
    if unknown_types:
        typer.echo(f"unknown --type {', '.join(unknown_types)}; types: {', '.join(EVENT_TYPES)}", err=True)
        raise typer.Exit(2)
    criteria = timeline.IncidentFilter(event_types=tuple(event_type))
    selected = timeline.filter_incidents(frames["incidents"], start, end, criteria)
    subset = {n: timeline.layer_selection(frames, n, start, end, selected) for n in dict.fromkeys(layer)}
    filters = {"from": start.isoformat(), "to": end.isoformat(), **({"types": list(event_type)} if event_type else {})}
    _write_export(subset, fmt, filters, output, frames)
    typer.echo("  " + ", ".join(f"{n}: {len(f)} rows" for n, f in subset.items()))


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="ACLED/UCDP CSV, GeoJSON, GPKG, KML, zipped Shapefile, CSV")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="also export the imported rows")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"export format: {', '.join(FORMATS)}")] = "geojson",
    data: DataDir = None,
) -> None:
    """Check and import your own incidents; report every problem, or a summary and duplicates."""
    if fmt not in FORMATS:
        typer.echo(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    frames = _load(data)

    shown = []

    def progress(fraction: float) -> None:
        shown.append(fraction)
        typer.echo(f"\rreading {file.name}: {fraction:4.0%}", err=True, nl=False)

    try:
        result = uploads.import_upload(file.name, file.read_bytes(), frames["incidents"], progress=progress)
    except OSError as exc:
        typer.echo(f"{file}: cannot be read ({exc.strerror})", err=True)
        raise typer.Exit(1) from None
    except DataError as exc:
        typer.echo(("\n" if shown else "") + f"{file.name} was not imported:\n{exc}", err=True)
        raise typer.Exit(1) from None
    if shown:
        typer.echo("", err=True)
    frame = result.frame
    for warning in result.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo(f"{len(frame)} incidents from {file.name} ({result.dataset}), "
               f"{frame['date_start'].min():%Y-%m-%d} to {frame['date_end'].max():%Y-%m-%d}")
    dupes = frame[frame["possible_duplicate_of"].notna()]
    typer.echo(f"{len(dupes)} may duplicate built-in incidents (within a day and 5 km):")
    for _, row in dupes.iterrows():
        typer.echo(f"  {row['id']} ~ {row['possible_duplicate_of']}")
    if output is not None:
        _write_export({"imported_incidents": frame}, fmt, {"imported_from": file.name}, output, frames,
                      result.attribution)


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
    repo = root or _repo_root(Path.cwd()) or _repo_root(layer_io.REPO_ROOT)
    if repo is None:
        typer.echo("build-data needs a borderviz checkout (scripts/build_data.py and data/sources); "
                   "none found here or above.", err=True)
        raise typer.Exit(2)
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


if __name__ == "__main__":
    app()
