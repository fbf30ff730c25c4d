"""The buildings of a CityGML file as flat arrays: one row per chosen face, one per ring.

Both readers of the XML give this: the numba byte scanner (:mod:`.citygml_stream`) and the lxml
tree walk (:mod:`.citygml_scan`, through :func:`from_tree_scan`) for the files the scanner leaves
to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from twin.importers.citygml_scan import Scan

Attributes = dict[str, list[tuple[str, str | None]]]
"""Attributes of a Building or BuildingPart: local name -> [(text, codeSpace)]."""


@dataclass
class FileBuildings:
    """The buildings read from a file, their faces and rings, and what was skipped.

    ``coords`` are the ring corners (n, 3) in the file's axis order; ring ``r`` is
    ``coords[ring_first[r]:ring_first[r] + ring_length[r]]`` (reversed when ``ring_flip[r]``);
    face ``f`` belongs to building ``face_building[f]`` and its member ``face_member[f]``
    (0 the building, then its BuildingParts) and has the rings
    ``face_rings[f]:face_rings[f + 1]``, exterior first.
    """

    ids: list[str]
    attributes: list[list[Attributes]]
    srs_names: list[frozenset[str]]
    face_building: np.ndarray
    face_member: np.ndarray
    face_class: np.ndarray
    face_rings: np.ndarray
    surface_ids: list[str | None]
    ring_first: np.ndarray
    ring_length: np.ndarray
    ring_flip: np.ndarray
    coords: np.ndarray
    srs_name: str | None = None
    others: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    skipped_example: dict[str, str] = field(default_factory=dict)
    unresolved: int = 0

    def subset(self, keep: np.ndarray) -> FileBuildings:
        """The buildings where ``keep`` (bool per building), renumbered, with their faces."""
        faces = keep[self.face_building]
        new_row = np.cumsum(keep) - 1
        lengths = np.diff(self.face_rings)[faces]
        ring_rows = np.repeat(faces, np.diff(self.face_rings))
        rows = np.flatnonzero(keep)
        return FileBuildings(
            ids=[self.ids[k] for k in rows],
            attributes=[self.attributes[k] for k in rows],
            srs_names=[self.srs_names[k] for k in rows],
            face_building=new_row[self.face_building[faces]],
            face_member=self.face_member[faces],
            face_class=self.face_class[faces],
            face_rings=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            surface_ids=[s for s, f in zip(self.surface_ids, faces, strict=True) if f],
            ring_first=self.ring_first[ring_rows], ring_length=self.ring_length[ring_rows],
            ring_flip=self.ring_flip[ring_rows], coords=self.coords, srs_name=self.srs_name,
            others=self.others, skipped=self.skipped, skipped_example=self.skipped_example,
            unresolved=self.unresolved)


def from_tree_scan(scan: Scan) -> FileBuildings:
    """The flat arrays of what :func:`.citygml_scan.scan_citygml` read."""
    face_building: list[int] = []
    face_member: list[int] = []
    face_class: list[int] = []
    ring_counts: list[int] = []
    surface_ids: list[str | None] = []
    rings: list[tuple[int, int, bool]] = []
    for row, building in enumerate(scan.buildings):
        for face in building.faces:
            face_building.append(row)
            face_member.append(face.member)
            face_class.append(face.surface_class)
            ring_counts.append(len(face.rings))
            surface_ids.append(face.surface_id)
            rings.extend(face.rings)
    first, length, flip = (np.array([ring[k] for ring in rings], dtype=np.int64)
                           for k in range(3))
    return FileBuildings(
        ids=[b.id for b in scan.buildings],
        attributes=[b.attributes for b in scan.buildings],
        srs_names=[b.srs_names for b in scan.buildings],
        face_building=np.array(face_building, dtype=np.int64),
        face_member=np.array(face_member, dtype=np.int64),
        face_class=np.array(face_class, dtype=np.int8),
        face_rings=np.concatenate(([0], np.cumsum(ring_counts))).astype(np.int64),
        surface_ids=surface_ids,
        ring_first=first, ring_length=length, ring_flip=flip.astype(bool),
        coords=np.frombuffer(scan.coords, dtype=np.float64).reshape(-1, 3).copy(),
        srs_name=scan.srs_name, others=scan.others, skipped=scan.skipped,
        skipped_example=scan.skipped_example, unresolved=scan.unresolved["references"])
