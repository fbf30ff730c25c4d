"""Dataclasses of per-system parameters (heating systems, PV systems): every field holds one
value for all systems or one value per system, and is stored as one float64 per system."""

from __future__ import annotations

from dataclasses import field, fields
from typing import Any

import numpy as np


def default(value: float) -> np.ndarray:
    """A field default: ``value`` for every system (a 0-d array, broadcast on construction)."""
    return field(default_factory=lambda: np.array(value))


def broadcast(systems: Any, n: int) -> None:
    """Store every field of the frozen dataclass ``systems`` as ``n`` float64 values.

    Raises ValueError naming the first field with neither one nor ``n`` values.
    """
    for f in fields(systems):
        v = np.asarray(getattr(systems, f.name), dtype=np.float64).ravel()
        if v.size not in (1, n):
            raise ValueError(f"{type(systems).__name__}.{f.name}: expected 1 or {n} values, "
                             f"got {v.size}")
        object.__setattr__(systems, f.name, np.broadcast_to(v, (n,)).copy())


def fields_at(systems: Any, rows: slice | np.ndarray) -> dict[str, np.ndarray]:
    """The fields of ``systems`` at ``rows`` (a slice, indices or a mask), by name."""
    return {f.name: getattr(systems, f.name)[rows] for f in fields(systems)}
