"""What the energy model makes of a twin's buildings, for ``twin info`` and ``twin import``."""

from __future__ import annotations

from typing import Any

from twin.energy.inputs import choose_archetypes
from twin.energy.settings import DEFAULT_SETTINGS, EnergySettings
from twin.model import Twin


def energy_facts(twin: Twin, settings: EnergySettings = DEFAULT_SETTINGS) -> dict[str, Any] | None:
    """The country of the typology and where it came from, the heated and unheated
    buildings, the size classes of the heated ones and the archetype fallbacks, by reason
    (counts of buildings, JSON-ready); None for a twin without buildings."""
    if not len(twin.buildings):
        return None
    chosen = choose_archetypes(twin, settings)
    heated = chosen.heated.mask
    return {
        "country": chosen.country,
        "country_from": chosen.country_from,
        "heated": int(heated.sum()),
        "unheated": int((~heated).sum()),
        "size_classes": {str(k): int(v) for k, v in
                         chosen.params.loc[heated, "size_class"].value_counts().items()},
        "fallbacks": dict(chosen.fallbacks.counts),
    }
