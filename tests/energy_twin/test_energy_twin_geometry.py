"""Twin geometry -> kernel inputs: party walls, exposed areas, solar sources and apertures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from simulation.energy import sun_positions, surface_solar
from twin.energy import EnergySettings, energy_inputs, load_archetypes
from twin.energy.party_walls import party_wall_areas
from twin.energy.solar import SOURCE_NAMES, energy_weather, solar_sources
from twin.errors import InputError

# a terrace of three 10 m x 8 m houses along x, 6 m high: east/west walls 8 m x 6 m = 48 m²
TERRACE = [(0.0, 0.0, 10.0, 8.0), (10.0, 0.0, 20.0, 8.0), (20.0, 0.0, 30.0, 8.0)]
N, E, S, W = range(4)


def areas(boxes, heights, base=None, tolerance=0.05):
    polys = np.array([shapely.box(*b) for b in boxes])
    base = np.zeros(len(boxes)) if base is None else np.asarray(base, float)
    return party_wall_areas(polys, base, np.asarray(heights, float), tolerance)


def test_terrace_middle_house_loses_two_walls() -> None:
    a = areas(TERRACE, [6.0, 6.0, 6.0])
    np.testing.assert_allclose(a, [[0, 48, 0, 0], [0, 48, 0, 48], [0, 0, 0, 48]], atol=1e-9)


def test_gap_within_tolerance_counts_and_beyond_does_not() -> None:
    near = [(0.0, 0.0, 10.0, 8.0), (10.03, 0.0, 20.0, 8.0)]
    far = [(0.0, 0.0, 10.0, 8.0), (10.3, 0.0, 20.0, 8.0)]
    np.testing.assert_allclose(areas(near, [6.0, 6.0])[:, [E, W]], [[48, 0], [0, 48]], atol=1e-9)
    assert not areas(far, [6.0, 6.0]).any()


def test_wall_above_a_lower_neighbour_stays_exposed() -> None:
    a = areas(TERRACE[:2], [9.0, 3.0], base=[0.0, 1.0])
    # vertical overlap: [0, 9] and [1, 4] -> 3 m over the 8 m shared edge
    np.testing.assert_allclose(a[:, [E, W]], [[24, 0], [0, 24]], atol=1e-9)


def test_partly_shared_edge_and_corner_touch() -> None:
    # the second box touches the first along 4 m of its north wall; the third only at a corner
    boxes = [(0.0, 0.0, 10.0, 8.0), (2.0, 8.0, 6.0, 12.0), (10.0, 8.0, 14.0, 12.0)]
    a = areas(boxes, [6.0, 6.0, 6.0])
    np.testing.assert_allclose(a[0], [24, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(a[1], [0, 0, 24, 0], atol=1e-9)
    assert a[2].sum() == 0.0


def test_slightly_skewed_neighbour_within_tolerance() -> None:
    # the neighbour's wall runs from 0.0 to 0.04 m off the shared line over 8 m (0.3 deg)
    near = np.array([shapely.box(0.0, 0.0, 10.0, 8.0),
                     shapely.Polygon([(10.0, 0.0), (20.0, 0.0), (20.0, 8.0), (10.04, 8.0)])])
    a = party_wall_areas(near, np.zeros(2), np.full(2, 6.0))
    np.testing.assert_allclose(a[:, [E, W]], [[48, 0], [0, 48]], rtol=1e-3)


NL = EnergySettings(country="NL")


def terrace_type(code: str = "NL.N.TH.02.Gen.ReEx.001.001") -> pd.Series:
    """The typology row of the terrace's middle house (NL, 1970, terraced)."""
    return load_archetypes().types.table.set_index("code").loc[code]


