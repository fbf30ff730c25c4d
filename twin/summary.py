"""A plain-dict summary of a Twin: counts, extent, CRS, terrain, weather, sources, warnings."""

from __future__ import annotations

from typing import Any

import numpy as np

from twin.connectivity import connectivity_report
from twin.model import Raster, Twin


def summarize(twin: Twin) -> dict[str, Any]:
    """Counts and facts of ``twin`` as JSON-ready values (lengths m, areas m², heights m)."""
    buildings = twin.buildings
    links = twin.network.links
    extent = twin.extent()
    summary: dict[str, Any] = {
        "name": twin.name,
        "crs": twin.crs.to_string(),
        "crs_name": twin.crs.name,
        "extent": list(extent) if extent else None,
        "buildings": {
            "count": int(len(buildings)),
            "footprint_area_m2": float(buildings["footprint_area"].sum()),
            "floor_area_m2": float((buildings["footprint_area"] * buildings["floors"].astype(float)).sum()),
            "height_median_m": _median(buildings["height"]),
            "height_sources": {str(k): int(v) for k, v in buildings["height_source"].value_counts().items()},
            "uses": {str(k): int(v) for k, v in buildings["use"].value_counts().items()},
        },
        "network": {
            "nodes": int(len(twin.network.nodes)),
            "links": int(len(links)),
            "length_km": float(links["length"].sum() / 1000.0) if len(links) else 0.0,
            "signal_nodes": int((twin.network.nodes["control"] == "signal").sum()),
            "signal_phases": int(len(twin.network.signals)),
        },
        "terrain": {role: _raster_facts(r) for role, r in (("dtm", twin.terrain.dtm), ("dsm", twin.terrain.dsm))
                    if r is not None},
        "weather": None,
        "layers": {name: int(len(frame)) for name, frame in sorted(twin.layers.items())},
        "sensors": int(len(twin.sensors)),
        "sources": [{"path": s.path, "kind": s.kind, "size": s.size, "sha256": s.sha256} for s in twin.sources],
        "warnings": list(twin.warnings),
    }
    if len(links):
        report = connectivity_report(twin.network.graph)
        summary["network"].update(
            strong_components=report.n_components,
            largest_scc_node_share=report.node_share,
            largest_scc_link_share=report.link_share,
        )
    if twin.weather is not None:
        data = twin.weather.data
        location = twin.weather.location
        summary["weather"] = {
            "format": twin.weather.source_format,
            "hours": int(len(data)),
            "start": str(data.index[0]) if len(data) else None,
            "site": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "mean_temp_air_c": float(data["temp_air"].mean()),
            "ghi_kwh_m2": float(data["ghi"].sum() / 1000.0),
        }
    return summary


def _median(values: Any) -> float | None:
    array = np.asarray(values, dtype=float)
    return float(np.nanmedian(array)) if np.isfinite(array).any() else None


def _raster_facts(raster: Raster) -> dict[str, Any]:
    values = raster.values
    finite = np.isfinite(values)
    return {
        "shape": list(values.shape),
        "cell_size_m": float(abs(raster.transform.a)),
        "bounds": list(raster.bounds),
        "min_m": float(values[finite].min()) if finite.any() else None,
        "max_m": float(values[finite].max()) if finite.any() else None,
        "nodata_share": float(1.0 - finite.mean()),
    }
