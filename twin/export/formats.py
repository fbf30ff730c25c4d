"""The export formats and how an output's name tells one."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError

FORMATS = ("cityjson", "glb", "3dtiles", "ngsi-ld")
SUFFIXES = {".city.json": "cityjson", ".json": "cityjson", ".glb": "glb", ".jsonld": "ngsi-ld",
            ".json-ld": "ngsi-ld"}
"""Output name endings and the format each means; a name without a suffix is a 3D Tiles folder."""


def format_of(output: Path, given: str | None) -> str:
    """The export format: ``given``, else the one ``output``'s name ends with.

    Parameters
    ----------
    output : Path
        The file or folder to write: ``.city.json`` / ``.json`` CityJSON, ``.glb`` glTF binary,
        ``.jsonld`` NGSI-LD, a name without a suffix a 3D Tiles folder.
    given : str or None
        The format asked for (one of ``FORMATS``), None to go by the name.

    Returns
    -------
    str
        One of ``FORMATS``.

    Raises
    ------
    InputError
        For an unknown format or name ending.
    """
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
