"""A self-contained HTML report comparing two runs: KPI table, travel time distributions,
energy profiles, maps of the change per link and per building (matplotlib PNGs inlined).
Units are those the results files give (the KPI table's unit column, the parts' ``units``)."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from twin.printable import readable
from twin.quantities import factor, typeset
from twin.runs.compare import building_change, compare_kpis, link_change
from twin.runs.results_file import Results

TRAVEL_TIME_UNIT = "min"
"""Travel times are shown in minutes."""
ENERGY_UNIT, LOAD_UNIT = "MWh", "MW"
"""Monthly energy and mean loads of all buildings are shown in MWh and MW."""

STYLE = """
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
.better { color: #1a7f37; } .worse { color: #b2182b; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; color: #555; }
code { font-size: 0.85em; }
"""


def write_report(a: Results, b: Results, path: str | Path) -> Path:
    """Write the comparison of run ``a`` (e.g. the baseline) and ``b`` to the HTML file
    ``path``; returns it."""
    path = Path(path)
    parts = [f"<h1>{html.escape(b.title)} <small>vs</small> {html.escape(a.title)}</h1>",
             _runs_table(a, b), "<h2>KPIs</h2>", _kpi_html(compare_kpis(a, b))]
    if len(b.interventions):
        items = "".join(f"<li>{html.escape(s)}</li>" for s in b.interventions["summary"])
        parts.append(f"<h2>Interventions of B</h2><ul>{items}</ul>")
    if a.mobility is not None and b.mobility is not None:
        parts += ["<h2>Mobility</h2>",
                  _figure(_travel_times(a, b), "Travel times of the arrived trips: distribution "
                          "and cumulative share."),
                  _figure(_link_map(a, b), "Change of vehicle-km per link, B - A (red: more "
                          "traffic in B; blue: less; links closed in B show their whole loss).")]
    if a.energy is not None and b.energy is not None:
        parts += ["<h2>Energy</h2>",
                  _figure(_energy_profiles(a, b), "Heating and cooling of all buildings: "
                          "monthly totals and the mean day (UTC hours)."),
                  _figure(_building_map(a, b), "Change of annual heating need per m2 of floor, "
                          "B - A (blue: less heating in B).")]
    document = ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
                f"<title>{html.escape(b.title)} vs {html.escape(a.title)}</title>"
                f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path


def _runs_table(a: Results, b: Results) -> str:
    rows = []
    for label, run in (("A", a), ("B", b)):
        p = run.provenance
        rows.append(f"<tr><td>{label}</td><td class='text'>{html.escape(run.title)}</td>"
                    f"<td class='text'><code>{html.escape(run.path.name)}</code></td>"
                    f"<td class='text'><code>{p['scenario_sha256'][:12]}</code></td>"
                    f"<td>{p['seed']}</td><td class='text'>{html.escape(p['finished'])}</td></tr>")
    return ("<table><tr><th></th><th>scenario</th><th>results file</th><th>scenario SHA-256</th>"
            f"<th>seed</th><th>finished (UTC)</th></tr>{''.join(rows)}</table>")


def _kpi_html(table: pd.DataFrame) -> str:
    rows = []
    for name, r in table.iterrows():
        pct = "" if pd.isna(r["pct_change"]) else f"{r['pct_change']:+.1f} %"
        cls = r["verdict"]
        rows.append(f"<tr><td title='{html.escape(str(r['definition']))}'>{html.escape(name)}</td>"
                    f"<td>{readable(r['a'])}</td><td>{readable(r['b'])}</td>"
                    f"<td class='{cls}'>{readable(r['change'], '+')}</td><td class='{cls}'>{pct}</td>"
                    f"<td class='text'>{html.escape(str(r['unit']))}</td></tr>")
    return ("<table><tr><th>KPI</th><th>A</th><th>B</th><th>change</th><th>% change</th>"
            f"<th>unit</th></tr>{''.join(rows)}</table>")




def _figure(fig: Figure, caption: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"<figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


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


def _diverging(values: np.ndarray) -> TwoSlopeNorm:
    bound = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    bound = bound or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)


def _link_map(a: Results, b: Results, series: str = "vehicle_km") -> Figure:
    change = link_change(a, b, series)
    fig, ax = _map_axes()
    norm = _diverging(change["change"].to_numpy())
    assert b.mobility is not None
    unit = typeset(b.mobility.units["series"].get(series, ""))
    change.plot(ax=ax, column="change", cmap="RdBu_r", norm=norm, linewidth=1.6, legend=True,
                legend_kwds={"label": f"{series} ({unit}), B - A", "shrink": 0.6})
    return fig


def _building_map(a: Results, b: Results, column: str = "heating_kWh_m2") -> Figure:
    change = building_change(a, b, column)
    fig, ax = _map_axes()
    norm = _diverging(change["change"].to_numpy())
    assert b.energy is not None
    unit = typeset(b.energy.units["buildings"].get(column, ""))
    change.plot(ax=ax, column="change", cmap="RdBu_r", norm=norm, edgecolor="#555",
                linewidth=0.2, legend=True, missing_kwds={"color": "#ddd"},
                legend_kwds={"label": f"{column} ({unit}), B - A", "shrink": 0.6})
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
