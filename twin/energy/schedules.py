"""Hourly profiles for the zone kernel: internal-gain fractions, set points and ventilation.

Schedules are given by local standard-time hour and day type (``archetypes.Schedule``). The
weather table is indexed by the UTC END of each hour; an hour belongs to the local clock hour in
which it starts (end - 1 h + the weather site's UTC offset), with no daylight saving time.

The kernel wants few shared profiles and one index per building, so buildings are grouped:
one gains row and one ventilation row per schedule in use, one set-point row per distinct
(schedule, heating set point, heating set-back, cooling set point). While a schedule is
occupied the cooling set point applies and the use's ventilation runs, otherwise cooling is
off; in the schedule's set-back hours (the unoccupied ones unless it names others, e.g. a
dwelling's night) heating holds the set-back, otherwise the heating set point. With the
set-back switched off (``setback=False``: TABULA's and ISO 13790's continuous heating) heating
holds its set point in every hour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.energy.archetypes import Schedule
from twin.errors import InputError


@dataclass(frozen=True)
class Calendar:
    """Local standard time of each hourly interval's start: month 0..11, weekday 0 = Monday,
    hour 0..23."""

    month: np.ndarray
    weekday: np.ndarray
    hour: np.ndarray


def local_calendar(index: pd.DatetimeIndex, utc_offset: float) -> Calendar:
    """Calendar of hours labelled by their UTC end, at a site ``utc_offset`` hours from UTC."""
    start = index - pd.Timedelta(hours=1) + pd.Timedelta(hours=utc_offset)
    return Calendar(month=np.asarray(start.month, dtype=np.int64) - 1,
                    weekday=np.asarray(start.day_of_week, dtype=np.int64),
                    hour=np.asarray(start.hour, dtype=np.int64))


@dataclass(frozen=True)
class Profiles:
    """Shared hourly rows and each building's row index into them.

    gains (P_g, T): fraction of a building's internal gains; heat / cool (P_s, T): set points
    °C (-inf / +inf = off); vent (P_v, T): fraction of the scheduled ventilation.
    """

    gains: np.ndarray
    heat: np.ndarray
    cool: np.ndarray
    vent: np.ndarray
    gains_index: np.ndarray
    setpoint_index: np.ndarray
    vent_index: np.ndarray


def schedule_rows(schedule: Schedule,
                  cal: Calendar) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(gains fraction, occupied 0/1, set-back 0/1) per hour of the calendar."""
    workday = cal.weekday < (6 if schedule.saturday_is_weekday else 5)
    gains = np.where(workday, schedule.weekday_gains[cal.hour], schedule.weekend_gains[cal.hour])
    occupied = np.where(workday, schedule.weekday_occupied[cal.hour],
                        schedule.weekend_occupied[cal.hour])
    setback = np.where(workday, schedule.weekday_setback[cal.hour],
                       schedule.weekend_setback[cal.hour])
    return gains, occupied, setback


def building_profiles(params: pd.DataFrame, schedules: Mapping[str, Schedule],
                      cal: Calendar, setback: bool = True) -> Profiles:
    """Profiles for buildings with columns schedule, heating_setpoint, heating_setback and
    cooling_setpoint (see ``archetypes.PARAMETERS``); ``setback`` False: heating at its set
    point in every hour."""
    names, sched_index = np.unique(params["schedule"].astype(str).to_numpy(), return_inverse=True)
    rows = [schedule_rows(schedules[name], cal) for name in names]
    gains = np.array([g for g, _, _ in rows]).reshape(len(names), -1)
    occupied = np.array([o for _, o, _ in rows]).reshape(len(names), -1) > 0.0
    reduced = np.array([r for _, _, r in rows]).reshape(len(names), -1) > 0.0
    if not setback:
        reduced[:] = False
    keys = pd.DataFrame({
        "schedule": sched_index,
        "heat": params["heating_setpoint"].to_numpy(np.float64),
        "setback": params["heating_setback"].to_numpy(np.float64),
        "cool": params["cooling_setpoint"].to_numpy(np.float64),
    })
    setpoint_index = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy(np.int64)
    combos = keys.drop_duplicates().to_numpy()
    crossed = combos[:, 1] > combos[:, 3]
    if crossed.any():
        heat_c, cool_c = combos[crossed][0, [1, 3]]
        raise InputError(None, "buildings.heating_setpoint",
                         f"heating set point {heat_c:g} °C above the cooling set point "
                         f"{cool_c:g} °C")
    occ = occupied[combos[:, 0].astype(np.int64)]
    heat = np.where(reduced[combos[:, 0].astype(np.int64)], combos[:, 2:3], combos[:, 1:2])
    cool = np.where(occ, combos[:, 3:4], np.inf)
    return Profiles(gains=gains, heat=heat, cool=cool, vent=occupied.astype(np.float64),
                    gains_index=sched_index.astype(np.int64),
                    setpoint_index=setpoint_index,
                    vent_index=sched_index.astype(np.int64))
