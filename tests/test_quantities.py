"""The table of quantities: one notation, SI conversions with reasons, patterns, lookups."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from simulation.energy import LABELS
from twin import quantities as q


def test_every_quantity_has_a_known_unit_a_description_and_a_direction() -> None:
    for quantity in q.QUANTITIES:
        assert quantity.unit in q.UNITS, quantity
        assert quantity.description and "\n" not in quantity.description, quantity
        assert quantity.better in (None, "higher", "lower"), quantity


def test_names_are_unique_within_each_group() -> None:
    groups = dict.fromkeys(quantity.group for quantity in q.QUANTITIES)
    for group in groups:
        names = [quantity.name for quantity in q.group(group)]
        assert len(names) == len(set(names)), group


def test_units_are_written_in_one_ascii_notation() -> None:
    for symbol in q.UNITS:
        assert symbol.isascii(), symbol
    for symbol in ("kWh/m2", "km/h", "veh km", "1", "kWh", "kW", "s", "degC", "m2", "m3"):
        assert symbol in q.UNITS
    assert not {"m²", "m³", "°C", "C", "kwh"} & set(q.UNITS)


def test_every_unit_converts_to_si_and_says_why_it_is_kept_where_it_is_not_si() -> None:
    for unit in q.UNITS.values():
        if unit.si and (unit.symbol != unit.si or unit.offset):
            assert unit.reason, unit.symbol
    assert q.UNITS["km/h"].to_si(q.KMH_PER_MS) == pytest.approx(1.0)
    assert q.UNITS["kWh"].to_si(1.0) == 3.6e6
    assert q.UNITS["degC"].to_si(20.0) == pytest.approx(293.15)
    assert q.UNITS["veh/h"].to_si(q.SECONDS_PER_HOUR) == pytest.approx(1.0)
    assert q.quantity(q.LINK_SERIES, "speed").si_unit == "m/s"
    assert q.quantity(q.ENERGY_KPIS, "heating_MWh").si_factor == 3.6e9
    assert q.MS_PER_KMH * q.KMH_PER_MS == pytest.approx(1.0)


def test_factors_convert_between_units_of_one_si_unit() -> None:
    assert q.factor("kWh", "MWh") == pytest.approx(1e-3)
    assert q.factor("s", "min") == pytest.approx(1 / 60)
    assert q.factor("kW", "MW") == pytest.approx(1e-3)
    with pytest.raises(ValueError):
        q.factor("kWh", "kW")
    with pytest.raises(ValueError):
        q.factor("degC", "degC")


def test_a_pattern_entry_resolves_each_varying_name() -> None:
    share = q.quantity(q.ENERGY_KPIS, "label_share_A++")
    assert (share.name, share.unit) == ("label_share_A++", "1")
    assert share.description == "share of the floor area in energy label class A++"
    assert q.quantity(q.ENERGY_BUILDINGS, "sunlit_south").unit == "1"
    assert q.units(q.ENERGY_BUILDINGS, ["air_temp_mean_C", "sunlit_roof"]) == {
        "air_temp_mean_C": "degC", "sunlit_roof": "1"}
    with pytest.raises(KeyError, match="twin.quantities"):
        q.quantity(q.ENERGY_KPIS, "heating_GWh")
    with pytest.raises(KeyError):
        q.names(q.ENERGY_KPIS)


def test_groups_list_what_their_callers_ask_for() -> None:
    assert q.names(q.ENERGY_KPIS, {"class": LABELS})[-len(LABELS):] == tuple(
        f"label_share_{label}" for label in LABELS)
    assert q.names(q.COUNT_FIT_KPIS) == ("counts_compared", "geh_mean", "geh_share_below_5",
                                         "count_ratio")
    assert q.units(q.LINK_SERIES)["speed"] == "km/h"
    assert q.units(q.NETWORK_LINKS)["free_speed"] == "m/s"
    assert q.units(q.TWIN_BUILDINGS)["footprint_area"] == "m2"
    assert q.quantity(q.MOBILITY_KPIS, "mean_speed").better == "higher"
    assert q.quantity(q.ENERGY_KPIS, "co2_t").better == "lower"
    with pytest.raises(KeyError):
        q.group("mobility.nothing")


def test_typeset_renders_units_for_legends() -> None:
    assert q.typeset("m2") == "m²"
    assert q.typeset("kWh/m2") == "kWh/m²"
    assert q.typeset("m3") == "m³"
    assert q.typeset("degC") == "°C"
    assert q.typeset("veh km") == "veh km"
    assert q.typeset("km/h") == "km/h"


def test_the_table_is_pure_data() -> None:
    source = Path(q.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert imported <= {"__future__", "re", "collections.abc", "dataclasses", "typing"}
