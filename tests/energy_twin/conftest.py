"""Fixtures of the twin energy tests: the Delft sample with its stand-in weather, small twins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from pyproj import CRS

from twin.importers.building_completion import complete_buildings
from twin.importers.samples import DATASETS
from twin.importers.weather import read_weather
from twin.model import Network, Terrain, Twin, Weather

WEATHER_FILE = DATASETS / "weather" / "TRY2010_05_Jahr.dat"
RD_NEW = CRS.from_epsg(28992)


@pytest.fixture(scope="session")
def weather_file() -> Path:
    return WEATHER_FILE


@pytest.fixture(scope="session")
def weather() -> Weather:
    return read_weather(WEATHER_FILE).weather


TwinMaker = Callable[..., Twin]


@pytest.fixture(scope="session")
def make_twin(weather: Weather) -> TwinMaker:
    """make_twin(boxes, heights, **columns): a twin of box footprints (xmin, ymin, xmax, ymax in
    metres, RD New) with the given heights, completed by the import's own rules, and the
    shipped weather. Extra keyword arguments become building columns."""

    def make(boxes: Sequence[tuple[float, float, float, float]], heights: Sequence[float],
             **columns: Sequence) -> Twin:
        frame = gpd.GeoDataFrame(
            {"id": [f"b{i}" for i in range(len(boxes))], "height": list(heights),
             "base_elevation": [0.0] * len(boxes), **{k: list(v) for k, v in columns.items()}},
            geometry=[shapely.box(*b) for b in boxes], crs=RD_NEW,
        )
        buildings, _ = complete_buildings(frame, Terrain())
        extra = [k for k in columns if k not in buildings.columns]
        for k in extra:
            buildings[k] = frame[k].to_numpy()
        return Twin(name="synthetic", crs=RD_NEW, buildings=buildings,
                    network=Network.empty(RD_NEW), weather=weather)

    return make
