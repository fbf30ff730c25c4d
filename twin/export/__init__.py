"""The twin out in standard formats, for web viewers and other tools: CityJSON 2.0
(``cityjson``), glTF binary (``glb``), 3D Tiles 1.1 (``3dtiles``) and NGSI-LD Smart Data Models
entities (``ngsi-ld``), from a twin folder or from a results file (the twin its run simulated,
the run's per-building results as attributes). One module per format, ``solids`` and ``mesh``
for the shared geometry, ``frame`` for the local east-north-up frame."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError

FORMATS = ("cityjson", "glb", "3dtiles", "ngsi-ld")
SUFFIXES = {".city.json": "cityjson", ".json": "cityjson", ".glb": "glb", ".jsonld": "ngsi-ld",
            ".json-ld": "ngsi-ld"}
"""Output name endings and the format each means; a name without a suffix is a 3D Tiles folder."""


def format_of(output: Path, given: str | None) -> str:
    """The export format: ``given``, else the one ``output``'s name ends with (a folder name
    without a suffix: ``3dtiles``). InputError for an unknown format or name ending."""
    if given is not None:
        if given not in FORMATS:
            raise InputError(None, "--format", f"unknown format {given!r}; choose one of "
                                               f"{', '.join(FORMATS)}")
        return given
    name = output.name.lower()
    for suffix, kind in SUFFIXES.items():
        if name.endswith(suffix):
            return kind
    if not output.suffix:
        return "3dtiles"
    raise InputError(output, None, f"cannot tell the format from the name ending "
                                   f"{output.suffix!r}; give --format ({', '.join(FORMATS)}) or "
                                   "end the name with .city.json, .glb or .jsonld (no ending: "
                                   "a 3D Tiles folder)")
