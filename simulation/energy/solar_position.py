"""Solar position: the NREL Solar Position Algorithm (SPA) in numba.

Reda, I. and Andreas, A. (2004), "Solar position algorithm for solar radiation applications",
Solar Energy 76(5), 577-589, doi:10.1016/j.solener.2003.12.003, with the 2007 corrigendum
(doi:10.1016/j.solener.2007.01.003) and NREL/TP-560-34302 (revised 2008). Stated uncertainty
+/-0.0003 deg for the years -2000..6000.

Units and conventions
---------------------
- time: unix seconds UTC (float64), i.e. seconds since 1970-01-01T00:00:00Z. For hourly weather
  whose label is the END of the interval (EPW, the twin's weather table), pass the MIDDLE of the
  interval (label - 1800 s) when the position stands for the whole hour; see ``irradiance``.
- latitude deg (north +), longitude deg (east +), elevation m above sea level.
- pressure Pa and temperature degC are only used for the refraction correction (annual means are
  fine); scalars or one value per time.
- delta_t = TT - UT1 in seconds; scalar, per time, or None for the Espenak & Meeus polynomial
  (the same default as ``pvlib.solarposition.get_solarposition``).
- outputs in degrees: apparent (refracted) zenith and elevation, true (geometric) zenith and
  elevation, azimuth east of north (0 = N, 90 = E, 180 = S, 270 = W), and the equation of time in
  minutes.

The periodic-term tables below are Tables A4.2 (Earth heliocentric longitude L, latitude B,
radius R) and A4.3 (nutation) of Reda & Andreas (2004), as tabulated in NREL/TP-560-34302.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["SolarPosition", "delta_t_espenak_meeus", "solar_position"]

_L0 = np.array([
    [175347046.0, 0.0, 0.0],
    [3341656.0, 4.6692568, 6283.07585],
    [34894.0, 4.6261, 12566.1517],
    [3497.0, 2.7441, 5753.3849],
    [3418.0, 2.8289, 3.5231],
    [3136.0, 3.6277, 77713.7715],
    [2676.0, 4.4181, 7860.4194],
    [2343.0, 6.1352, 3930.2097],
    [1324.0, 0.7425, 11506.7698],
    [1273.0, 2.0371, 529.691],
    [1199.0, 1.1096, 1577.3435],
    [990.0, 5.233, 5884.927],
    [902.0, 2.045, 26.298],
    [857.0, 3.508, 398.149],
    [780.0, 1.179, 5223.694],
    [753.0, 2.533, 5507.553],
    [505.0, 4.583, 18849.228],
    [492.0, 4.205, 775.523],
    [357.0, 2.92, 0.067],
    [317.0, 5.849, 11790.629],
    [284.0, 1.899, 796.298],
    [271.0, 0.315, 10977.079],
    [243.0, 0.345, 5486.778],
    [206.0, 4.806, 2544.314],
    [205.0, 1.869, 5573.143],
    [202.0, 2.458, 6069.777],
    [156.0, 0.833, 213.299],
    [132.0, 3.411, 2942.463],
    [126.0, 1.083, 20.775],
    [115.0, 0.645, 0.98],
    [103.0, 0.636, 4694.003],
    [102.0, 0.976, 15720.839],
    [102.0, 4.267, 7.114],
    [99.0, 6.21, 2146.17],
    [98.0, 0.68, 155.42],
    [86.0, 5.98, 161000.69],
    [85.0, 1.3, 6275.96],
    [85.0, 3.67, 71430.7],
    [80.0, 1.81, 17260.15],
    [79.0, 3.04, 12036.46],
    [75.0, 1.76, 5088.63],
    [74.0, 3.5, 3154.69],
    [74.0, 4.68, 801.82],
    [70.0, 0.83, 9437.76],
    [62.0, 3.98, 8827.39],
    [61.0, 1.82, 7084.9],
    [57.0, 2.78, 6286.6],
    [56.0, 4.39, 14143.5],
    [56.0, 3.47, 6279.55],
    [52.0, 0.19, 12139.55],
    [52.0, 1.33, 1748.02],
    [51.0, 0.28, 5856.48],
    [49.0, 0.49, 1194.45],
    [41.0, 5.37, 8429.24],
    [41.0, 2.4, 19651.05],
    [39.0, 6.17, 10447.39],
    [37.0, 6.04, 10213.29],
    [37.0, 2.57, 1059.38],
    [36.0, 1.71, 2352.87],
    [36.0, 1.78, 6812.77],
    [33.0, 0.59, 17789.85],
    [30.0, 0.44, 83996.85],
    [30.0, 2.74, 1349.87],
    [25.0, 3.16, 4690.48],
], dtype=np.float64)

_L1 = np.array([
    [628331966747.0, 0.0, 0.0],
    [206059.0, 2.678235, 6283.07585],
    [4303.0, 2.6351, 12566.1517],
    [425.0, 1.59, 3.523],
    [119.0, 5.796, 26.298],
    [109.0, 2.966, 1577.344],
    [93.0, 2.59, 18849.23],
    [72.0, 1.14, 529.69],
    [68.0, 1.87, 398.15],
    [67.0, 4.41, 5507.55],
    [59.0, 2.89, 5223.69],
    [56.0, 2.17, 155.42],
    [45.0, 0.4, 796.3],
    [36.0, 0.47, 775.52],
    [29.0, 2.65, 7.11],
    [21.0, 5.34, 0.98],
    [19.0, 1.85, 5486.78],
    [19.0, 4.97, 213.3],
    [17.0, 2.99, 6275.96],
    [16.0, 0.03, 2544.31],
    [16.0, 1.43, 2146.17],
    [15.0, 1.21, 10977.08],
    [12.0, 2.83, 1748.02],
    [12.0, 3.26, 5088.63],
    [12.0, 5.27, 1194.45],
    [12.0, 2.08, 4694.0],
    [11.0, 0.77, 553.57],
    [10.0, 1.3, 6286.6],
    [10.0, 4.24, 1349.87],
    [9.0, 2.7, 242.73],
    [9.0, 5.64, 951.72],
    [8.0, 5.3, 2352.87],
    [6.0, 2.65, 9437.76],
    [6.0, 4.67, 4690.48],
], dtype=np.float64)

_L2 = np.array([
    [52919.0, 0.0, 0.0],
    [8720.0, 1.0721, 6283.0758],
    [309.0, 0.867, 12566.152],
    [27.0, 0.05, 3.52],
    [16.0, 5.19, 26.3],
    [16.0, 3.68, 155.42],
    [10.0, 0.76, 18849.23],
    [9.0, 2.06, 77713.77],
    [7.0, 0.83, 775.52],
    [5.0, 4.66, 1577.34],
    [4.0, 1.03, 7.11],
    [4.0, 3.44, 5573.14],
    [3.0, 5.14, 796.3],
    [3.0, 6.05, 5507.55],
    [3.0, 1.19, 242.73],
    [3.0, 6.12, 529.69],
    [3.0, 0.31, 398.15],
    [3.0, 2.28, 553.57],
    [2.0, 4.38, 5223.69],
    [2.0, 3.75, 0.98],
], dtype=np.float64)

_L3 = np.array([
    [289.0, 5.844, 6283.076],
    [35.0, 0.0, 0.0],
    [17.0, 5.49, 12566.15],
    [3.0, 5.2, 155.42],
    [1.0, 4.72, 3.52],
    [1.0, 5.3, 18849.23],
    [1.0, 5.97, 242.73],
], dtype=np.float64)

_L4 = np.array([
    [114.0, 3.142, 0.0],
    [8.0, 4.13, 6283.08],
    [1.0, 3.84, 12566.15],
], dtype=np.float64)

_L5 = np.array([
    [1.0, 3.14, 0.0],
], dtype=np.float64)

_B0 = np.array([
    [280.0, 3.199, 84334.662],
    [102.0, 5.422, 5507.553],
    [80.0, 3.88, 5223.69],
    [44.0, 3.7, 2352.87],
    [32.0, 4.0, 1577.34],
], dtype=np.float64)

_B1 = np.array([
    [9.0, 3.9, 5507.55],
    [6.0, 1.73, 5223.69],
], dtype=np.float64)

_R0 = np.array([
    [100013989.0, 0.0, 0.0],
    [1670700.0, 3.0984635, 6283.07585],
    [13956.0, 3.05525, 12566.1517],
    [3084.0, 5.1985, 77713.7715],
    [1628.0, 1.1739, 5753.3849],
    [1576.0, 2.8469, 7860.4194],
    [925.0, 5.453, 11506.77],
    [542.0, 4.564, 3930.21],
    [472.0, 3.661, 5884.927],
    [346.0, 0.964, 5507.553],
    [329.0, 5.9, 5223.694],
    [307.0, 0.299, 5573.143],
    [243.0, 4.273, 11790.629],
    [212.0, 5.847, 1577.344],
    [186.0, 5.022, 10977.079],
    [175.0, 3.012, 18849.228],
    [110.0, 5.055, 5486.778],
    [98.0, 0.89, 6069.78],
    [86.0, 5.69, 15720.84],
    [86.0, 1.27, 161000.69],
    [65.0, 0.27, 17260.15],
    [63.0, 0.92, 529.69],
    [57.0, 2.01, 83996.85],
    [56.0, 5.24, 71430.7],
    [49.0, 3.25, 2544.31],
    [47.0, 2.58, 775.52],
    [45.0, 5.54, 9437.76],
    [43.0, 6.01, 6275.96],
    [39.0, 5.36, 4694.0],
    [38.0, 2.39, 8827.39],
    [37.0, 0.83, 19651.05],
    [37.0, 4.9, 12139.55],
    [36.0, 1.67, 12036.46],
    [35.0, 1.84, 2942.46],
    [33.0, 0.24, 7084.9],
    [32.0, 0.18, 5088.63],
    [32.0, 1.78, 398.15],
    [28.0, 1.21, 6286.6],
    [28.0, 1.9, 6279.55],
    [26.0, 4.59, 10447.39],
], dtype=np.float64)

_R1 = np.array([
    [103019.0, 1.10749, 6283.07585],
    [1721.0, 1.0644, 12566.1517],
    [702.0, 3.142, 0.0],
    [32.0, 1.02, 18849.23],
    [31.0, 2.84, 5507.55],
    [25.0, 1.32, 5223.69],
    [18.0, 1.42, 1577.34],
    [10.0, 5.91, 10977.08],
    [9.0, 1.42, 6275.96],
    [9.0, 0.27, 5486.78],
], dtype=np.float64)

_R2 = np.array([
    [4359.0, 5.7846, 6283.0758],
    [124.0, 5.579, 12566.152],
    [12.0, 3.14, 0.0],
    [9.0, 3.63, 77713.77],
    [6.0, 1.87, 5573.14],
    [3.0, 5.47, 18849.23],
], dtype=np.float64)

_R3 = np.array([
    [145.0, 4.273, 6283.076],
    [7.0, 3.92, 12566.15],
], dtype=np.float64)

_R4 = np.array([
    [4.0, 2.56, 6283.08],
], dtype=np.float64)

_NUT_Y = np.array([
    [0, 0, 0, 0, 1],
    [-2, 0, 0, 2, 2],
    [0, 0, 0, 2, 2],
    [0, 0, 0, 0, 2],
    [0, 1, 0, 0, 0],
    [0, 0, 1, 0, 0],
    [-2, 1, 0, 2, 2],
    [0, 0, 0, 2, 1],
    [0, 0, 1, 2, 2],
    [-2, -1, 0, 2, 2],
    [-2, 0, 1, 0, 0],
    [-2, 0, 0, 2, 1],
    [0, 0, -1, 2, 2],
    [2, 0, 0, 0, 0],
    [0, 0, 1, 0, 1],
    [2, 0, -1, 2, 2],
    [0, 0, -1, 0, 1],
    [0, 0, 1, 2, 1],
    [-2, 0, 2, 0, 0],
    [0, 0, -2, 2, 1],
    [2, 0, 0, 2, 2],
    [0, 0, 2, 2, 2],
    [0, 0, 2, 0, 0],
    [-2, 0, 1, 2, 2],
    [0, 0, 0, 2, 0],
    [-2, 0, 0, 2, 0],
    [0, 0, -1, 2, 1],
    [0, 2, 0, 0, 0],
    [2, 0, -1, 0, 1],
    [-2, 2, 0, 2, 2],
    [0, 1, 0, 0, 1],
    [-2, 0, 1, 0, 1],
    [0, -1, 0, 0, 1],
    [0, 0, 2, -2, 0],
    [2, 0, -1, 2, 1],
    [2, 0, 1, 2, 2],
    [0, 1, 0, 2, 2],
    [-2, 1, 1, 0, 0],
    [0, -1, 0, 2, 2],
    [2, 0, 0, 2, 1],
    [2, 0, 1, 0, 0],
    [-2, 0, 2, 2, 2],
    [-2, 0, 1, 2, 1],
    [2, 0, -2, 0, 1],
    [2, 0, 0, 0, 1],
    [0, -1, 1, 0, 0],
    [-2, -1, 0, 2, 1],
    [-2, 0, 0, 0, 1],
    [0, 0, 2, 2, 1],
    [-2, 0, 2, 0, 1],
    [-2, 1, 0, 2, 1],
    [0, 0, 1, -2, 0],
    [-1, 0, 1, 0, 0],
    [-2, 1, 0, 0, 0],
    [1, 0, 0, 0, 0],
    [0, 0, 1, 2, 0],
    [0, 0, -2, 2, 2],
    [-1, -1, 1, 0, 0],
    [0, 1, 1, 0, 0],
    [0, -1, 1, 2, 2],
    [2, -1, -1, 2, 2],
    [0, 0, 3, 2, 2],
    [2, -1, 0, 2, 2],
], dtype=np.float64)

_NUT_ABCD = np.array([
    [-171996.0, -174.2, 92025.0, 8.9],
    [-13187.0, -1.6, 5736.0, -3.1],
    [-2274.0, -0.2, 977.0, -0.5],
    [2062.0, 0.2, -895.0, 0.5],
    [1426.0, -3.4, 54.0, -0.1],
    [712.0, 0.1, -7.0, 0.0],
    [-517.0, 1.2, 224.0, -0.6],
    [-386.0, -0.4, 200.0, 0.0],
    [-301.0, 0.0, 129.0, -0.1],
    [217.0, -0.5, -95.0, 0.3],
    [-158.0, 0.0, 0.0, 0.0],
    [129.0, 0.1, -70.0, 0.0],
    [123.0, 0.0, -53.0, 0.0],
    [63.0, 0.0, 0.0, 0.0],
    [63.0, 0.1, -33.0, 0.0],
    [-59.0, 0.0, 26.0, 0.0],
    [-58.0, -0.1, 32.0, 0.0],
    [-51.0, 0.0, 27.0, 0.0],
    [48.0, 0.0, 0.0, 0.0],
    [46.0, 0.0, -24.0, 0.0],
    [-38.0, 0.0, 16.0, 0.0],
    [-31.0, 0.0, 13.0, 0.0],
    [29.0, 0.0, 0.0, 0.0],
    [29.0, 0.0, -12.0, 0.0],
    [26.0, 0.0, 0.0, 0.0],
    [-22.0, 0.0, 0.0, 0.0],
    [21.0, 0.0, -10.0, 0.0],
    [17.0, -0.1, 0.0, 0.0],
    [16.0, 0.0, -8.0, 0.0],
    [-16.0, 0.1, 7.0, 0.0],
    [-15.0, 0.0, 9.0, 0.0],
    [-13.0, 0.0, 7.0, 0.0],
    [-12.0, 0.0, 6.0, 0.0],
    [11.0, 0.0, 0.0, 0.0],
    [-10.0, 0.0, 5.0, 0.0],
    [-8.0, 0.0, 3.0, 0.0],
    [7.0, 0.0, -3.0, 0.0],
    [-7.0, 0.0, 0.0, 0.0],
    [-7.0, 0.0, 3.0, 0.0],
    [-7.0, 0.0, 3.0, 0.0],
    [6.0, 0.0, 0.0, 0.0],
    [6.0, 0.0, -3.0, 0.0],
    [6.0, 0.0, -3.0, 0.0],
    [-6.0, 0.0, 3.0, 0.0],
    [-6.0, 0.0, 3.0, 0.0],
    [5.0, 0.0, 0.0, 0.0],
    [-5.0, 0.0, 3.0, 0.0],
    [-5.0, 0.0, 3.0, 0.0],
    [-5.0, 0.0, 3.0, 0.0],
    [4.0, 0.0, 0.0, 0.0],
    [4.0, 0.0, 0.0, 0.0],
    [4.0, 0.0, 0.0, 0.0],
    [-4.0, 0.0, 0.0, 0.0],
    [-4.0, 0.0, 0.0, 0.0],
    [-4.0, 0.0, 0.0, 0.0],
    [3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
    [-3.0, 0.0, 0.0, 0.0],
], dtype=np.float64)


_DEG = np.pi / 180.0


@numba.njit(cache=True)
def _periodic_sum(tab: np.ndarray, jme: float) -> float:
    """Sum of one periodic-term table at Julian ephemeris millennium ``jme``."""
    s = 0.0
    for i in range(tab.shape[0]):
        s += tab[i, 0] * np.cos(tab[i, 1] + tab[i, 2] * jme)
    return s


@numba.njit(cache=True)
def _spa_one(unix: float, lat: float, lon: float, elev: float, p_hpa: float, temp_c: float,
             delta_t: float, atmos_refract: float, out: np.ndarray, k: int) -> None:
    """One instant of SPA; writes the six outputs to out[:, k]."""
    jd = unix / 86400.0 + 2440587.5
    jde = jd + delta_t / 86400.0
    jc = (jd - 2451545.0) / 36525.0
    jce = (jde - 2451545.0) / 36525.0
    jme = jce / 10.0

    # 3.2 Earth heliocentric longitude, latitude, radius vector
    l0 = _periodic_sum(_L0, jme)
    l1 = _periodic_sum(_L1, jme)
    l2 = _periodic_sum(_L2, jme)
    l3 = _periodic_sum(_L3, jme)
    l4 = _periodic_sum(_L4, jme)
    l5 = _periodic_sum(_L5, jme)
    big_l = (l0 + jme * (l1 + jme * (l2 + jme * (l3 + jme * (l4 + jme * l5))))) / 1e8
    big_l = (big_l / _DEG) % 360.0
    b0 = _periodic_sum(_B0, jme)
    b1 = _periodic_sum(_B1, jme)
    big_b = ((b0 + b1 * jme) / 1e8) / _DEG
    r0 = _periodic_sum(_R0, jme)
    r1 = _periodic_sum(_R1, jme)
    r2 = _periodic_sum(_R2, jme)
    r3 = _periodic_sum(_R3, jme)
    r4 = _periodic_sum(_R4, jme)
    big_r = (r0 + jme * (r1 + jme * (r2 + jme * (r3 + jme * r4)))) / 1e8

    # 3.3 geocentric longitude and latitude
    theta = (big_l + 180.0) % 360.0
    beta = -big_b

    # 3.4 nutation in longitude and obliquity
    x0 = 297.85036 + 445267.111480 * jce - 0.0019142 * jce**2 + jce**3 / 189474.0
    x1 = 357.52772 + 35999.050340 * jce - 0.0001603 * jce**2 - jce**3 / 300000.0
    x2 = 134.96298 + 477198.867398 * jce + 0.0086972 * jce**2 + jce**3 / 56250.0
    x3 = 93.27191 + 483202.017538 * jce - 0.0036825 * jce**2 + jce**3 / 327270.0
    x4 = 125.04452 - 1934.136261 * jce + 0.0020708 * jce**2 + jce**3 / 450000.0
    dpsi = 0.0
    deps = 0.0
    for i in range(_NUT_Y.shape[0]):
        arg = (
            _NUT_Y[i, 0] * x0
            + _NUT_Y[i, 1] * x1
            + _NUT_Y[i, 2] * x2
            + _NUT_Y[i, 3] * x3
            + _NUT_Y[i, 4] * x4
        ) * _DEG
        dpsi += (_NUT_ABCD[i, 0] + _NUT_ABCD[i, 1] * jce) * np.sin(arg)
        deps += (_NUT_ABCD[i, 2] + _NUT_ABCD[i, 3] * jce) * np.cos(arg)
    dpsi /= 36000000.0
    deps /= 36000000.0

    # 3.5 true obliquity of the ecliptic
    u = jme / 10.0
    eps0 = 84381.448 + u * (
        -4680.93
        + u * (-1.55 + u * (1999.25 + u * (-51.38 + u * (-249.67 + u * (
            -39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45))))))))
    )
    eps = eps0 / 3600.0 + deps

    # 3.6-3.7 aberration, apparent sun longitude
    dtau = -20.4898 / (3600.0 * big_r)
    lamd = theta + dpsi + dtau

    # 3.8 apparent sidereal time at Greenwich
    nu0 = (
        280.46061837
        + 360.98564736629 * (jd - 2451545.0)
        + 0.000387933 * jc**2
        - jc**3 / 38710000.0
    ) % 360.0
    nu = nu0 + dpsi * np.cos(eps * _DEG)

    # 3.9-3.10 geocentric sun right ascension and declination
    lam_r = lamd * _DEG
    eps_r = eps * _DEG
    beta_r = beta * _DEG
    alpha = np.arctan2(
        np.sin(lam_r) * np.cos(eps_r) - np.tan(beta_r) * np.sin(eps_r), np.cos(lam_r)
    ) / _DEG
    alpha = alpha % 360.0
    delta = np.arcsin(
        np.sin(beta_r) * np.cos(eps_r) + np.cos(beta_r) * np.sin(eps_r) * np.sin(lam_r)
    ) / _DEG

    # 3.11 observer local hour angle
    h = (nu + lon - alpha) % 360.0

    # 3.12 topocentric right ascension and declination (parallax)
    xi = 8.794 / (3600.0 * big_r)
    lat_r = lat * _DEG
    uu = np.arctan(0.99664719 * np.tan(lat_r))
    x = np.cos(uu) + elev / 6378140.0 * np.cos(lat_r)
    y = 0.99664719 * np.sin(uu) + elev / 6378140.0 * np.sin(lat_r)
    xi_r = xi * _DEG
    h_r = h * _DEG
    delta_r = delta * _DEG
    dalpha = np.arctan2(
        -x * np.sin(xi_r) * np.sin(h_r), np.cos(delta_r) - x * np.sin(xi_r) * np.cos(h_r)
    )
    delta_p = np.arctan2(
        (np.sin(delta_r) - y * np.sin(xi_r)) * np.cos(dalpha),
        np.cos(delta_r) - x * np.sin(xi_r) * np.cos(h_r),
    )
    # 3.13 topocentric local hour angle
    h_p = h_r - dalpha

    # 3.14 topocentric zenith angle
    e0 = np.arcsin(
        np.sin(lat_r) * np.sin(delta_p) + np.cos(lat_r) * np.cos(delta_p) * np.cos(h_p)
    ) / _DEG
    de = 0.0
    if e0 >= -(0.26667 + atmos_refract):
        de = (p_hpa / 1010.0) * (283.0 / (273.0 + temp_c)) * 1.02 / (
            60.0 * np.tan((e0 + 10.3 / (e0 + 5.11)) * _DEG)
        )
    e = e0 + de

    # 3.15 topocentric azimuth (astronomers' from south, then navigators' from north)
    gamma = np.arctan2(
        np.sin(h_p), np.cos(h_p) * np.sin(lat_r) - np.tan(delta_p) * np.cos(lat_r)
    ) / _DEG
    phi = (gamma + 180.0) % 360.0

    # A.1 equation of time, minutes
    m = 280.4664567 + jme * (
        360007.6982779 + jme * (0.03032028 + jme * (1.0 / 49931.0 + jme * (
            -1.0 / 15300.0 + jme * (-1.0 / 2000000.0))))
    )
    eot = (m - 0.0057183 - alpha + dpsi * np.cos(eps_r)) % 360.0
    eot *= 4.0
    if eot > 20.0:
        eot -= 1440.0
    elif eot < -20.0:
        eot += 1440.0

    out[0, k] = 90.0 - e
    out[1, k] = 90.0 - e0
    out[2, k] = e
    out[3, k] = e0
    out[4, k] = phi
    out[5, k] = eot


@numba.njit(cache=True, nogil=True)
def _spa_kernel(unix: np.ndarray, lat: float, lon: float, elev: float, p_hpa: np.ndarray,
                temp_c: np.ndarray, delta_t: np.ndarray, atmos_refract: float, out: np.ndarray,
                k0: int, k1: int) -> None:
    """SPA at the times k0..k1-1, into the columns of ``out``."""
    for k in range(k0, k1):
        _spa_one(unix[k], lat, lon, elev, p_hpa[k], temp_c[k], delta_t[k], atmos_refract, out, k)


def delta_t_espenak_meeus(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """TT - UT1 in seconds from the Espenak & Meeus (2006) polynomials (NASA eclipse website).

    Valid roughly for -1999..3000; beyond 2005 it is a 2006 extrapolation (about 72 s in 2020
    whereas the observed value is ~69.4 s: 2.5 s shift the sun by ~0.01 deg of hour angle).
    Same expressions as pvlib's ``spa.calculate_deltat``; pass ``delta_t`` for better values.
    """
    year = np.asarray(year, dtype=np.float64)
    month = np.asarray(month, dtype=np.float64)
    y = year + (month - 0.5) / 12.0
    out = -20.0 + 32.0 * ((y - 1820.0) / 100.0) ** 2  # < -500 and >= 2150
    pieces = [
        ((-500, 500), lambda y: 10583.6 - 1014.41 * (y / 100) + 33.78311 * (y / 100) ** 2
         - 5.952053 * (y / 100) ** 3 - 0.1798452 * (y / 100) ** 4
         + 0.022174192 * (y / 100) ** 5 + 0.0090316521 * (y / 100) ** 6),
        ((500, 1600), lambda y: 1574.2 - 556.01 * ((y - 1000) / 100)
         + 71.23472 * ((y - 1000) / 100) ** 2 + 0.319781 * ((y - 1000) / 100) ** 3
         - 0.8503463 * ((y - 1000) / 100) ** 4 - 0.005050998 * ((y - 1000) / 100) ** 5
         + 0.0083572073 * ((y - 1000) / 100) ** 6),
        ((1600, 1700), lambda y: 120 - 0.9808 * (y - 1600) - 0.01532 * (y - 1600) ** 2
         + (y - 1600) ** 3 / 7129),
        ((1700, 1800), lambda y: 8.83 + 0.1603 * (y - 1700) - 0.0059285 * (y - 1700) ** 2
         + 0.00013336 * (y - 1700) ** 3 - (y - 1700) ** 4 / 1174000),
        ((1800, 1860), lambda y: 13.72 - 0.332447 * (y - 1800) + 0.0068612 * (y - 1800) ** 2
         + 0.0041116 * (y - 1800) ** 3 - 0.00037436 * (y - 1800) ** 4
         + 0.0000121272 * (y - 1800) ** 5 - 0.0000001699 * (y - 1800) ** 6
         + 0.000000000875 * (y - 1800) ** 7),
        ((1860, 1900), lambda y: 7.62 + 0.5737 * (y - 1860) - 0.251754 * (y - 1860) ** 2
         + 0.01680668 * (y - 1860) ** 3 - 0.0004473624 * (y - 1860) ** 4
         + (y - 1860) ** 5 / 233174),
        ((1900, 1920), lambda y: -2.79 + 1.494119 * (y - 1900) - 0.0598939 * (y - 1900) ** 2
         + 0.0061966 * (y - 1900) ** 3 - 0.000197 * (y - 1900) ** 4),
        ((1920, 1941), lambda y: 21.20 + 0.84493 * (y - 1920) - 0.076100 * (y - 1920) ** 2
         + 0.0020936 * (y - 1920) ** 3),
        ((1941, 1961), lambda y: 29.07 + 0.407 * (y - 1950) - (y - 1950) ** 2 / 233
         + (y - 1950) ** 3 / 2547),
        ((1961, 1986), lambda y: 45.45 + 1.067 * (y - 1975) - (y - 1975) ** 2 / 260
         - (y - 1975) ** 3 / 718),
        ((1986, 2005), lambda y: 63.86 + 0.3345 * (y - 2000) - 0.060374 * (y - 2000) ** 2
         + 0.0017275 * (y - 2000) ** 3 + 0.000651814 * (y - 2000) ** 4
         + 0.00002373599 * (y - 2000) ** 5),
        ((2005, 2050), lambda y: 62.92 + 0.32217 * (y - 2000) + 0.005589 * (y - 2000) ** 2),
        ((2050, 2150), lambda y: -20 + 32 * ((y - 1820) / 100) ** 2 - 0.5628 * (2150 - y)),
    ]
    for (lo, hi), f in pieces:
        sel = (year >= lo) & (year < hi)
        out = np.where(sel, f(y), out)
    return out


@dataclass(frozen=True)
class SolarPosition:
    """Sun position per time (all arrays of the times' shape, degrees / minutes)."""

    apparent_zenith: np.ndarray
    zenith: np.ndarray
    apparent_elevation: np.ndarray
    elevation: np.ndarray
    azimuth: np.ndarray
    equation_of_time: np.ndarray


def _per_time(value: npt.ArrayLike, n: int, name: str) -> np.ndarray:
    """A scalar or one value per time as ``n`` contiguous float64 values."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    arr = arr.ravel()
    if arr.shape[0] != n:
        raise ValueError(f"{name}: expected a scalar or {n} values (one per time), got {arr.shape[0]}")
    return np.ascontiguousarray(arr)


def solar_position(
    unix_time: npt.ArrayLike,
    latitude: float,
    longitude: float,
    elevation: float = 0.0,
    pressure: npt.ArrayLike = 101325.0,
    temperature: npt.ArrayLike = 12.0,
    delta_t: npt.ArrayLike | None = None,
    atmos_refract: float = 0.5667,
) -> SolarPosition:
    """Sun position at ``unix_time`` (UTC seconds) for one site, by the NREL SPA.

    pressure in Pa and temperature in degC (scalars or one per time) feed only the refraction
    correction; ``atmos_refract`` (deg) is the refraction at sunrise/sunset used for the switch.
    ``delta_t`` (s, TT - UT1): scalar, per time, or None for :func:`delta_t_espenak_meeus`.
    """
    t = np.ascontiguousarray(np.asarray(unix_time, dtype=np.float64).ravel())
    n = t.shape[0]
    if not -90.0 <= latitude <= 90.0:
        raise ValueError(f"latitude must be within -90..90 deg, got {latitude}")
    if not -180.0 <= longitude <= 360.0:
        raise ValueError(f"longitude must be within -180..180 deg, got {longitude}")
    if delta_t is None:
        dt64 = np.floor(t).astype("int64").astype("datetime64[s]")
        year = dt64.astype("datetime64[Y]").astype(np.int64) + 1970
        month = dt64.astype("datetime64[M]").astype(np.int64) % 12 + 1
        dt = delta_t_espenak_meeus(year, month)
    else:
        dt = _per_time(delta_t, n, "delta_t")
    p_hpa = _per_time(pressure, n, "pressure") / 100.0
    temp = _per_time(temperature, n, "temperature")
    out = np.empty((6, n), dtype=np.float64)
    delta = np.ascontiguousarray(dt, dtype=np.float64)

    def run(k0: int, k1: int) -> None:
        _spa_kernel(t, float(latitude), float(longitude), float(elevation), p_hpa, temp, delta,
                    float(atmos_refract), out, k0, k1)

    workers = max(1, min(numba.get_num_threads(), n // 4096))
    if workers == 1:
        run(0, n)
    else:  # the kernel releases the GIL: split the times over threads
        bounds = [n * i // workers for i in range(workers + 1)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(run, bounds[i], bounds[i + 1]) for i in range(workers)]:
                f.result()
    shape = np.shape(unix_time)
    return SolarPosition(*(out[i].reshape(shape) for i in range(6)))
