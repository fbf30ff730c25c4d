"""Synthetic CityJSON like 3dfier's LoD1 output, for the import benchmark.

Each building is a footprint (rectangle, L-shape or convex polygon, 4-9 corners, 6-25 m across)
extruded from ground level to its roof height: one Solid with GroundSurface / RoofSurface /
WallSurface semantics, vertices quantised with a ``transform`` (scale 1 mm), Dutch BGT-like
attributes and ``measuredHeight``, placed on a jittered grid in RD New (EPSG:7415).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import orjson

ORIGIN = (80000.0, 440000.0)
"""South-west corner of the generated district in RD New, m."""
SPACING = 30.0
"""Grid spacing between building centres, m."""
SCALE = 0.001
"""Vertex quantisation of the transform, m."""


def _footprint(rng: np.random.Generator) -> np.ndarray:
    """Counter-clockwise footprint corners (k, 2) around (0, 0), m."""
    kind = rng.integers(3)
    w, d = rng.uniform(6.0, 20.0, size=2)
    if kind == 0:
        pts = [(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2), (-w / 2, d / 2)]
    elif kind == 1:
        cw, cd = w * rng.uniform(0.3, 0.7), d * rng.uniform(0.3, 0.7)
        pts = [(-w / 2, -d / 2), (w / 2, -d / 2), (w / 2, d / 2 - cd),
               (w / 2 - cw, d / 2 - cd), (w / 2 - cw, d / 2), (-w / 2, d / 2)]
    else:
        k = int(rng.integers(5, 10))
        angles = np.sort(rng.uniform(0.0, 2 * np.pi, size=k))
        r = rng.uniform(4.0, 12.0)
        pts = list(zip(r * np.cos(angles), r * np.sin(angles)))
    rot = rng.uniform(0.0, 2 * np.pi)
    c, s = np.cos(rot), np.sin(rot)
    xy = np.asarray(pts)
    return np.column_stack((c * xy[:, 0] - s * xy[:, 1], s * xy[:, 0] + c * xy[:, 1]))


def _building(rng: np.random.Generator, i: int, grid: int, first_vertex: int
              ) -> tuple[dict, np.ndarray]:
    """One extruded LoD1 building: its CityObject and its quantised vertices (2k, 3)."""
    row, col = divmod(i, grid)
    centre = np.array([ORIGIN[0] + col * SPACING, ORIGIN[1] + row * SPACING])
    xy = _footprint(rng) + centre + rng.uniform(-2.0, 2.0, size=2)
    k = len(xy)
    ground = rng.uniform(-1.0, 2.0)
    height = rng.uniform(3.0, 30.0)
    z = np.concatenate((np.full(k, ground), np.full(k, ground + height)))
    vertices = np.column_stack((np.tile(xy, (2, 1)), z))
    bottom = list(range(first_vertex, first_vertex + k))
    top = [v + k for v in bottom]
    surfaces = [[bottom[::-1]], [top]]
    surfaces += [[[bottom[j], bottom[(j + 1) % k], top[(j + 1) % k], top[j]]] for j in range(k)]
    obj = {
        "type": "Building",
        "attributes": {
            "bgt_status": "bestaand",
            "bronhouder": "G0503",
            "creationdate": "2014-07-09",
            "identificatiebagpnd": f"5031000000{i:05d}",
            "inonderzoek": "0",
            "lokaalid": f"G0503.{i:032x}",
            "lv_publicatiedatum": "2016-04-12T11:54:23.000",
            "measuredHeight": round(float(height), 2),
            "min-height-surface": round(float(ground), 2),
            "namespace": "NL.IMGeo",
            "plus_status": "geenWaarde",
            "relatievehoogteligging": "0",
            "tijdstipregistratie": "2016-03-15T12:02:49.000",
        },
        "geometry": [{
            "type": "Solid",
            "lod": "1",
            "boundaries": [surfaces],
            "semantics": {
                "surfaces": [{"type": "GroundSurface"}, {"type": "RoofSurface"},
                             {"type": "WallSurface"}],
                "values": [[0, 1] + [2] * k],
            },
        }],
    }
    return obj, vertices


def synthetic_cityjson(n_buildings: int, seed: int = 7) -> dict:
    """A CityJSON 2.0 document with ``n_buildings`` extruded LoD1 buildings."""
    rng = np.random.default_rng(seed)
    grid = int(np.ceil(np.sqrt(n_buildings)))
    objects: dict[str, dict] = {}
    blocks: list[np.ndarray] = []
    count = 0
    for i in range(n_buildings):
        obj, vertices = _building(rng, i, grid, count)
        objects[f"NL.IMBAG.Pand.{i:010d}"] = obj
        blocks.append(vertices)
        count += len(vertices)
    coords = np.vstack(blocks)
    translate = np.floor(coords.min(axis=0))
    quantised = np.round((coords - translate) / SCALE).astype(np.int64)
    return {
        "type": "CityJSON",
        "version": "2.0",
        "transform": {"scale": [SCALE] * 3, "translate": translate.tolist()},
        "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/7415"},
        "CityObjects": objects,
        "vertices": quantised.tolist(),
    }


def write_synthetic_cityjson(path: Path, n_buildings: int, seed: int = 7) -> Path:
    """Write :func:`synthetic_cityjson` to ``path`` and return it."""
    path.write_bytes(orjson.dumps(synthetic_cityjson(n_buildings, seed)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_synthetic_cityjson(args.output, args.buildings, args.seed)


if __name__ == "__main__":
    main()
