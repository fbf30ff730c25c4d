"""Angle-dependent solar properties of clear multi-pane glazing (Fresnel + Beer-Lambert).

Each pane is a homogeneous, uncoated glass sheet. From the normal-incidence solar
transmittance and reflectance of one pane we recover its refractive index ``n`` and internal
absorption ``K d`` (the two numbers that explain both); every other angle follows from
Fresnel's equations for the s and p polarisations, Snell's law for the path length in the
glass, and the multiple reflections between panes (net-radiation method). Diffuse (sky and
ground) radiation uses the hemispherical average ``2 int_0^{pi/2} f(theta) cos(theta)
sin(theta) dtheta``.

Solar heat gain per m^2 of glazing = transmitted + the inward-flowing part of what each pane
absorbs. The inward fraction of pane i is the thermal resistance from the outside to pane i
divided by the total (a steady-state split through ``1/h_out``, the gaps and ``1/h_in``); with
BESTEST's double pane this gives the familiar SHGC 0.77 at normal incidence.

Used for the ASHRAE 140 glazing (two 3.048 mm panes, tau 0.834 and rho 0.075 each, U 3.0
W/m^2K with films). Not for coated (low-e) or tinted multi-layer products whose layers differ:
those need spectral/layer data (WINDOW/IGDB), which this module does not model.

Units: angles via their cosine (cos of the angle of incidence), U in W/(m^2 K), h in W/(m^2 K).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["Glazing", "pane_constants"]

_N_GRID = 181  # cos(theta) grid points for the tabulated angular properties


def pane_constants(tau_normal: float, rho_normal: float) -> tuple[float, float]:
    """Refractive index n and internal absorption K*d of an uncoated pane.

    Solves tau = (1-r)^2 a / (1 - r^2 a^2), rho = r (1 + tau a) for the interface
    reflectance r and internal transmittance a = exp(-K d) at normal incidence.
    """
    if not (0.0 < tau_normal < 1.0 and 0.0 < rho_normal < 1.0 and tau_normal + rho_normal < 1.0):
        raise ValueError(
            f"pane properties must satisfy 0 < tau, rho and tau + rho < 1, "
            f"got tau={tau_normal}, rho={rho_normal}"
        )
    a = 0.9
    r = 0.04
    for _ in range(200):
        r = rho_normal / (1.0 + tau_normal * a)
        # tau (1 - r^2 a^2) = (1 - r)^2 a  ->  quadratic in a
        qa = tau_normal * r * r
        qb = (1.0 - r) ** 2
        a_new = (-qb + np.sqrt(qb * qb + 4.0 * qa * tau_normal)) / (2.0 * qa)
        if abs(a_new - a) < 1e-15:
            a = a_new
            break
        a = a_new
    sr = np.sqrt(r)
    n = (1.0 + sr) / (1.0 - sr)
    return float(n), float(-np.log(a))


def _single_pane(cos_i: np.ndarray, n: float, kd: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-polarisation (s, p) transmittance and reflectance of one pane, arrays (2, m)."""
    cos_i = np.clip(cos_i, 1e-9, 1.0)
    sin_i = np.sqrt(1.0 - cos_i**2)
    sin_t = sin_i / n
    cos_t = np.sqrt(1.0 - sin_t**2)
    rs = ((cos_i - n * cos_t) / (cos_i + n * cos_t)) ** 2
    rp = ((cos_t - n * cos_i) / (cos_t + n * cos_i)) ** 2
    a = np.exp(-kd / cos_t)
    taus, rhos = [], []
    for r in (rs, rp):
        den = 1.0 - (r * a) ** 2
        taus.append((1.0 - r) ** 2 * a / den)
        rhos.append(r + (1.0 - r) ** 2 * r * a * a / den)
    return np.array(taus), np.array(rhos)


