"""Walls per real face in the solar gains: LoD2 buildings (a ``surfaces`` layer) put each wall
face on the vertical plane of its own azimuth; LoD1 buildings keep the N/E/S/W planes.

The expected gains are the orientation path's, with the rotated face's share moved from the
south plane to a plane at the face's azimuth computed here with ``surface_solar`` (Perez)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulation.energy import surface_solar
from twin.energy import EnergySettings, energy_inputs
from twin.energy.inputs import EnergyInputs
from twin.energy.solar import FACADES, SOURCE_NAMES
from twin.energy.wall_faces import STEP
from twin.importers.assemble import assemble
from twin.importers.citygml import read_citygml
from twin.model import Twin, Weather

FZK = "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml"
NRW = "LoD2_32_326_5730_1_NW.gml"
DE = EnergySettings(country="DE")
SOUTH = FACADES[2]
RTOL = 1e-12
"""Same sums of the same products, in another order."""


def lod2_twin(shared_data: Path, name: str, weather: Weather) -> Twin:
    """A CityGML LoD2 sample as a twin (its ``surfaces`` layer) with the shipped weather."""
    source = read_citygml(shared_data / "citygml-samples" / name)
    return assemble(name, [source]).replace(weather=weather)


def gains(inputs: EnergyInputs) -> np.ndarray:
    """Solar gains of each zone and hour, (n_zones, n_hours) [W]: aperture times source."""
    return inputs.zones.solar_aperture_t.T @ inputs.drivers.solar


def with_wall_azimuth(twin: Twin, old: float, new: float) -> Twin:
    """The twin with its wall face facing ``old`` [deg] turned to face ``new``."""
    layer = twin.layers["surfaces"].copy()
    face = (layer["kind"] == "wall") & (layer["azimuth"] == old)
    assert face.sum() == 1
    layer.loc[face, "azimuth"] = new
    return twin.replace(layers={**twin.layers, "surfaces": layer})


@pytest.fixture(scope="module")
def fzk(shared_data: Path, weather: Weather) -> Twin:
    """FZK-Haus: its four walls face exactly 0, 90, 180 and 270°."""
    return lod2_twin(shared_data, FZK, weather)


@pytest.fixture(scope="module")
def fzk_lod1(fzk: Twin) -> EnergyInputs:
    """FZK-Haus without its faces: the orientation path."""
    return energy_inputs(fzk.replace(layers={}), DE)


def test_faces_on_the_four_orientations_give_the_orientation_gains(fzk: Twin,
                                                                  fzk_lod1: EnergyInputs) -> None:
    faces = energy_inputs(fzk, DE)
    assert faces.solar.names == SOURCE_NAMES  # no further planes needed
    np.testing.assert_allclose(faces.zones.solar_aperture_t, fzk_lod1.zones.solar_aperture_t,
                               rtol=RTOL)
    np.testing.assert_allclose(gains(faces), gains(fzk_lod1), rtol=RTOL)
    assert gains(faces).sum() > 0.0


def test_a_face_turned_onto_another_plane_gains_that_planes_irradiance(
        fzk: Twin, fzk_lod1: EnergyInputs) -> None:
    """The south wall turned to 200°: its aperture (the south bin's, unchanged) now collects
    the irradiance of a vertical plane facing 200° instead of 180°."""
    turned = energy_inputs(with_wall_azimuth(fzk, 180.0, 200.0), DE)
    assert turned.solar.names == (*SOURCE_NAMES, "wall_200")
    aperture = fzk_lod1.zones.solar_aperture_t[SOUTH, 0]
    assert aperture > 0.0
    sun, weather = fzk_lod1.solar.sun, fzk_lod1.solar.weather
    south, plane = surface_solar([90.0, 90.0], [180.0, 200.0], weather, sun).incident
    expected = gains(fzk_lod1)[0] + aperture * (plane - south)
    np.testing.assert_allclose(gains(turned)[0], expected, rtol=1e-9, atol=1e-9 * aperture)
    assert not np.allclose(gains(turned)[0], gains(fzk_lod1)[0])  # the year's gains moved
    assert abs(gains(turned).sum() / gains(fzk_lod1).sum() - 1.0) > 1e-3


def test_a_face_between_planes_takes_their_irradiance_by_its_angle(
        fzk: Twin, fzk_lod1: EnergyInputs) -> None:
    """The south wall turned to 205°, halfway between the 200° and 210° planes: its aperture
    collects their mean; over the year that is within the linear interpolation's bound of the
    205° plane itself (``wall_faces`` docstring: STEP² / 8 rad² of the normal beam)."""
    turned = energy_inputs(with_wall_azimuth(fzk, 180.0, 205.0), DE)
    assert turned.solar.names == (*SOURCE_NAMES, "wall_200", "wall_210")
    aperture = fzk_lod1.zones.solar_aperture_t[SOUTH, 0]
    sun, weather = fzk_lod1.solar.sun, fzk_lod1.solar.weather
    south, low, high, exact = surface_solar([90.0] * 4, [180.0, 200.0, 210.0, 205.0],
                                            weather, sun).incident
    expected = gains(fzk_lod1)[0] + aperture * (0.5 * (low + high) - south)
    np.testing.assert_allclose(gains(turned)[0], expected, rtol=1e-9, atol=1e-9 * aperture)
    bound = np.radians(STEP) ** 2 / 8.0 * weather.dni.sum()
    assert abs((0.5 * (low + high) - exact).sum()) <= bound


def test_an_lod2_tile_keeps_each_buildings_wall_aperture(shared_data: Path,
                                                        weather: Weather) -> None:
    """NRW tile: every building's facade apertures move between planes, none is lost or made
    (roof and the sum over the wall planes as in the orientation path)."""
    twin = lod2_twin(shared_data, NRW, weather)
    faces = energy_inputs(twin, DE)
    lod1 = energy_inputs(twin.replace(layers={}), DE)
    assert len(faces.solar.names) > len(SOURCE_NAMES)
    assert (faces.rows == lod1.rows).all()
    a, b = faces.zones.solar_aperture_t, lod1.zones.solar_aperture_t
    np.testing.assert_allclose(a[0], b[0], rtol=RTOL)
    walls = np.r_[list(FACADES), np.arange(len(SOURCE_NAMES), a.shape[0])]
    np.testing.assert_allclose(a[walls].sum(axis=0), b[list(FACADES)].sum(axis=0), rtol=1e-9)
    assert not np.allclose(gains(faces), gains(lod1), rtol=1e-3)
