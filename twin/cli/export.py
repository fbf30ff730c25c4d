"""``twin export``: a twin or a run's results out as CityJSON 2.0, glTF (GLB), 3D Tiles 1.1 or
NGSI-LD Smart Data Models entities."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    export = commands.add_parser(
        "export", help="export a twin or results file to CityJSON, glTF, 3D Tiles or NGSI-LD",
        description="Write the buildings (LoD2 sources: their roof, wall and ground faces; "
                    "others LoD1: footprint extruded by height; with semantic surfaces) and, "
                    "from a results file, the run's per-building results as "
                    "attributes: CityJSON 2.0 (.city.json), glTF binary of the scene coloured "
                    "by an attribute (.glb), a 3D Tiles 1.1 folder (no suffix), or NGSI-LD "
                    "Smart Data Models entities (.jsonld).")
    export.add_argument("source", type=Path, metavar="TWIN|RESULTS",
                        help="twin folder (NAME.twin) or results file (.h5)")
    export.add_argument("-o", "--output", type=Path, required=True,
                        help="file or (3D Tiles) folder to write")
    export.add_argument("--format", help="cityjson, glb, 3dtiles or ngsi-ld (default: from the "
                                         "output's name)")
    export.add_argument("--colour-by", "--color-by", dest="colour_by", metavar="ATTRIBUTE",
                        help="numeric building attribute to colour glb and 3dtiles by (default: "
                             "heating_kWh_m2 of a results file, else height)")
    export.add_argument("--time", metavar="HH:MM",
                        help="ngsi-ld from a results file: only the link flows of the bin at "
                             "this time on the run's clock (default: every bin)")
    export.set_defaults(handler=_export_command)


def _export_command(args: argparse.Namespace) -> int:
    from twin.cli.output import console, styled
    from twin.errors import InputError
    from twin.export import export, format_of

    kind = format_of(args.output, args.format)
    if args.time is not None and kind != "ngsi-ld":
        raise InputError(None, "--time", "only the ngsi-ld format has time steps (link flows)")
    report = export(args.source, args.output, kind, args.colour_by, args.time)
    out = console()
    for fact in report.facts:
        out.print(f"  {fact}", highlight=False, soft_wrap=True)
    out.print(styled("written ", (str(report.output), "bold"), f" ({report.format})"))
    return 0
