"""Synthetic LoD2 CityGML 2.0 like the German states' official tiles, for the import benchmark.

Each building is a gabled house (a rectangle 8-20 m by 6-14 m, any orientation, eaves 3-12 m,
roof pitch 20-50°): ground, four walls (two of them gables), two roof faces, each a
``bldg:boundedBy`` thematic surface with a gml:id'd polygon, and an ``lod2Solid`` of
``xlink:href`` references to them and an ``lod2TerrainIntersection`` (the ground outline), in
the order of NRW's files; ALKIS ``function`` and ``measuredHeight``, on a jittered grid in
ETRS89 / UTM 32N (AdV URN srsName).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ORIGIN = (326000.0, 5730000.0)
"""South-west corner of the generated district in ETRS89 / UTM 32N, m."""
SPACING = 30.0
"""Grid spacing between building centres, m."""
SRS = "urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH*GCG2016"

HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<core:CityModel xmlns:core="http://www.opengis.net/citygml/2.0" \
xmlns:bldg="http://www.opengis.net/citygml/building/2.0" xmlns:gml="http://www.opengis.net/gml" \
xmlns:xlink="http://www.w3.org/1999/xlink">
<gml:boundedBy><gml:Envelope srsName="{SRS}" srsDimension="3">\
<gml:lowerCorner>{{low}}</gml:lowerCorner><gml:upperCorner>{{high}}</gml:upperCorner>\
</gml:Envelope></gml:boundedBy>
"""
FACES = (("GroundSurface", (0, 3, 2, 1)), ("WallSurface", (0, 1, 5, 4)),
         ("WallSurface", (1, 2, 6, 9, 5)), ("WallSurface", (2, 3, 7, 6)),
         ("WallSurface", (3, 0, 4, 8, 7)), ("RoofSurface", (4, 5, 9, 8)),
         ("RoofSurface", (6, 7, 8, 9)))
"""Thematic surface and corner numbers (outward, counter-clockwise seen from outside) of each
face: 0-3 ground corners, 4-7 eaves corners above them, 8 and 9 the west and east ridge ends."""


def gabled_house(rng: np.random.Generator, centre: np.ndarray) -> np.ndarray:
    """The ten corners (10, 3) of one gabled house around ``centre``, m."""
    w, d = rng.uniform(8.0, 20.0), rng.uniform(6.0, 14.0)
    ground, eaves = rng.uniform(30.0, 60.0), rng.uniform(3.0, 12.0)
    rise = d / 2 * np.tan(np.radians(rng.uniform(20.0, 50.0)))
    local = np.array([(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)] * 2
                     + [(-w / 2, 0.0), (w / 2, 0.0)])
    z = np.array([ground] * 4 + [ground + eaves] * 4 + [ground + eaves + rise] * 2)
    angle = rng.uniform(0.0, 2 * np.pi)
    c, s = np.cos(angle), np.sin(angle)
    x = centre[0] + c * local[:, 0] - s * local[:, 1]
    y = centre[1] + s * local[:, 0] + c * local[:, 1]
    return np.column_stack((x, y, z))


def _pos(points: np.ndarray) -> str:
    """A posList text of (n, 3) points, mm precision."""
    return " ".join(f"{x:.3f} {y:.3f} {z:.3f}" for x, y, z in points)


def _building_xml(i: int, corners: np.ndarray) -> str:
    """One Building element with its seven thematic surfaces and its solid."""
    bid = f"DENW00BENCH{i:07d}"
    refs = "".join(f'<gml:surfaceMember xlink:href="#{bid}_p{k}"/>' for k in range(len(FACES)))
    parts = [f'<core:cityObjectMember><bldg:Building gml:id="{bid}">'
             "<bldg:function>31001_1010</bldg:function>"
             f'<bldg:measuredHeight uom="urn:adv:uom:m">'
             f"{corners[:, 2].max() - corners[:, 2].min():.3f}</bldg:measuredHeight>"
             f"<bldg:lod2Solid><gml:Solid><gml:exterior><gml:CompositeSurface>{refs}"
             "</gml:CompositeSurface></gml:exterior></gml:Solid></bldg:lod2Solid>"
             "<bldg:lod2TerrainIntersection><gml:MultiCurve><gml:curveMember><gml:LineString>"
             f'<gml:posList srsDimension="3">{_pos(corners[[0, 1, 2, 3, 0]])}</gml:posList>'
             "</gml:LineString></gml:curveMember></gml:MultiCurve>"
             "</bldg:lod2TerrainIntersection>"]
    for k, (kind, ring) in enumerate(FACES):
        pos = _pos(corners[list(ring) + [ring[0]]])
        parts.append(f'<bldg:boundedBy><bldg:{kind} gml:id="{bid}_s{k}"><bldg:lod2MultiSurface>'
                     f'<gml:MultiSurface><gml:surfaceMember><gml:Polygon gml:id="{bid}_p{k}">'
                     f'<gml:exterior><gml:LinearRing><gml:posList srsDimension="3">{pos}'
                     "</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>"
                     "</gml:surfaceMember></gml:MultiSurface></bldg:lod2MultiSurface>"
                     f"</bldg:{kind}></bldg:boundedBy>")
    parts.append("</bldg:Building></core:cityObjectMember>\n")
    return "".join(parts)


def write_synthetic_citygml(path: Path, n: int, seed: int = 1) -> Path:
    """Write ``n`` gabled LoD2 houses to ``path`` (CityGML 2.0) and return it."""
    rng = np.random.default_rng(seed)
    grid = int(np.ceil(np.sqrt(n)))
    extent = grid * SPACING
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER.format(low=f"{ORIGIN[0]} {ORIGIN[1]} 0",
                                high=f"{ORIGIN[0] + extent} {ORIGIN[1] + extent} 200"))
        for i in range(n):
            row, col = divmod(i, grid)
            centre = np.array([ORIGIN[0] + (col + 0.5) * SPACING, ORIGIN[1] + (row + 0.5) * SPACING])
            out.write(_building_xml(i, gabled_house(rng, centre + rng.uniform(-2.0, 2.0, 2))))
        out.write("</core:CityModel>\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--buildings", type=int, default=100_000)
    args = parser.parse_args()
    write_synthetic_citygml(args.output, args.buildings)


if __name__ == "__main__":
    main()
