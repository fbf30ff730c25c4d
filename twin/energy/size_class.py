"""TABULA size class of each building from its footprint, storeys and party walls.

The size classes of the TABULA typologies (``building_types.SIZE_CLASSES``) are told apart by
the number of storeys and the floor area; the thresholds are the medians of the generic
TABULA types of the 20 countries (``tsib_episcope.csv``: single-family and terraced houses
2 storeys and 136 / 125 m² of reference floor area, 90 % of them below 250 m²;
multi-family houses 3 storeys and 883 m²; apartment blocks 5 storeys and 1,713 m²):

- at most ``HOUSE_MAX_STOREYS`` storeys and a gross floor area (footprint x storeys) of at most
  ``HOUSE_MAX_FLOOR_AREA``: a house, terraced (TH) when it shares a wall with a neighbour
  (``party_walls.py``), else single-family (SFH);
- otherwise ``BLOCK_MIN_STOREYS`` storeys or more: an apartment block (AB); else a
  multi-family house (MFH);
- no footprint or no storeys: ``default`` (counted by the caller).
"""

from __future__ import annotations

import numpy as np

HOUSE_MAX_STOREYS = 3
HOUSE_MAX_FLOOR_AREA = 400.0
"""m² gross: larger buildings of up to three storeys are multi-family houses."""
BLOCK_MIN_STOREYS = 5


def size_classes(footprint: np.ndarray, storeys: np.ndarray, party_wall_area: np.ndarray,
                 default: str) -> tuple[np.ndarray, np.ndarray]:
    """(size class of each building, mask of the buildings that took ``default``).

    footprint: m²; storeys: [-], NaN where unknown; party_wall_area: m² shared with touching
    neighbours.
    """
    footprint = np.asarray(footprint, dtype=np.float64)
    storeys = np.asarray(storeys, dtype=np.float64)
    unknown = ~(np.isfinite(footprint) & (footprint > 0) & np.isfinite(storeys) & (storeys >= 1))
    house = (storeys <= HOUSE_MAX_STOREYS) & (footprint * storeys <= HOUSE_MAX_FLOOR_AREA)
    attached = np.asarray(party_wall_area, dtype=np.float64) > 0.0
    out = np.where(storeys >= BLOCK_MIN_STOREYS, "AB", "MFH").astype(object)
    out[house & attached] = "TH"
    out[house & ~attached] = "SFH"
    out[unknown] = default
    return out, unknown
