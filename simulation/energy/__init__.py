"""Energy kernels: plain numpy arrays in, plain numpy arrays out (SI units, UTC unix seconds).

- ``solar_position``: NREL SPA sun position.
- ``irradiance``: extraterrestrial DNI, air mass, angle of incidence, Perez 1990 transposition.
- ``glazing``: angle-dependent transmittance and SHGC of clear multi-pane glazing.
- ``overhangs``: window overhangs (beam sunlit fraction, sky-view ratio).
- ``solar_gains``: sun for end-labelled hourly weather; hourly solar per m^2 of each surface.
- ``envelope``: U-values, internal heat capacity, solar apertures, ventilation conductance.
- ``rc5r1c``: ISO 13790 hourly 5R1C zone model over buildings x hours.

See ``MODEL_CARD.md`` beside this file for inputs, assumptions, validity and validation.
"""
