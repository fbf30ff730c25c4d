"""Compare two runs: the KPI table side by side, per-link and per-building changes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from twin.runs.kpis import kpi_quantity
from twin.runs.results_file import Results


def compare_kpis(a: Results, b: Results) -> pd.DataFrame:
    """KPIs of both runs, indexed ``module.name`` (those of A first, then those only in B):
    columns a, b, change (b - a), pct_change (100 x change / |a|, NaN where a is 0 or missing),
    unit, definition, and ``verdict``: ``better`` or ``worse`` by which way the quantities
    table says is better, ``""`` where it says neither or nothing changed."""
    names = list(a.kpis.index) + [n for n in b.kpis.index if n not in a.kpis.index]
    va = a.kpis["value"].reindex(names)
    vb = b.kpis["value"].reindex(names)
    change = vb - va
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(va.abs() > 0, 100.0 * change / va.abs(), np.nan)
    meta = pd.concat([a.kpis[["unit", "definition"]], b.kpis[["unit", "definition"]]])
    meta = meta[~meta.index.duplicated()].reindex(names)
    return pd.DataFrame({"a": va, "b": vb, "change": change, "pct_change": pct,
                         "unit": meta["unit"], "definition": meta["definition"],
                         "verdict": [_verdict(n, c) for n, c in zip(names, change)]},
                        index=pd.Index(names, name="kpi"))


def _verdict(kpi: str, change: float) -> str:
    """``better``, ``worse`` or ``""`` for a KPI's change."""
    q = kpi_quantity(kpi)
    if q is None or q.better is None or pd.isna(change) or change == 0:
        return ""
    return "better" if (change > 0) == (q.better == "higher") else "worse"


def link_change(a: Results, b: Results, series: str = "vehicle_km") -> gpd.GeoDataFrame:
    """Per link of B's network: the run total of ``series`` in A and B and the change; links
    only in one run count 0 in the other (a closed link shows its whole loss)."""
    if a.mobility is None or b.mobility is None:
        raise ValueError("link_change: both runs need mobility results")
    total_a = pd.Series(a.mobility.series[series].sum(axis=0), index=a.mobility.links["id"])
    total_b = pd.Series(b.mobility.series[series].sum(axis=0), index=b.mobility.links["id"])
    links = pd.concat([b.mobility.links, a.mobility.links[~a.mobility.links["id"].isin(
        b.mobility.links["id"])]], ignore_index=True)
    value_a = total_a.reindex(links["id"]).fillna(0.0).to_numpy()
    value_b = total_b.reindex(links["id"]).fillna(0.0).to_numpy()
    return gpd.GeoDataFrame({"id": links["id"].to_numpy(), "a": value_a, "b": value_b,
                             "change": value_b - value_a},
                            geometry=links.geometry.to_numpy(), crs=b.mobility.links.crs)


def building_change(a: Results, b: Results, column: str = "heating_kWh_m2") -> gpd.GeoDataFrame:
    """Per building of B: ``column`` in A and B and the change (NaN where a building is in one
    run only or was not simulated)."""
    if a.energy is None or b.energy is None:
        raise ValueError("building_change: both runs need energy results")
    value_a = a.energy.buildings[column].reindex(b.energy.buildings.index).to_numpy(np.float64)
    value_b = b.energy.buildings[column].to_numpy(np.float64)
    return gpd.GeoDataFrame({"a": value_a, "b": value_b, "change": value_b - value_a},
                            index=b.energy.buildings.index,
                            geometry=b.energy.buildings.geometry.to_numpy(),
                            crs=b.energy.buildings.crs)