def _system(cos_i: np.ndarray, n: float, kd: float,
            n_panes: int) -> tuple[np.ndarray, np.ndarray]:
    """Transmittance and per-pane absorptance of n identical panes, unpolarised light.

    Net-radiation method per polarisation: in gap j (0 = outside, n_panes = room) a forward
    flux F_j and a backward flux B_j; pane j (1-based) between gaps j-1 and j gives
    F_j = tau F_{j-1} + rho B_j and B_{j-1} = rho F_{j-1} + tau B_j, with F_0 = 1, B_n = 0.
    """
    taus, rhos = _single_pane(cos_i, n, kd)
    m = cos_i.shape[0]
    total_tau = np.zeros(m)
    absorbed = np.zeros((n_panes, m))
    for pol in range(2):
        tau, rho = taus[pol], rhos[pol]
        alpha = 1.0 - tau - rho
        # unknowns per angle: F_1..F_n, B_0..B_{n-1}  (F_0 = 1, B_n = 0)
        size = 2 * n_panes
        mat = np.zeros((m, size, size))
        rhs = np.zeros((m, size))

        def f_idx(j: int) -> int:  # F_j, j = 1..n
            return j - 1

        def b_idx(j: int) -> int:  # B_j, j = 0..n-1
            return n_panes + j

        for j in range(1, n_panes + 1):
            row = f_idx(j)
            mat[:, row, f_idx(j)] = 1.0
            if j - 1 >= 1:
                mat[:, row, f_idx(j - 1)] -= tau
            else:
                rhs[:, row] += tau  # F_0 = 1
            if j <= n_panes - 1:
                mat[:, row, b_idx(j)] -= rho
            row = b_idx(j - 1)
            mat[:, row, b_idx(j - 1)] = 1.0
            if j - 1 >= 1:
                mat[:, row, f_idx(j - 1)] -= rho
            else:
                rhs[:, row] += rho
            if j <= n_panes - 1:
                mat[:, row, b_idx(j)] -= tau
        sol = np.linalg.solve(mat, rhs[..., None])[..., 0]
        f = np.concatenate([np.ones((m, 1)), sol[:, :n_panes]], axis=1)  # F_0..F_n
        b = np.concatenate([sol[:, n_panes:], np.zeros((m, 1))], axis=1)  # B_0..B_n
        total_tau += 0.5 * f[:, n_panes]
        for j in range(1, n_panes + 1):
            absorbed[j - 1] += 0.5 * alpha * (f[:, j - 1] + b[:, j])
    return total_tau, absorbed


def _hemispherical(values_on_grid: np.ndarray, cos_grid: np.ndarray) -> float:
    """2 int f cos sin dtheta = 2 int_0^1 f(mu) mu dmu (trapezoid on the mu grid)."""
    y = 2.0 * values_on_grid * cos_grid
    return float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(cos_grid)))


