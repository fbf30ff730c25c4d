"""A self-contained HTML report comparing two runs, rendered from a Jinja2 template: KPI table
(changes coloured better or worse, the unfinished trips stated beside the travel times, empty
cells explained), travel time distributions, energy profiles, maps of the change per link and
per building over the base twin's base map (matplotlib PNGs inlined; colours over ±the 98 %
quantile of the changes' magnitudes, as in the viewer, larger changes clipped and the legend
saying so). Units are those the results files give (the KPI table's unit column, the parts'
``units``)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from twin.colour_range import symmetric_range
from twin.maps import draw_basemap
from twin.mobility.kpis import UNFINISHED
from twin.printable import readable
from twin.quantities import factor, typeset
from twin.runs.compare import building_change, compare_kpis, link_change
from twin.runs.results_file import Results
from twin.runs.simulated_twin import base_twin
from twin.scenarios import ScenarioError

TRAVEL_TIME_UNIT = "min"
"""Travel times are shown in minutes."""
ENERGY_UNIT, LOAD_UNIT = "MWh", "MW"
"""Monthly energy and mean loads of all buildings are shown in MWh and MW."""

BASEMAP_LAYER = "basemap"
"""The twin layer the maps draw under the changes (``twin.importers.osm_basemap``)."""
TEMPLATE = "report.html.j2"
"""The report's Jinja2 template, in ``twin/runs/templates``."""
TRAVEL_TIME_KPIS = ("mobility.mean_travel_time", "mobility.median_travel_time",
                    "mobility.p95_travel_time")
"""KPIs over the arrived trips only: the report states the unfinished trips beside them."""


def write_report(a: Results, b: Results, path: str | Path) -> Path:
    """Write the comparison of run ``a`` (e.g. the baseline) and ``b`` to the HTML file
    ``path`` (from the template ``TEMPLATE``); returns it."""
    path = Path(path)
    kpis, empty_cells = _kpi_rows(a, b)
    twin_a, twin_b = (str(run.provenance.get("twin_sha256") or "") for run in (a, b))
    sections = []
    maps = (a.mobility is not None and b.mobility is not None) or (
        a.energy is not None and b.energy is not None)
    basemap, basemap_note = _basemap(b) if maps else (None, "")
    if a.mobility is not None and b.mobility is not None:
        sections.append({"title": "Mobility", "figures": [
            _figure(_travel_times(a, b), "Travel times of the arrived trips: distribution and "
                    f"cumulative share ({_unfinished_note(a, b)})."),
            _figure(_link_map(a, b, basemap), "Change of vehicle-km per link, B - A (red: more "
                    "traffic in B; blue: less; links closed in B show their whole loss)"
                    f"{basemap_note}.")]})
    if a.energy is not None and b.energy is not None:
        sections.append({"title": "Energy", "figures": [
            _figure(_energy_profiles(a, b), "Heating and cooling of all buildings: monthly "
                    "totals and the mean day (UTC hours)."),
            _figure(_building_map(a, b, basemap), "Change of annual heating need per m2 of "
                    f"floor, B - A (blue: less heating in B){basemap_note}.")]})
    document = _environment().get_template(TEMPLATE).render(
        a_title=a.title, b_title=b.title, runs=_runs(a, b), kpis=kpis, empty_cells=empty_cells,
        different_twins=(twin_a[:12], twin_b[:12]) if twin_a and twin_b and twin_a != twin_b else None,
        interventions=list(b.interventions["summary"]) if len(b.interventions) else [],
        sections=sections)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path


