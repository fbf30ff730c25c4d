"""The CRS of a CityGML file from its ``srsName``: EPSG codes in any of the forms GML uses, and the
German surveying authorities' (AdV) URNs, which pyproj does not know by name.

Only the horizontal part is kept (the vertical datum is dropped, as for CityJSON). GML writes
coordinates in the axis order of the CRS: for a geographic CRS with latitude first (PLATEAU's
EPSG:6697, ETRS89 EPSG:4258) the reader swaps them to (longitude, latitude).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.importers.crs import horizontal_crs

ADV_HORIZONTAL = {
    "ETRS89_UTM32": 25832,
    "ETRS89_UTM33": 25833,
    "ETRS89_LAT-LON": 4258,
    "DE_DHDN_3GK2": 31466,
    "DE_DHDN_3GK3": 31467,
    "DE_DHDN_3GK4": 31468,
    "DE_DHDN_3GK5": 31469,
}
"""EPSG code of the horizontal part of AdV CRS URNs (``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH*
GCG2016`` = ETRS89 / UTM 32N + DHHN2016 heights + GCG2016 geoid: the part before the first
``*``), from the AdV's CRS register (GeoInfoDok, "Koordinatenreferenzsysteme der AdV")."""

_EPSG = re.compile(r"EPSG(?::[\d.]*:|/[\d.]+/|:)(\d+)", re.IGNORECASE)
_ADV = re.compile(r"^urn:adv:crs:([^*,]+)", re.IGNORECASE)


@dataclass(frozen=True)
class FileCrs:
    """A file's horizontal CRS and whether its coordinates come latitude first."""

    crs: CRS
    latitude_first: bool


class UnknownCrs(ValueError):
    """An ``srsName`` that names no CRS the reader knows."""


def parse_srs_name(name: str) -> FileCrs:
    """The horizontal CRS an ``srsName`` names: ``EPSG:25832``, ``urn:ogc:def:crs:EPSG::25832``,
    ``http://www.opengis.net/def/crs/EPSG/0/6697``, compound ``urn:ogc:def:crs,crs:EPSG::25832,
    crs:EPSG::5783`` (first member) or an AdV URN; raises :class:`UnknownCrs` otherwise."""
    text = name.strip()
    adv = _ADV.match(text)
    if adv:
        code = ADV_HORIZONTAL.get(adv[1].upper())
        if code is None:
            raise UnknownCrs(f"unknown AdV CRS {name!r} (known: {', '.join(ADV_HORIZONTAL)})")
    else:
        epsg = _EPSG.search(text)
        if epsg is None:
            raise UnknownCrs(f"unknown CRS {name!r}; expected an EPSG code such as "
                             "urn:ogc:def:crs:EPSG::25832 or an AdV URN")
        code = int(epsg[1])
    try:
        crs = horizontal_crs(CRS.from_epsg(code))
    except CRSError:
        raise UnknownCrs(f"unknown CRS {name!r}: EPSG:{code} is not in the EPSG database") from None
    if crs.is_vertical or not (crs.is_projected or crs.is_geographic):
        raise UnknownCrs(f"{name!r} ({crs.name}) has no horizontal part to place the buildings")
    first = crs.axis_info[0].direction.lower() if crs.axis_info else ""
    return FileCrs(crs, crs.is_geographic and first == "north")
