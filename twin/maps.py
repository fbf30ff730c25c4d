"""A 2D overview map of a twin as a PNG (matplotlib): terrain shading, the base map (water,
green, land use, rail), buildings coloured by height, road links coloured by free speed. For reports and headless runs; the 3D view is the viewer's."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LightSource
from matplotlib.patches import Patch

from twin.basemap_colours import basemap_colour, basemap_swatches
from twin.model import Twin
from twin.quantities import KMH_PER_MS


def draw_basemap(axes: Axes, basemap: gpd.GeoDataFrame | None, zorder: float = 0.0) -> bool:
    """Draw the base map (``twin.layers["basemap"]``: water, green, land use, rail) on
    ``axes`` in its colours, with a legend of its kinds in the upper left; False (nothing
    drawn) for None or an empty frame."""
    if basemap is None or len(basemap) == 0:
        return False
    kinds = basemap["kind"].astype(str)
    basemap.plot(ax=axes, color=[basemap_colour(kind) for kind in kinds],
                 linewidth=np.where(kinds == "rail", 0.8, 0.0), zorder=zorder)
    handles = [Patch(facecolor=colour, edgecolor="#777", linewidth=0.5, label=name)
               for name, colour in basemap_swatches(kinds).items()]
    axes.add_artist(axes.legend(handles=handles, title="base map", loc="upper left",
                                fontsize=7, title_fontsize=7, framealpha=0.85))
    return True


def plot_twin_map(twin: Twin, path: str | Path, dpi: int = 150) -> Path:
    """Write an overview map of ``twin`` to ``path`` (PNG) and return the path."""
    path = Path(path)
    figure, axes = plt.subplots(figsize=(9, 8), dpi=dpi)
    terrain = twin.terrain.dtm or twin.terrain.dsm
    if terrain is not None:
        xmin, ymin, xmax, ymax = terrain.bounds
        values = np.where(np.isfinite(terrain.values), terrain.values, np.nanmin(terrain.values))
        shaded = LightSource(azdeg=315, altdeg=45).hillshade(values, vert_exag=2.0)
        axes.imshow(shaded, cmap="gray", extent=(xmin, xmax, ymin, ymax), alpha=0.5, zorder=0)
    draw_basemap(axes, twin.layers.get("basemap"), zorder=1)
    if len(twin.buildings):
        twin.buildings.plot(ax=axes, column="height", cmap="viridis", legend=True, zorder=2,
                            legend_kwds={"label": "building height (m)", "shrink": 0.6})
    links = twin.network.links
    if len(links):
        speed = links["free_speed"] * KMH_PER_MS
        collection = links.assign(speed_kmh=speed).plot(
            ax=axes, column="speed_kmh", cmap="autumn", linewidth=1.2, zorder=3)
        mappable = collection.collections[-1]
        figure.colorbar(mappable, ax=axes, shrink=0.6, label="free speed (km/h)")
    extent = twin.extent()
    if extent:
        axes.set_xlim(extent[0], extent[2])
        axes.set_ylim(extent[1], extent[3])
    axes.set_aspect("equal")
    axes.ticklabel_format(useOffset=False, style="plain")
    axes.set_title(f"{twin.name} — {len(twin.buildings)} buildings, {len(links)} links ({twin.crs.to_string()})")
    axes.set_xlabel("x (m)")
    axes.set_ylabel("y (m)")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