@dataclass(frozen=True)
class Glazing:
    """Clear glazing of ``n_panes`` identical panes.

    tau_normal, rho_normal: normal-incidence solar transmittance and reflectance of ONE pane.
    u_value: W/(m^2 K) of the glazing including surface films. h_out, h_in: combined
    exterior/interior surface coefficients, W/(m^2 K), used to split absorbed solar.
    emissivity: long-wave emissivity of the outer surface (for the sky-radiation loss).
    """

    tau_normal: float = 0.834
    rho_normal: float = 0.075
    n_panes: int = 2
    u_value: float = 3.0
    h_out: float = 21.0
    h_in: float = 8.29
    emissivity: float = 0.84
    _tables: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.n_panes < 1:
            raise ValueError(f"n_panes must be >= 1, got {self.n_panes}")
        r_total = 1.0 / self.u_value
        r_gaps = r_total - 1.0 / self.h_out - 1.0 / self.h_in
        if r_gaps < -1e-9 or (self.n_panes > 1 and r_gaps <= 0.0):
            raise ValueError(
                f"u_value={self.u_value} is inconsistent with h_out={self.h_out} and "
                f"h_in={self.h_in} (resistance between the films would be {r_gaps:.4f})"
            )
        n, kd = pane_constants(self.tau_normal, self.rho_normal)
        cos_grid = np.linspace(0.0, 1.0, _N_GRID)
        tau, absorbed = _system(cos_grid, n, kd, self.n_panes)
        # tau(90 deg) = 0 exactly (grazing incidence)
        tau[0] = 0.0
        absorbed[:, 0] = 0.0
        r_gap = max(r_gaps, 0.0) / max(self.n_panes - 1, 1)
        inward = np.array(
            [(1.0 / self.h_out + i * r_gap) / r_total for i in range(self.n_panes)]
        )
        shgc = tau + (inward[:, None] * absorbed).sum(axis=0)
        self._tables.update(
            n=n,
            kd=kd,
            cos_grid=cos_grid,
            tau=tau,
            absorbed=absorbed,
            inward=inward,
            shgc=shgc,
            tau_diffuse=_hemispherical(tau, cos_grid),
            shgc_diffuse=_hemispherical(shgc, cos_grid),
        )

    # --- properties --------------------------------------------------------------------
    @property
    def refractive_index(self) -> float:
        """Refractive index of the panes' glass."""
        return float(self._tables["n"])

    @property
    def inward_fractions(self) -> np.ndarray:
        """Inward-flowing fraction of the solar absorbed in each pane (outer pane first)."""
        return np.array(self._tables["inward"])

    @property
    def tau_diffuse(self) -> float:
        """Hemispherical (diffuse) solar transmittance."""
        return float(self._tables["tau_diffuse"])

    @property
    def shgc_diffuse(self) -> float:
        """Hemispherical (diffuse) solar heat gain coefficient."""
        return float(self._tables["shgc_diffuse"])

    @property
    def cos_grid(self) -> np.ndarray:
        """Uniform grid of cos(angle of incidence) 0..1 of the tables."""
        return np.asarray(self._tables["cos_grid"])

    @property
    def shgc_table(self) -> np.ndarray:
        """SHGC on :attr:`cos_grid` (for :func:`interp_table` in kernels)."""
        return np.asarray(self._tables["shgc"])

    @property
    def tau_table(self) -> np.ndarray:
        """Direct transmittance on :attr:`cos_grid`."""
        return np.asarray(self._tables["tau"])

    def transmittance(self, cos_aoi: npt.ArrayLike) -> np.ndarray:
        """Direct solar transmittance at the given cos(angle of incidence)."""
        return _interp(np.asarray(cos_aoi, dtype=np.float64), self.cos_grid, self.tau_table)

    def shgc(self, cos_aoi: npt.ArrayLike) -> np.ndarray:
        """Direct solar heat gain coefficient (transmitted + inward absorbed)."""
        return _interp(np.asarray(cos_aoi, dtype=np.float64), self.cos_grid, self.shgc_table)

    def absorptance(self, cos_aoi: npt.ArrayLike) -> np.ndarray:
        """Solar absorptance of each pane, shape (n_panes, ...)."""
        c = np.asarray(cos_aoi, dtype=np.float64)
        return np.stack([_interp(c, self.cos_grid, a) for a in self._tables["absorbed"]])


def _interp(c: np.ndarray, grid: np.ndarray, table: np.ndarray) -> np.ndarray:
    """``table`` on ``grid`` at ``c`` clipped to 0..1, linearly interpolated."""
    return np.interp(np.clip(c, 0.0, 1.0), grid, table)


@numba.njit(cache=True, inline="always")
def interp_table(c: float, table: np.ndarray) -> float:
    """Linear interpolation of a table on the uniform cos grid 0..1 (numba helper)."""
    if c <= 0.0:
        return table[0]
    if c >= 1.0:
        return table[table.shape[0] - 1]
    x = c * (table.shape[0] - 1)
    i = int(x)
    w = x - i
    return table[i] * (1.0 - w) + table[i + 1] * w
