"""Average-speed emission factors and their application to link results
(``simulation.mobility.emissions``)."""

from __future__ import annotations

import numpy as np
import pytest

from simulation.graph import build_road_graph
from simulation.mobility import LinkResults
from simulation.mobility.emissions import (
    DIESEL_EURO6AB,
    PETROL_EURO6AB,
    Fleet,
    SpeedCurve,
    hbefa_cruise,
    link_emissions,
    vehicle_hours,
    vehicle_km,
)

SPEEDS = np.array([5.0, 20.0, 50.0, 90.0, 130.0])


def test_speed_curve_is_the_copert_form() -> None:
    curve = SpeedCurve(alpha=1e-3, beta=0.2, gamma=30.0, delta=400.0, epsilon=1e-4, zeta=0.01, eta=1.5)
    v = SPEEDS
    expected = (1e-3 * v**2 + 0.2 * v + 30.0 + 400.0 / v) / (1e-4 * v**2 + 0.01 * v + 1.5)
    np.testing.assert_allclose(curve(v), expected, rtol=1e-12)
    clamped = SpeedCurve(gamma=1.0, delta=10.0, v_min=10.0, v_max=50.0)
    np.testing.assert_allclose(clamped(np.array([1.0, 200.0])), [2.0, 1.2])


def test_hbefa_cruise_is_the_rate_per_distance() -> None:
    c0, c3, c5 = 1415.0, 19.649, 0.096659  # mg/s, mg/m, mg s2/m3
    v = SPEEDS / 3.6
    rate = c0 + c3 * v + c5 * v**3  # mg/s
    np.testing.assert_allclose(hbefa_cruise(c0, c3, c5)(SPEEDS), rate / v, rtol=1e-12)  # mg/m = g/km


def test_fleet_mixes_by_vehicle_km_and_evs_emit_nothing() -> None:
    petrol = Fleet(diesel_share=0.0).factors(SPEEDS)
    diesel = Fleet(diesel_share=1.0).factors(SPEEDS)
    np.testing.assert_allclose(petrol[0], PETROL_EURO6AB.co2(SPEEDS))
    np.testing.assert_allclose(diesel[1], DIESEL_EURO6AB.nox(SPEEDS))
    mixed = Fleet(diesel_share=0.25, ev_share=0.4).factors(SPEEDS)
    for k in range(2):
        np.testing.assert_allclose(mixed[k], 0.6 * (0.75 * petrol[k] + 0.25 * diesel[k]))
    assert not np.any(Fleet(ev_share=1.0).factors(SPEEDS)[0])
    with pytest.raises(ValueError, match="ev_share"):
        Fleet(ev_share=1.2)


def _links(outflow: np.ndarray, density: np.ndarray, speed: np.ndarray, bin_width: float = 300.0):
    n_bins = outflow.shape[0]
    zeros = np.zeros_like(outflow)
    return LinkResults(bin_start=np.arange(n_bins) * bin_width, bin_width=bin_width, inflow=outflow,
                       outflow=outflow, density=density, speed=speed, queue=zeros,
                       departures=zeros, entry_wait=np.full_like(outflow, np.nan))


def test_link_emissions_are_idling_time_plus_distance_terms() -> None:
    graph = build_road_graph(np.array([0.0, 500.0, 900.0]), np.zeros(3), np.array([0, 1]),
                             np.array([1, 2]), np.array([500.0, 400.0]), np.array([13.9, 8.3]),
                             np.array([1800.0, 1800.0]), np.array([1.0, 1.0]))
    outflow = np.array([[600.0, 0.0], [240.0, 120.0]])  # veh/h
    density = np.array([[20.0, 5.0], [60.0, 10.0]])  # veh/km
    vkm = vehicle_km(_links(outflow, density, np.zeros_like(outflow)), graph.length)
    vh = vehicle_hours(_links(outflow, density, np.zeros_like(outflow)), graph.length)
    np.testing.assert_allclose(vkm, [[25.0, 0.0], [10.0, 4.0]])
    np.testing.assert_allclose(vh, [[0.833333333, 0.1666666667], [2.5, 0.333333333]])
    speed = np.where(vkm > 0, vkm / np.where(vh > 0, vh, 1.0), np.nan)
    fleet = Fleet(diesel_share=0.0)
    co2, nox = link_emissions(_links(outflow, density, speed), graph, fleet)
    curve = PETROL_EURO6AB.co2
    exact = (curve.delta * vh + curve.gamma * vkm + curve.alpha * speed**2 * vkm) / 1000.0  # kg
    np.testing.assert_allclose(co2[vkm > 0], exact[vkm > 0], rtol=1e-9)
    assert co2[0, 1] == nox[0, 1] == 0.0  # nobody left the link in that bin


def test_a_link_crossed_between_bins_emits_at_free_speed() -> None:
    graph = build_road_graph(np.array([0.0, 5.0]), np.zeros(2), np.array([0]), np.array([1]),
                             np.array([5.0]), np.array([10.0]), np.array([1800.0]), np.array([1.0]))
    links = _links(np.array([[12.0]]), np.array([[0.0]]), np.array([[np.nan]]))
    co2, _ = link_emissions(links, graph, Fleet(diesel_share=0.0))
    expected = PETROL_EURO6AB.co2(np.array([36.0]))[0] * 12.0 * (300 / 3600) * 0.005 / 1000.0
    assert co2[0, 0] == pytest.approx(expected)