def _environment() -> jinja2.Environment:
    """The templates of ``twin/runs/templates``, HTML-escaping every value."""
    return jinja2.Environment(loader=jinja2.PackageLoader("twin.runs", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def _runs(a: Results, b: Results) -> list[dict[str, object]]:
    """What the runs table says of A and B."""
    return [{"label": label, "title": run.title, "file": run.path.name,
             "scenario_sha256": run.provenance["scenario_sha256"][:12],
             "seed": run.provenance["seed"], "finished": run.provenance["finished"]}
            for label, run in (("A", a), ("B", b))]


def _kpi_rows(a: Results, b: Results) -> tuple[list[dict[str, object]], list[str]]:
    """The KPI table's rows (numbers as text, an empty cell with the number of its reason) and
    the reasons of the empty cells, in order."""
    reasons: list[str] = []
    rows = []
    for name, r in compare_kpis(a, b).iterrows():
        cells = {}
        for label, run, value in (("A", a, r["a"]), ("B", b, r["b"])):
            reason = "" if pd.notna(value) else _why_empty(label, run, str(name))
            if reason and reason not in reasons:
                reasons.append(reason)
            cells[label] = {"text": readable(value), "reason": reason,
                            "footnote": reasons.index(reason) + 1 if reason else ""}
        rows.append({"name": name, "definition": str(r["definition"]), "a": cells["A"],
                     "b": cells["B"], "change": readable(r["change"], "+"),
                     "pct_change": "" if pd.isna(r["pct_change"]) else f"{r['pct_change']:+.1f} %",
                     "verdict": r["verdict"], "unit": str(r["unit"]),
                     "note": _unfinished_note(a, b) if name in TRAVEL_TIME_KPIS else ""})
    return rows, reasons


def _why_empty(label: str, run: Results, kpi: str) -> str:
    """Why run ``label`` has no value of ``kpi``."""
    module = kpi.split(".", 1)[0]
    if getattr(run, module, None) is None and module in ("mobility", "energy"):
        return f"{label} ran no {module} simulation"
    if kpi not in run.kpis.index:
        return f"{label} does not report this KPI"
    return f"undefined in {label} (nothing to take it over, e.g. no trip arrived)"


def _unfinished_note(a: Results, b: Results) -> str:
    """The trips left out of travel times: ``arrived trips only; unfinished (not arrived by
    the end): A 12 of 5,000 (0.2 %), B ...``."""
    parts = []
    for label, run in (("A", a), ("B", b)):
        if run.mobility is None:
            continue
        trips = run.mobility.trips
        unfinished = int(trips["status"].isin(UNFINISHED).sum())
        share = f" ({100.0 * unfinished / len(trips):.1f} %)" if len(trips) else ""
        parts.append(f"{label} {readable(unfinished)} of {readable(len(trips))}{share}")
    return "arrived trips only; unfinished (not arrived by the end): " + ", ".join(parts)


def _figure(fig: Figure, caption: str) -> dict[str, str]:
    """A figure as a base64 PNG and its caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return {"png": base64.b64encode(buffer.getvalue()).decode("ascii"), "caption": caption}


def _travel_times(a: Results, b: Results) -> Figure:
    fig = Figure(figsize=(10, 3.6))
    hist, cdf = fig.subplots(1, 2)
    times = {}
    for label, run in (("A", a), ("B", b)):
        assert run.mobility is not None
        trips = run.mobility.trips
        to_minutes = factor(run.mobility.units["trips"]["travel_time"], TRAVEL_TIME_UNIT)
        times[label] = trips.loc[trips["status"] == "arrived", "travel_time"].to_numpy() * to_minutes
    top = max((np.percentile(t, 99.5) for t in times.values() if t.size), default=1.0)
    bins = np.linspace(0.0, top, 40)
    for label, t in times.items():
        hist.hist(t, bins=bins, histtype="step", linewidth=1.5, label=f"{label} ({t.size} trips)")
        cdf.plot(np.sort(t), np.linspace(0.0, 1.0, t.size, endpoint=False), label=label)
    hist.set(xlabel=f"travel time ({TRAVEL_TIME_UNIT})", ylabel="trips")
    cdf.set(xlabel=f"travel time ({TRAVEL_TIME_UNIT})", ylabel="share of trips", xlim=(0, top))
    hist.legend()
    cdf.legend()
    return fig


def _map_axes(fig_width: float = 10.0) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(fig_width, 7))
    ax = fig.subplots()
    ax.set_aspect("equal")
    ax.set_axis_off()
    return fig, ax


def _draw_change(ax: Axes, change: gpd.GeoDataFrame, label: str, **style: Any) -> None:
    """Draw ``change["change"]`` on ``ax`` in a diverging colour map centred on 0, over ±(the
    98 % quantile of the magnitudes), as the viewer colours differences
    (``twin.colour_range.symmetric_range``): one outlier does not wash out every other change.
    Larger changes take the end colours; the colour bar then has pointed ends and its label
    (``label``) says where the colours are clipped."""
    colours = symmetric_range([change["change"].to_numpy(dtype=float)])
    bound = colours.high or 1.0
    legend = {"label": label, "shrink": 0.6}
    if colours.clipped_high:
        legend.update(label=f"{label}\ncolours clipped beyond ±{bound:.4g}", extend="both")
    change.plot(ax=ax, column="change", cmap="RdBu_r", legend=True, legend_kwds=legend,
                norm=TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound), zorder=2, **style)
    _frame_on(ax, change.total_bounds)


def _basemap(run: Results) -> tuple[gpd.GeoDataFrame | None, str]:
    """The base map of the twin ``run`` started from (None if it has none or cannot be
    loaded) and what the maps' captions say of it: ``", over the base map"`` when drawn, why
    not when the base twin cannot be loaded, else ""."""
    try:
        basemap = base_twin(run).layers.get(BASEMAP_LAYER)
    except ScenarioError as error:
        return None, f" (no base map: the base twin did not load: {error})"
    if basemap is None or len(basemap) == 0:
        return None, ""
    return basemap, ", over the base map of the twin"


def _frame_on(ax: Axes, bounds: np.ndarray) -> None:
    """Show the box ``bounds`` (xmin, ymin, xmax, ymax; m) with a 3 % margin (the base map
    reaches further than the changes)."""
    xmin, ymin, xmax, ymax = bounds
    margin = 0.03 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - margin, xmax + margin)
    ax.set_ylim(ymin - margin, ymax + margin)


def _link_map(a: Results, b: Results, basemap: gpd.GeoDataFrame | None = None,
              series: str = "vehicle_km") -> Figure:
    change = link_change(a, b, series)
    fig, ax = _map_axes()
    draw_basemap(ax, basemap)
    assert b.mobility is not None
    unit = typeset(b.mobility.units["series"].get(series, ""))
    _draw_change(ax, change, f"{series} ({unit}), B - A", linewidth=1.6)
    return fig


def _building_map(a: Results, b: Results, basemap: gpd.GeoDataFrame | None = None,
                  column: str = "heating_kWh_m2") -> Figure:
    change = building_change(a, b, column)
    fig, ax = _map_axes()
    draw_basemap(ax, basemap)
    assert b.energy is not None
    unit = typeset(b.energy.units["buildings"].get(column, ""))
    _draw_change(ax, change, f"{column} ({unit}), B - A", edgecolor="#555", linewidth=0.2,
                 missing_kwds={"color": "#ddd"})
    return fig


def _energy_profiles(a: Results, b: Results) -> Figure:
    fig = Figure(figsize=(10, 3.6))
    months, day = fig.subplots(1, 2)
    width = 0.2
    for i, (label, run) in enumerate((("A", a), ("B", b))):
        energy = run.energy
        assert energy is not None
        monthly, district = energy.units["monthly"], energy.units["district"]
        x = np.arange(1, 13) + (i - 0.5) * 2 * width
        heat_m = factor(monthly["monthly_heating_kWh"], ENERGY_UNIT)
        cool_m = factor(monthly["monthly_cooling_kWh"], ENERGY_UNIT)
        months.bar(x - width / 2, energy.monthly_heating_kWh.sum(axis=0) * heat_m, width,
                   label=f"heating {label}")
        months.bar(x + width / 2, energy.monthly_cooling_kWh.sum(axis=0) * cool_m, width,
                   label=f"cooling {label}")
        heat = energy.district_heating_kW.sum(axis=1) * factor(district["heating_kW"], LOAD_UNIT)
        cool = energy.district_cooling_kW.sum(axis=1) * factor(district["cooling_kW"], LOAD_UNIT)
        day.plot(heat.groupby(heat.index.hour).mean(), label=f"heating {label}")
        day.plot(cool.groupby(cool.index.hour).mean(), "--", label=f"cooling {label}")
    months.set(xlabel="month", ylabel=ENERGY_UNIT, xticks=range(1, 13))
    day.set(xlabel="hour of the day (UTC, end of the hour)", ylabel=f"mean load ({LOAD_UNIT})")
    months.legend(fontsize=7)
    day.legend(fontsize=7)
    return fig
