"""The peer of the PV tests: pvlib's ModelChain with PVWatts on a test year."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

MOUNT = "close_mount_glass_glass"
"""The SAPM cell temperature parameters both models use."""


def modelchain_pvwatts(tmy, tilt: float, azimuth: float, pdc0: float,
                       gamma: float = -0.0037) -> tuple[np.ndarray, np.ndarray]:
    """pvlib ModelChain.with_pvwatts on ``tmy`` (weather stamped at the interval midpoints,
    UTC): hourly AC power [W] and plane-of-array global irradiance [W/m²]."""
    times = pd.to_datetime(tmy.mid_utc, unit="s", utc=True)
    weather = pd.DataFrame({"ghi": tmy.ghi, "dni": tmy.dni, "dhi": tmy.dhi,
                            "temp_air": tmy.temp_air, "wind_speed": tmy.wind_speed,
                            "pressure": tmy.pressure}, index=times)
    loc = pvlib.location.Location(tmy.latitude, tmy.longitude, altitude=tmy.altitude)
    system = pvlib.pvsystem.PVSystem(
        surface_tilt=tilt, surface_azimuth=azimuth, albedo=0.2,
        module_parameters={"pdc0": pdc0, "gamma_pdc": gamma},
        inverter_parameters={"pdc0": pdc0 / 1.2 / 0.96, "eta_inv_nom": 0.96},
        temperature_model_parameters=pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][MOUNT],
    )
    mc = pvlib.modelchain.ModelChain.with_pvwatts(system, loc)
    mc.run_model(weather)
    # poa_global is NaN where pvlib has no sun: no irradiance there
    return mc.results.ac.to_numpy(float), mc.results.total_irrad["poa_global"].fillna(0.0).to_numpy(float)