def test_exposed_walls_and_windows_of_the_terrace(make_twin) -> None:
    twin = make_twin(TERRACE, [6.0, 6.0, 6.0], use=["residential"] * 3, year=[1970] * 3)
    inputs = energy_inputs(twin, NL)
    assert inputs.params["band"].tolist() == ["NL.N.TH.02.Gen.ReEx.001.001"] * 3
    e = inputs.envelope
    mid = e.iloc[1]
    assert mid["exposed_wall_e"] == pytest.approx(0.0, abs=1e-9)
    assert mid["exposed_wall_w"] == pytest.approx(0.0, abs=1e-9)
    assert mid["exposed_wall_n"] == pytest.approx(60.0)
    assert mid["exposed_wall_s"] == pytest.approx(60.0)
    assert mid["window_s"] == pytest.approx(terrace_type()["wwr"] * 60.0)
    # 2 floors of 80 m² gross x 0.85 conditioned
    assert mid["floor_area"] == pytest.approx(2 * 80.0 * 0.85)
    assert e.iloc[0]["exposed_wall_w"] == pytest.approx(48.0)


def test_solar_sources_are_the_planes_of_the_orientation_classes(weather) -> None:
    src = solar_sources(weather)
    assert src.names == SOURCE_NAMES == ("horizontal", "north", "east", "south", "west")
    d = weather.data
    site_weather = energy_weather(weather, 0.2)
    south = surface_solar([90.0], [180.0], site_weather,
                          sun_positions(site_weather)).incident[0]
    np.testing.assert_allclose(src.irradiance[3], south)
    np.testing.assert_allclose(src.irradiance[0].sum(), d["ghi"].sum(), rtol=1e-4)
    annual = src.irradiance.sum(axis=1) / 1e3
    assert annual[3] > annual[2] > annual[1] and annual[4] > annual[1]  # S > E > N, W > N


def test_apertures_go_to_the_source_of_their_orientation(make_twin) -> None:
    twin = make_twin(TERRACE, [6.0, 6.0, 6.0], use=["residential"] * 3, year=[1970] * 3)
    inputs = energy_inputs(twin, NL)
    ap = inputs.zones.solar_aperture_t  # (sources, buildings)
    p = load_archetypes().method
    t = terrace_type()
    # middle house: nothing on the adiabatic east/west walls
    assert ap[2, 1] == 0.0 and ap[4, 1] == 0.0
    window = t["wwr"] * 60.0
    opaque = 60.0 - window
    expected = (p["window_shading"] * 0.9 * t["g_window"] * (1 - p["frame_fraction"]) * window
                + p["solar_absorptance"] * 0.04 * t["u_wall"] * opaque)
    assert ap[3, 1] == pytest.approx(expected)
    assert ap[1, 1] == pytest.approx(expected)
    assert ap[0, 1] == pytest.approx(p["solar_absorptance"] * 0.04 * t["u_roof"] * 80.0)
    # end houses collect on their free gable wall
    assert ap[4, 0] > 0.0 and ap[2, 0] == 0.0 and ap[2, 2] > 0.0


def test_shading_hook_scales_the_apertures(make_twin) -> None:
    twin = make_twin(TERRACE, [6.0, 6.0, 6.0])
    base = energy_inputs(twin).zones.solar_aperture_t
    factors = np.tile([1.0, 0.5, 0.5, 0.25, 0.5], (3, 1))
    shaded = energy_inputs(twin, EnergySettings(shading=factors)).zones.solar_aperture_t
    np.testing.assert_allclose(shaded, base * factors.T)
    called = energy_inputs(twin, EnergySettings(shading=lambda t, s: factors)).zones
    np.testing.assert_allclose(called.solar_aperture_t, shaded)
    with pytest.raises(InputError, match="settings.shading"):
        energy_inputs(twin, EnergySettings(shading=np.ones((3, 4))))


def test_a_twin_without_weather_is_refused(make_twin) -> None:
    twin = make_twin(TERRACE[:1], [6.0]).replace(weather=None)
    with pytest.raises(InputError, match="no weather"):
        energy_inputs(twin)
