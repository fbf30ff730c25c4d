"""Which SUMO connection each character of a traffic light's state string controls.

``Network.signals`` keeps the phases of every SUMO ``<tlLogic>`` (one state character per
controlled connection); the ``<connection>`` elements of the same net say which connection
(from edge, to edge) sits at each ``linkIndex``. This module reads those elements again from the
twin's SUMO source files, only when a file still has the SHA-256 the twin recorded.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from twin.errors import InputError
from twin.hashing import sha256_path
from twin.model import Twin

CONNECTION_COLUMNS: dict[str, str] = {
    "tl": "object",
    "link_index": "int64",
    "from_link": "object",
    "to_link": "object",
}
"""Columns of a connections table: traffic light id, index into its state strings, the
connection's from edge and to edge (= twin link ids)."""


def read_tl_connections(path: str | Path) -> pd.DataFrame:
    """The signal-controlled connections of a SUMO net (``.net.xml``, gzipped or not)."""
    path = Path(path)
    rows = []
    try:
        with _open(path) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if element.tag == "connection":
                    tl = element.get("tl")
                    if tl is not None:
                        rows.append((tl, _link_index(path, element), element.get("from", ""),
                                     element.get("to", "")))
                    element.clear()
                elif element.tag in ("edge", "junction", "tlLogic"):
                    element.clear()
    except ParseError as error:
        line, column = error.position
        raise InputError(path, f"line {line}, column {column}", f"malformed XML: {error.msg}") from None
    except DefusedXmlException as error:
        raise InputError(path, None, f"refused unsafe XML: {error}") from None
    except OSError as error:
        raise InputError(path, None, f"cannot read: {error}") from None
    frame = pd.DataFrame(rows, columns=list(CONNECTION_COLUMNS))
    return frame.astype(CONNECTION_COLUMNS).drop_duplicates(["tl", "link_index", "from_link", "to_link"])


def twin_tl_connections(twin: Twin) -> tuple[pd.DataFrame | None, list[str]]:
    """Connections of all the twin's SUMO sources, or None if it has none that can be read
    unchanged; with a note per source skipped (missing, or changed since the import)."""
    frames, notes = [], []
    for source in twin.sources:
        if source.kind != "sumo":
            continue
        path = Path(source.path)
        if not path.is_file():
            notes.append(f"{path.name}: SUMO source not found, its signal programmes cannot be mapped")
        elif sha256_path(path) != source.sha256:
            notes.append(f"{path.name}: SUMO source changed since the import (SHA-256 differs), not used")
        else:
            frames.append(read_tl_connections(path))
    if not frames:
        return None, notes
    return pd.concat(frames, ignore_index=True), notes


def _open(path: Path) -> IO[bytes]:
    """The file as a byte stream, gunzipped if it starts with the gzip magic number."""
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")  # type: ignore[return-value]


def _link_index(path: Path, element: Element) -> int:
    value = element.get("linkIndex")
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(path, f"connection {element.get('from', '')}->{element.get('to', '')}.linkIndex",
                         f"expected an integer, found {value!r}") from None
