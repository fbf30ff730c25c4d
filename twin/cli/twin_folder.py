"""``twin import``, ``twin info`` and ``twin map``: build a twin folder from city data files and
describe it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twin.cli.output import PlainConsole
    from twin.model import Twin


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``import``, ``info`` and ``map`` subcommands."""
    importer = commands.add_parser(
        "import", help="import city data files into a twin folder",
        description="Import CityJSON, CityGML, OSM PBF, SUMO .net.xml, GeoPackage/GeoJSON/Shapefile, GeoTIFF "
                    "DTM/DSM, weather (EPW, TMY3, DWD TRY) and GTFS into one twin folder NAME.twin.",
    )
    importer.add_argument("files", nargs="*", type=Path, help="source files")
    importer.add_argument("--sample", help="import a shipped sample city instead (delft, helsinki)")
    importer.add_argument("-o", "--output", type=Path, required=True, help="twin folder to write (NAME.twin)")
    importer.add_argument("--name", help="twin name (default: the folder name without .twin)")
    importer.add_argument("--crs", help="twin CRS (e.g. EPSG:28992); also assumed for sources that declare none")
    importer.add_argument("--lod", help="CityJSON level of detail to use (default: the highest present)")
    importer.add_argument("--source-heights", action="store_true",
                          help="keep source building heights where DSM − DTM disagrees by more "
                               "than half a storey (default: take DSM − DTM there)")
    importer.set_defaults(handler=_import_command)

    info = commands.add_parser("info", help="describe a twin folder")
    info.add_argument("twin", type=Path, help="twin folder (NAME.twin)")
    info.add_argument("--json", action="store_true", help="print the summary as JSON")
    info.add_argument("--no-verify", action="store_true", help="skip the SHA-256 check of the files")
    info.set_defaults(handler=_info_command)

    overview = commands.add_parser("map", help="draw a 2D overview map of a twin (PNG)")
    overview.add_argument("twin", type=Path, help="twin folder (NAME.twin)")
    overview.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    overview.set_defaults(handler=_map_command)



def _import_command(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from twin.cli.output import console, styled
    from twin.errors import InputError
    from twin.importers.assemble import import_files
    from twin.importers.base import ImportOptions
    from twin.importers.crs import parse_crs
    from twin.importers.samples import sample_files
    from twin.store import save_twin

    if args.sample and args.files:
        raise InputError(None, "--sample", "give either files or --sample, not both")
    paths = sample_files(args.sample) if args.sample else list(args.files)
    if not paths:
        raise InputError(None, "files", "no source files given (or use --sample NAME)")
    crs = parse_crs(args.crs, field="--crs") if args.crs else None
    name = args.name or args.output.name.removesuffix(".twin")
    options = ImportOptions(lod=args.lod, crs=crs, dsm_heights=not args.source_heights)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console(stderr=True), transient=True) as progress:
        task = progress.add_task("importing", total=len(paths) + 1)

        def advance(file_name: str) -> None:
            progress.update(task, description=f"reading {file_name}")
            progress.advance(task)

        twin = import_files(paths, name=name, options=options, twin_crs=crs, progress=advance)
        progress.update(task, description=f"writing {args.output}")
        summary = full_summary(twin)
        save_twin(twin, args.output, summary=summary)
        progress.advance(task)
    _print_summary(summary, console())
    console().print(styled("written ", (str(args.output), "bold")))
    return 0


def _info_command(args: argparse.Namespace) -> int:
    """Print the summary stored in the manifest; read the whole twin only for a twin saved
    without one (the numerical and geodata libraries are not imported otherwise)."""
    from twin.cli.output import console, styled
    from twin.store.manifest import MANIFEST, checked_manifest
    from twin.store.stored_summary import stored_summary

    with checked_manifest(args.twin, verify=not args.no_verify, parse_crs=False) as manifest:
        summary = stored_summary(args.twin / MANIFEST, manifest)
    if summary is None:
        from twin.store import load_twin

        summary = full_summary(load_twin(args.twin, verify=not args.no_verify))
        console(stderr=True).print(
            styled(("note:", "yellow"), f" {args.twin / MANIFEST} stores no summary this version "
                                        f"reads (saved by an older version); read the whole twin"),
            highlight=False, soft_wrap=True)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _print_summary(summary, console())
    return 0


