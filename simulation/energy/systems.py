"""Heating and cooling systems, energy carriers, CO2 and a simple energy label.

Turns the ideal hourly heating/cooling need of the zone model (W per building and hour) into
delivered energy per carrier (gas, electricity, district heat), then into CO2 and primary
energy. Arrays broadcast: demand (n_buildings, n_hours) with per-building system parameters
(n_buildings,) and hourly outdoor temperature (n_hours,).

Systems (``HeatingKind``)
-------------------------
- gas boiler: gas = Q / eta (eta on the net calorific value, default 0.92, a condensing
  boiler's seasonal value; ~0.80 for an old non-condensing one); constant, no part-load curve;
- air-source heat pump: electricity = Q / COP with a Carnot-fraction COP,
  ``COP = eta T_sink / (T_sink - T_source)`` (kelvin), eta = 0.40, T_source = outdoor air,
  T_sink = the supply temperature of a linear heating curve through (design outdoor -10 degC,
  design supply) and (20 degC, 20 degC); clipped to 1 <= COP <= 7; below -20 degC outdoor the
  backup resistance heater covers the hour (COP 1). The heating curve reproduces EN 14825's
  variable-outlet points (average climate) within 1 K, see :data:`EN14825_AVERAGE`;
- district heating: heat delivered = Q / (1 - loss), loss = 0.10 (distribution losses
  booked to the building);
- electric resistance: electricity = Q.
Cooling: split air conditioner, electricity = cooling / EER (default 3.0, constant).

Domestic hot water (``HeatingSystems.hot_water``): the heat the building's hot-water system
draws from the heating system's generator, W, the same every hour (need plus storage and
distribution losses, given by the caller), on the heating carrier: boiler and district heat
as for space heating, electric 1, the heat pump's Carnot-fraction COP with its sink at the
fixed hot-water temperature ``hot_water_supply`` (default 55 degC, EN 14825's
medium-temperature outlet at design conditions; no weather compensation for hot water).

Emission and primary energy factors are per kWh delivered and configurable
(:class:`CarrierFactors`); the energy label applies the Dutch label classes A++++..G on primary
fossil energy per m^2 of floor and year (:data:`LABEL_BOUNDS`) to what is modelled here (not
the official NTA 8800 calculation: no hot water or auxiliaries).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from .per_system import broadcast, default, fields_at

__all__ = [
    "EN14825_AVERAGE",
    "LABELS",
    "LABEL_BOUNDS",
    "CarrierFactors",
    "Delivered",
    "HeatingKind",
    "HeatingSystems",
    "design_supply_temperature",
    "energy_label",
    "heat_pump_cop",
    "supply_temperature",
]

T0 = 273.15

#: EN 14825 "average" climate, air-to-water, variable outlet: (outdoor degC, low-temperature
#: application outlet degC, medium-temperature outlet degC) at the design point and A-D.
EN14825_AVERAGE = np.array(
    [(-10.0, 35.0, 55.0), (-7.0, 34.0, 52.0), (2.0, 30.0, 42.0), (7.0, 27.0, 36.0),
     (12.0, 24.0, 30.0)]
)

#: Dutch energy label classes (Regeling energieprestatie gebouwen, Bijlage I, as amended by
#: Stcrt. 2020, 57490, from 2021-01-01; dwellings): upper bounds of A++++ .. F on primary
#: fossil energy use, kWh/m^2/yr (A++++ <= 0, A+++ up to 50, ..., F up to 380); above: G.
LABELS = ("A++++", "A+++", "A++", "A+", "A", "B", "C", "D", "E", "F", "G")
LABEL_BOUNDS = np.array([0.0, 50.0, 75.0, 105.0, 160.0, 190.0, 250.0, 290.0, 335.0, 380.0])

#: Design supply temperature (degC at -10 degC outdoor) by construction year: upper year
#: bound (exclusive) and supply; radiators sized for the old envelopes, floor heating after 2005.
_SUPPLY_BY_YEAR = ((1945, 65.0), (1975, 60.0), (1992, 55.0), (2006, 45.0), (10_000, 35.0))


class HeatingKind(IntEnum):
    """Code of a heating system kind in ``HeatingSystems.kind``."""

    GAS_BOILER = 0
    HEAT_PUMP = 1
    DISTRICT_HEAT = 2
    ELECTRIC = 3


def design_supply_temperature(year: npt.ArrayLike) -> np.ndarray:
    """Heating supply temperature at design conditions (-10 °C outdoor) from the construction
    year.

    Before 1945: 65, 1945-74: 60, 1975-91: 55, 1992-2005: 45, from 2006: 35 (assumed
    radiator/floor-heating practice of the NW-European stock; override per building).

    Parameters
    ----------
    year : array of float
        Construction year of each building [year].

    Returns
    -------
    ndarray
        Design supply temperature [°C].
    """
    y = np.asarray(year, dtype=np.float64)
    bounds = np.array([b for b, _ in _SUPPLY_BY_YEAR], dtype=np.float64)
    temps = np.array([t for _, t in _SUPPLY_BY_YEAR])
    return temps[np.searchsorted(bounds, y, side="right")]


def supply_temperature(temp_out: npt.ArrayLike, supply_design: npt.ArrayLike,
                       design_outdoor: float = -10.0, room: float = 20.0) -> np.ndarray:
    """Weather-compensated supply temperature, degC: linear from (design_outdoor,
    supply_design) to (room, room), held at supply_design below design_outdoor and at room
    above it. Broadcasts (supply_design (n, 1) against temp_out (n_hours,))."""
    t = np.clip(np.asarray(temp_out, dtype=np.float64), design_outdoor, room)
    sd = np.asarray(supply_design, dtype=np.float64)
    return room + (sd - room) * (room - t) / (room - design_outdoor)


def heat_pump_cop(temp_source: npt.ArrayLike, temp_sink: npt.ArrayLike, eta: npt.ArrayLike = 0.40,
                  cop_min: npt.ArrayLike = 1.0, cop_max: npt.ArrayLike = 7.0) -> np.ndarray:
    """Carnot-fraction COP, eta T_sink / (T_sink - T_source) (degC in, kelvin inside),
    clipped to [cop_min, cop_max] (cop_max also where the sink is not warmer). All broadcast."""
    src = np.asarray(temp_source, dtype=np.float64) + T0
    sink = np.asarray(temp_sink, dtype=np.float64) + T0
    lift = sink - src
    carnot = np.divide(sink, lift, out=np.full(np.broadcast(src, sink).shape, np.inf),
                       where=lift > 0.0)
    return np.clip(eta * carnot, cop_min, cop_max)


@dataclass(frozen=True)
class HeatingSystems:
    """The heating system (and cooling EER) of each building: each field one value or one per
    building (scalars are broadcast).

    Attributes
    ----------
    kind : array of int
        :class:`HeatingKind` code of each system [-].
    boiler_efficiency : array of float
        Gas boiler efficiency on the net calorific value [-]; default 0.92.
    district_loss : array of float
        Distribution loss of district heat booked to the building [-]; default 0.10.
    supply_design : array of float
        Heat-pump supply temperature at -10 °C outdoor (:func:`design_supply_temperature`)
        [°C]; default 45.
    carnot_eta : array of float
        Heat-pump COP over the Carnot COP [-]; default 0.40.
    hp_min_source : array of float
        Outdoor temperature below which the backup resistance heater takes over [°C]; default
        -20.
    cop_max : array of float
        Upper bound of the heat-pump COP [-]; default 7.
    eer : array of float
        Energy efficiency ratio of the cooling [-]; default 3.
    efficiency : array of float
        Seasonal heat delivered per unit of final energy (boiler efficiency, SCOP, 1 - loss)
        that replaces the kind's model where given, for space heating and hot water [-]; NaN
        (default): the model, hourly COP included.
    hot_water : array of float
        Heat drawn by the domestic hot-water system, the same in every hour (need plus its
        storage and distribution losses) [W]; default 0.
    hot_water_supply : array of float
        Heat-pump sink temperature for hot water [°C]; default 55.

    Raises
    ------
    ValueError
        On construction, naming a field out of range or with neither one nor one value per
        system.
    """

    kind: np.ndarray
    boiler_efficiency: np.ndarray = default(0.92)
    district_loss: np.ndarray = default(0.10)
    supply_design: np.ndarray = default(45.0)
    carnot_eta: np.ndarray = default(0.40)
    hp_min_source: np.ndarray = default(-20.0)
    cop_max: np.ndarray = default(7.0)
    eer: np.ndarray = default(3.0)
    efficiency: np.ndarray = default(np.nan)
    hot_water: np.ndarray = default(0.0)
    hot_water_supply: np.ndarray = default(55.0)

    def __post_init__(self) -> None:
        broadcast(self, max(np.size(getattr(self, f.name)) for f in fields(self)))
        kind = self.kind.astype(np.int64)
        if np.any((kind != self.kind) | (kind < 0) | (kind > max(HeatingKind))):
            raise ValueError(f"HeatingSystems.kind: codes must be integers 0..{max(HeatingKind)}")
        object.__setattr__(self, "kind", kind)
        valid = {
            "boiler_efficiency": (self.boiler_efficiency > 0.0) & (self.boiler_efficiency <= 1.2),
            "district_loss": (self.district_loss >= 0.0) & (self.district_loss < 1.0),
            "carnot_eta": (self.carnot_eta > 0.0) & (self.carnot_eta <= 1.0),
            "cop_max": self.cop_max >= 1.0,
            "eer": self.eer > 0.0,
            "efficiency": np.isnan(self.efficiency) | (self.efficiency > 0.0),
            "hot_water": self.hot_water >= 0.0,
        }
        for name, ok in valid.items():
            if not ok.all():
                bad = getattr(self, name)[~ok][:3]
                raise ValueError(f"HeatingSystems.{name} out of range: {bad}")

    def __len__(self) -> int:
        return int(self.kind.shape[0])

    def take(self, rows: slice | np.ndarray) -> HeatingSystems:
        """The systems at ``rows`` (a slice, indices or a mask)."""
        return HeatingSystems(**fields_at(self, rows))

    def cop(self, temp_out: npt.ArrayLike) -> np.ndarray:
        """Hourly COP of each building's heat pump, (n, n_hours); 1 below hp_min_source."""
        t = np.asarray(temp_out, dtype=np.float64).ravel()[None, :]
        sink = supply_temperature(t, self.supply_design[:, None])
        c = heat_pump_cop(t, sink, self.carnot_eta[:, None], 1.0, self.cop_max[:, None])
        return np.where(t < self.hp_min_source[:, None], 1.0, c)

    def delivered(self, heating_w: npt.ArrayLike, cooling_w: npt.ArrayLike,
                  temp_out: npt.ArrayLike) -> Delivered:
        """Delivered energy per carrier (W per hour) for heating and cooling needs (W) and the
        systems' hot water.

        heating_w, cooling_w: (n, n_hours) >= 0 (cooling as a positive need); temp_out (n_hours,).
        """
        q = np.asarray(heating_w, dtype=np.float64)
        qc = np.asarray(cooling_w, dtype=np.float64)
        n = len(self)
        t = np.asarray(temp_out, dtype=np.float64).ravel()
        if q.ndim != 2 or q.shape != (n, t.size) or qc.shape != q.shape:
            raise ValueError(f"heating and cooling need shape ({n}, {t.size}) (buildings, hours "
                             f"of temp_out), got {q.shape} and {qc.shape}")
        if np.any(q < 0.0) or np.any(qc < 0.0):
            raise ValueError("heating and cooling needs must be >= 0 W (cooling positive)")
        final = q / self.heat_efficiency(t) + self.hot_water[:, None] / self.hot_water_efficiency(t)
        k = self.kind[:, None]
        gas = np.where(k == HeatingKind.GAS_BOILER, final, 0.0)
        electric = (k == HeatingKind.HEAT_PUMP) | (k == HeatingKind.ELECTRIC)
        elec = np.where(electric, final, 0.0) + qc / self.eer[:, None]
        dh = np.where(k == HeatingKind.DISTRICT_HEAT, final, 0.0)
        return Delivered(gas=gas, electricity=elec, district_heat=dh)

    def heat_efficiency(self, temp_out: npt.ArrayLike) -> np.ndarray:
        """Heat delivered per unit of final energy, (n, n_hours): boiler efficiency, hourly
        COP, 1 - district loss or 1 (electric) by kind; ``efficiency`` where given."""
        t = np.asarray(temp_out, dtype=np.float64).ravel()
        k = self.kind[:, None]
        model = np.where(k == HeatingKind.GAS_BOILER, self.boiler_efficiency[:, None],
                         np.where(k == HeatingKind.DISTRICT_HEAT,
                                  1.0 - self.district_loss[:, None], 1.0))
        model = np.where(k == HeatingKind.HEAT_PUMP, self.cop(t), model)
        given = self.efficiency[:, None]
        return np.where(np.isnan(given), model, given)

    def hot_water_efficiency(self, temp_out: npt.ArrayLike) -> np.ndarray:
        """Hot-water heat per unit of final energy, (n, n_hours): as
        :meth:`heat_efficiency`, the heat pump's COP with its sink at ``hot_water_supply``."""
        t = np.asarray(temp_out, dtype=np.float64).ravel()[None, :]
        k = self.kind[:, None]
        model = np.where(k == HeatingKind.GAS_BOILER, self.boiler_efficiency[:, None],
                         np.where(k == HeatingKind.DISTRICT_HEAT,
                                  1.0 - self.district_loss[:, None], 1.0))
        cop = heat_pump_cop(t, self.hot_water_supply[:, None], self.carnot_eta[:, None], 1.0,
                            self.cop_max[:, None])
        cop = np.where(t < self.hp_min_source[:, None], 1.0, cop)
        model = np.where(k == HeatingKind.HEAT_PUMP, cop, model)
        given = self.efficiency[:, None]
        return np.where(np.isnan(given), model, given)

    def kernel_params(self) -> np.ndarray:
        """(n, 11): kind, boiler_efficiency, district_loss, supply_design, carnot_eta,
        hp_min_source, cop_max, eer, efficiency (NaN = the kind's model), hot_water,
        hot_water_supply."""
        return np.ascontiguousarray(np.stack([
            self.kind.astype(np.float64), self.boiler_efficiency, self.district_loss,
            self.supply_design, self.carnot_eta, self.hp_min_source, self.cop_max, self.eer,
            self.efficiency, self.hot_water, self.hot_water_supply], axis=1))


