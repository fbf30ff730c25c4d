"""Plain-Python ISO 13790 5R1C zone, one object per building, one method call per hour.

A literal transcription of EN ISO 13790:2008 Annex C (equations C.1-C.11 and the C.4.2
procedure with the 10 W/m^2 test), in the style of RC_BuildingSimulator. It is the reference
the numba kernel is checked against and the plain-Python baseline of the benchmark.
"""

from __future__ import annotations

import math


class Zone5R1C:
    def __init__(self, floor_area, h_tr_w, h_tr_op, a_m, c_m, a_t, h_ve, convective_fraction=0.5,
                 heating_max=math.inf, cooling_max=math.inf, h_is=3.45, h_ms=9.1):
        self.a_f = floor_area
        self.h_tr_w = h_tr_w
        self.h_tr_is = h_is * a_t
        self.h_tr_ms = h_ms * a_m
        self.h_tr_em = 1.0 / (1.0 / h_tr_op - 1.0 / self.h_tr_ms)
        self.a_m = a_m
        self.a_t = a_t
        self.c_m = c_m
        self.h_ve = h_ve
        self.f_c = convective_fraction
        self.heating_max = heating_max
        self.cooling_max = cooling_max

    # --- C.2: heat flows -------------------------------------------------------------------
    def heat_flows(self, phi_int, phi_sol):
        phi_ia = self.f_c * phi_int
        rad = (1.0 - self.f_c) * phi_int + phi_sol
        phi_m = self.a_m / self.a_t * rad
        phi_st = (1.0 - self.a_m / self.a_t - self.h_tr_w / (9.1 * self.a_t)) * rad
        return phi_ia, phi_st, phi_m

    # --- C.3: node temperatures for a given heating/cooling power -------------------------
    def temperatures(self, theta_m_prev, theta_e, theta_sup, phi_int, phi_sol, phi_hc, h_ve):
        phi_ia, phi_st, phi_m = self.heat_flows(phi_int, phi_sol)
        h_tr_1 = 1.0 / (1.0 / h_ve + 1.0 / self.h_tr_is)  # C.6
        h_tr_2 = h_tr_1 + self.h_tr_w  # C.7
        h_tr_3 = 1.0 / (1.0 / h_tr_2 + 1.0 / self.h_tr_ms)  # C.8
        phi_mtot = phi_m + self.h_tr_em * theta_e + h_tr_3 * (
            phi_st + self.h_tr_w * theta_e + h_tr_1 * ((phi_ia + phi_hc) / h_ve + theta_sup)
        ) / h_tr_2  # C.5
        cm = self.c_m / 3600.0
        theta_m_t = (theta_m_prev * (cm - 0.5 * (h_tr_3 + self.h_tr_em)) + phi_mtot) / (
            cm + 0.5 * (h_tr_3 + self.h_tr_em)
        )  # C.4
        theta_m = 0.5 * (theta_m_t + theta_m_prev)  # C.9
        theta_s = (
            self.h_tr_ms * theta_m + phi_st + self.h_tr_w * theta_e
            + h_tr_1 * (theta_sup + (phi_ia + phi_hc) / h_ve)
        ) / (self.h_tr_ms + self.h_tr_w + h_tr_1)  # C.10
        theta_air = (self.h_tr_is * theta_s + h_ve * theta_sup + phi_ia + phi_hc) / (
            self.h_tr_is + h_ve
        )  # C.11
        return theta_m_t, theta_air

    # --- C.4.2: heating/cooling need -------------------------------------------------------
    def step(self, theta_m_prev, theta_e, theta_sup, phi_int, phi_sol, set_h, set_c, h_ve=None):
        """One hour; returns (phi_HC W (+ heating, - cooling), theta_air, theta_m,t)."""
        h_ve = self.h_ve if h_ve is None else h_ve
        args = (theta_m_prev, theta_e, theta_sup, phi_int, phi_sol)
        tm0, ta0 = self.temperatures(*args, 0.0, h_ve)  # step 1: free floating
        if set_h <= ta0 <= set_c:
            return 0.0, ta0, tm0
        set_point = set_h if ta0 < set_h else set_c
        phi_10 = 10.0 * self.a_f  # step 2: apply 10 W/m^2
        _, ta10 = self.temperatures(*args, phi_10, h_ve)
        phi_un = phi_10 * (set_point - ta0) / (ta10 - ta0)
        if -self.cooling_max <= phi_un <= self.heating_max:  # step 3: within capacity
            phi = phi_un
        else:  # step 4: capped
            phi = self.heating_max if phi_un > 0.0 else -self.cooling_max
        tm, ta = self.temperatures(*args, phi, h_ve)
        return phi, ta, tm


def run_year(zone: Zone5R1C, theta_e, phi_int, phi_sol, set_h, set_c, h_ve=None,
             warmup_hours=336, theta_m0=20.0):
    """Hourly loop like the kernel's (warm-up on the last hours); returns lists of phi, ta."""
    n = len(theta_e)
    tm = theta_m0
    phis, tas = [], []
    for it in range(warmup_hours + n):
        t = it - warmup_hours if it >= warmup_hours else n - warmup_hours + it
        hv = None if h_ve is None else h_ve[t]
        phi, ta, tm = zone.step(tm, theta_e[t], theta_e[t], phi_int[t], phi_sol[t],
                                set_h[t], set_c[t], hv)
        if it >= warmup_hours:
            phis.append(phi)
            tas.append(ta)
    return phis, tas