def full_summary(twin: Twin) -> dict:
    """``summarize`` and, under ``energy``, what the energy model makes of the buildings: what
    ``twin info`` prints, stored in the manifest by ``twin import``."""
    from twin.energy.facts import energy_facts
    from twin.summary import summarize

    return {**summarize(twin), "energy": energy_facts(twin)}


def _map_command(args: argparse.Namespace) -> int:
    from twin.cli.output import console, styled
    from twin.maps import plot_twin_map
    from twin.store import load_twin

    plot_twin_map(load_twin(args.twin), args.output)
    console().print(styled("written ", (str(args.output), "bold")))
    return 0


def _print_energy(energy: dict | None, out: PlainConsole) -> None:
    """The energy model's view of the buildings: country, heated, size classes, fallbacks."""
    from twin.cli.output import styled

    if not energy:
        return
    where = {"settings": "set", "location": "at the twin's centre", "none": "unknown"}
    country = energy["country"] or "unknown"
    sizes = ", ".join(f"{n} {k}" for k, n in energy["size_classes"].items())
    out.print(f"energy: typology of {country} ({where[energy['country_from']]}), "
              f"{energy['heated']} heated buildings ({sizes}), {energy['unheated']} unheated",
              highlight=False, soft_wrap=True)
    for reason, n in energy["fallbacks"].items():
        out.print(styled(("  ! ", "yellow"), f"archetypes: {n} buildings: {reason}"),
                  highlight=False, soft_wrap=True)


def _print_summary(summary: dict, out: PlainConsole) -> None:
    """The summary as a few tables: layers, terrain, weather, sources, warnings."""
    from rich.table import Table

    from twin.cli.output import styled

    out.print(styled((str(summary["name"]), "bold"), f"  CRS {summary['crs']} ({summary['crs_name']})"))
    if summary["extent"]:
        xmin, ymin, xmax, ymax = summary["extent"]
        out.print(f"extent {xmin:.1f}, {ymin:.1f} – {xmax:.1f}, {ymax:.1f} "
                      f"({(xmax - xmin) / 1000:.2f} × {(ymax - ymin) / 1000:.2f} km)")
    counts = Table("layer", "count", "facts", title="Layers")
    b = summary["buildings"]
    height = f"{b['height_median_m']:.1f} m" if b["height_median_m"] is not None else "-"
    counts.add_row("buildings", str(b["count"]),
                   f"footprint {b['footprint_area_m2']:,.0f} m², median height {height}, "
                   f"heights from {b['height_sources']}")
    n = summary["network"]
    facts = f"{n['length_km']:.1f} km of links, {n['signal_nodes']} signalised nodes"
    if "largest_scc_node_share" in n:
        facts += f", largest strongly connected component {100 * n['largest_scc_node_share']:.1f} % of nodes"
    counts.add_row("network links", str(n["links"]), facts)
    counts.add_row("network nodes", str(n["nodes"]), "")
    for name, count in summary["layers"].items():
        counts.add_row(name, str(count), "")
    counts.add_row("sensors", str(summary["sensors"]), "")
    for role, facts in summary["terrain"].items():
        counts.add_row(role, "x".join(map(str, facts["shape"])),
                       f"{facts['cell_size_m']} m cells, {facts['min_m']:.2f}..{facts['max_m']:.2f} m")
    if summary["weather"]:
        w = summary["weather"]
        counts.add_row("weather", f"{w['hours']} h",
                       f"{w['format']} {w['site']} ({w['latitude']:.3f}, {w['longitude']:.3f}), "
                       f"mean {w['mean_temp_air_c']:.1f} °C, GHI {w['ghi_kwh_m2']:.0f} kWh/m²")
    out.print(counts)
    _print_energy(summary.get("energy"), out)
    sources = Table("source", "kind", "bytes", "sha256", title="Sources")
    for s in summary["sources"]:
        sources.add_row(Path(s["path"]).name, s["kind"], f"{s['size']:,}", s["sha256"][:16] + "…")
    out.print(sources)
    if summary["warnings"]:
        out.print(styled(("warnings:", "yellow")))
        for line in summary["warnings"]:
            out.print(f"  - {line}", highlight=False, soft_wrap=True)