@dataclass(frozen=True)
class Delivered:
    """Delivered energy per carrier, W per hour (= Wh per hour), each (n, n_hours)."""

    gas: np.ndarray
    electricity: np.ndarray
    district_heat: np.ndarray

    def annual_kwh(self) -> dict[str, np.ndarray]:
        """Sum over the hours per carrier, kWh, each (n,)."""
        return {f.name: getattr(self, f.name).sum(axis=-1) / 1000.0 for f in fields(self)}


@dataclass(frozen=True)
class CarrierFactors:
    """Per kWh delivered: CO2 (kg) and primary energy (kWh) by carrier.

    CO2: gas 0.202 kg/kWh = the IPCC 2006 Guidelines default for natural gas in stationary
    combustion, 56,100 kg CO2/TJ on the net calorific value (Vol. 2, ch. 2, Table 2.2), times
    0.0036 TJ/MWh; combustion only. Grid electricity 0.25 and district heat 0.15 kg/kWh are
    placeholders (no cited source here): of the order of NW-European grids and networks in
    the early 2020s - set the country/year and network values. Primary energy
    (non-renewable): gas 1.0, electricity 1.45, district heat 1.0 (the Dutch NTA 8800
    convention for gas and grid electricity; district heat from the network's certificate).

    Attributes
    ----------
    co2_gas, co2_electricity, co2_district_heat : float
        CO2 per kWh of gas, grid electricity and district heat delivered [kg/kWh].
    pef_gas, pef_electricity, pef_district_heat : float
        Non-renewable primary energy per kWh delivered of each carrier [kWh/kWh].
    """

    co2_gas: float = 0.202
    co2_electricity: float = 0.25
    co2_district_heat: float = 0.15
    pef_gas: float = 1.0
    pef_electricity: float = 1.45
    pef_district_heat: float = 1.0

    def co2_kg(self, annual_kwh: Mapping[str, npt.ArrayLike]) -> np.ndarray:
        """CO2 (kg) from delivered kWh per carrier (the dict of :meth:`Delivered.annual_kwh`)."""
        return self._weighted(annual_kwh, "co2_")

    def primary_kwh(self, annual_kwh: Mapping[str, npt.ArrayLike]) -> np.ndarray:
        """Primary energy (kWh) from delivered kWh per carrier."""
        return self._weighted(annual_kwh, "pef_")

    def _weighted(self, annual_kwh: Mapping[str, npt.ArrayLike], prefix: str) -> np.ndarray:
        """Sum over the carriers of their kWh times this ``prefix`` factor."""
        unknown = set(annual_kwh) - {"gas", "electricity", "district_heat"}
        if unknown:
            raise ValueError(f"unknown carriers {sorted(unknown)}; expected gas, electricity, "
                             f"district_heat")
        total = np.zeros(())
        for c, v in annual_kwh.items():
            total = total + np.asarray(v, dtype=np.float64) * getattr(self, prefix + c)
        return total


def energy_label(primary_kwh_per_m2: npt.ArrayLike, bounds: npt.ArrayLike = LABEL_BOUNDS,
                 labels: Sequence[str] = LABELS) -> np.ndarray:
    """Label class of each primary energy use: the first class whose upper bound it does not
    exceed.

    Parameters
    ----------
    primary_kwh_per_m2 : array of float
        Non-renewable primary energy per m² of floor and year [kWh/m²].
    bounds : array of float
        Increasing upper bounds of the classes but the last [kWh/m²]; default
        :data:`LABEL_BOUNDS`.
    labels : sequence of str
        Class names, one more than ``bounds``; default :data:`LABELS`.

    Returns
    -------
    ndarray
        Class name of each value, object array.
    """
    pe = np.asarray(primary_kwh_per_m2, dtype=np.float64)
    b = np.asarray(bounds, dtype=np.float64)
    names = np.asarray(labels, dtype=object)
    if b.ndim != 1 or b.shape[0] != names.shape[0] - 1 or np.any(np.diff(b) <= 0):
        raise ValueError(f"bounds: {names.shape[0] - 1} increasing upper bounds for "
                         f"{', '.join(names[:-1])}")
    return names[np.searchsorted(b, pe, side="left")]
