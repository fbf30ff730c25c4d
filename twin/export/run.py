"""One export from start to end: read the source, build the format, write the output whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from twin.export.cityjson import cityjson_bytes
from twin.export.colours import default_attribute
from twin.export.faces import building_faces
from twin.export.files import write_file, write_folder
from twin.export.ngsild import entities
from twin.export.scene import scene_glb
from twin.export.source import read_source
from twin.export.tiles3d import TILESET, write_tileset
from twin.model import Twin


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote.

    Attributes
    ----------
    output : Path
        The file or folder written.
    format : str
        Its format (``cityjson``, ``glb``, ``3dtiles``, ``ngsi-ld``).
    facts : tuple of str
        One line per fact: counts written and left out, the colouring's range and unit.
    """

    output: Path
    format: str
    facts: tuple[str, ...]


def export(source: Path, output: Path, kind: str, colour: str | None = None,
           clock: str | None = None) -> ExportReport:
    """Export a twin folder or results file ``source`` to ``output`` in format ``kind``.

    Parameters
    ----------
    source : Path
        A twin folder (``NAME.twin``) or results file (``.h5``).
    output : Path
        The file (folder for ``3dtiles``) to write; written whole or not at all.
    kind : str
        ``cityjson``, ``glb``, ``3dtiles`` or ``ngsi-ld`` (``twin.export.FORMATS``).
    colour : str, optional
        Numeric building attribute to colour by (glb, 3dtiles); default: heating need per
        m² of a results file, else the height.
    clock : str, optional
        ``HH:MM`` on the run's clock: the one bin of flows to export (ngsi-ld).

    Returns
    -------
    ExportReport
        The output and facts about it.
    """
    read = read_source(source)
    twin = read.twin
    attribute = colour if colour is not None else default_attribute(twin.buildings)
    if kind == "cityjson":
        content, left_out = cityjson_bytes(twin)
        write_file(output, content)
        facts = [f"{len(twin.buildings) - left_out} buildings {_lods(twin, left_out)}",
                 *([f"{left_out} without a footprint or height left out"] if left_out else [])]
    elif kind == "glb":
        content, legend = scene_glb(twin, attribute)
        write_file(output, content)
        facts = [f"{len(twin.buildings)} buildings {_lods(twin)}, "
                 f"{len(twin.network.links)} links",
                 _legend_line(legend)]
    elif kind == "3dtiles":
        written: dict = {}
        write_folder(output, TILESET,
                     lambda folder: written.update(write_tileset(twin, folder, attribute)))
        left_out = len(twin.buildings) - written["buildings"]
        facts = [f"{written['buildings']} buildings {_lods(twin, left_out)} in "
                 f"{written['tiles']} tiles",
                 _legend_line(written["legend"])]
    else:
        found = entities(read, clock)
        write_file(output, orjson.dumps(found))
        kinds: dict[str, int] = {}
        for entity in found:
            kinds[entity["type"]] = kinds.get(entity["type"], 0) + 1
        facts = [", ".join(f"{n} {k}" for k, n in kinds.items()) or "no entities"]
    return ExportReport(output, kind, tuple(f for f in facts if f))


def _lods(twin: Twin, left_out: int = 0) -> str:
    """``(k LoD2, m LoD1)``: how many of the buildings written leave with their LoD2 faces and
    how many as extruded footprints."""
    faces = len(building_faces(twin.layers, [str(i) for i in twin.buildings["id"]]))
    return f"({faces} LoD2, {len(twin.buildings) - left_out - faces} LoD1)"


def _legend_line(legend: dict) -> str:
    if not legend:
        return ""
    unit = f" {legend['unit']}" if legend["unit"] else ""
    return (f"coloured by {legend['attribute']}: {legend['minimum']:.4g} to "
            f"{legend['maximum']:.4g}{unit} ({legend['colour_map']})")
