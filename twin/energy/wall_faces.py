"""Walls per real face in the building model's solar gains (buildings of LoD2 sources).

The zone model takes solar as shared sources (``solar.SOURCE_NAMES``: the horizontal and the
vertical N/E/S/W planes) and a per-building aperture per source. LoD1 buildings give each wall
orientation bin (N, E, S, W, ``twin.model.ORIENTATIONS``) the vertical plane at 0/90/180/270°.
A building whose ``surfaces`` layer lists wall faces spreads the aperture of each bin
(opaque and window parts, after party walls and the bin's sunlit factor) over the bin's faces
in proportion to their area, each face on the vertical plane of its own azimuth; a bin without
faces keeps its plane.

A face's plane is reached through vertical source planes every ``STEP`` degrees from north:
a face at azimuth a between planes g and g + STEP puts (1 - w) of its aperture on g and w on
g + STEP, w = (a - g) / STEP, i.e. its irradiance is interpolated linearly in azimuth between
the two planes (exact for faces on a plane, e.g. the four orientations; between planes the
interpolation error of the beam term is at most STEP² / 8 in radians², 0.4 % of the normal
beam irradiance at 10°, and STEP / 4 rad, 4 %, in the hour the sun grazes the face). Planes at
0/90/180/270° are the N/E/S/W sources; the others are added as sources ``wall_<azimuth>``
where a face needs them. Walls are taken as vertical: LoD2 wall faces are (in the NRW tiles
every wall is within 0.1° of vertical); their tilt is not used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.energy.solar import FACADES, SOURCE_AZIMUTH, SOURCE_NAMES
from twin.model import Twin

STEP = 10.0
"""deg between the vertical source planes a wall face is interpolated between."""
_FACADE_AZIMUTHS = SOURCE_AZIMUTH[list(FACADES)]
"""Azimuths of the N, E, S, W source planes, ascending [deg]."""
LAYER = "surfaces"
"""The twin layer of the faces of LoD2 sources (``twin.importers.surface_layer``)."""


@dataclass(frozen=True)
class WallFaces:
    """The wall faces of the twin's buildings that have them, and the extra source planes.

    Attributes
    ----------
    building : ndarray of int
        Position in ``Twin.buildings`` of each face's building, (n_faces,).
    area : ndarray of float
        Face area, (n_faces,) [m²].
    azimuth : ndarray of float
        Azimuth of the face's outward normal from north clockwise, (n_faces,) [deg].
    extra_azimuths : ndarray of float
        Azimuths of the vertical source planes the faces need besides N/E/S/W, ascending
        [deg]; the sources ``wall_<azimuth>`` after ``solar.SOURCE_NAMES``.
    """

    building: np.ndarray
    area: np.ndarray
    azimuth: np.ndarray
    extra_azimuths: np.ndarray

    @property
    def orientation(self) -> np.ndarray:
        """Orientation bin of each face: 0 N, 1 E, 2 S, 3 W (90° sectors centred on north,
        east, ..., as the twin's ``wall_area_n/e/s/w``)."""
        return (np.floor((self.azimuth + 45.0) / 90.0).astype(np.int64)) % 4

    def planes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(lower plane azimuth, upper plane azimuth, weight of the lower, weight of the upper)
        of each face [deg, deg, -, -]."""
        lower = np.floor(self.azimuth / STEP) * STEP
        upper_weight = (self.azimuth - lower) / STEP
        return lower % 360.0, (lower + STEP) % 360.0, 1.0 - upper_weight, upper_weight


def wall_faces(twin: Twin) -> WallFaces | None:
    """The wall faces (kind ``wall``, an azimuth and an area) of the twin's ``surfaces``
    layer whose building is in ``twin.buildings``; None when there are none."""
    layer = twin.layers.get(LAYER)
    if layer is None or not len(layer):
        return None
    position = {str(b): k for k, b in enumerate(twin.buildings["id"])}
    building = np.array([position.get(str(b), -1) for b in layer["building_id"]], dtype=np.int64)
    area = layer["area"].to_numpy(np.float64)
    azimuth = layer["azimuth"].to_numpy(np.float64) % 360.0
    keep = ((layer["kind"] == "wall").to_numpy() & (building >= 0) & np.isfinite(azimuth)
            & (area > 0.0))
    if not keep.any():
        return None
    faces = WallFaces(building[keep], area[keep], azimuth[keep], np.zeros(0))
    lower, upper, w_lower, w_upper = faces.planes()
    used = np.unique(np.r_[lower[w_lower > 0.0], upper[w_upper > 0.0]])
    extra = used[~np.isin(used, _FACADE_AZIMUTHS)]
    return WallFaces(faces.building, faces.area, faces.azimuth, extra)


def face_apertures(apertures: np.ndarray, faces: WallFaces | None) -> np.ndarray:
    """The solar apertures with each face building's facade bins spread over its faces.

    Parameters
    ----------
    apertures : ndarray
        Apertures per building and base source (n_buildings, len(SOURCE_NAMES)) [m²], the
        facade columns per orientation bin (sunlit factors applied).
    faces : WallFaces or None
        The wall faces (None: the apertures as they are).

    Returns
    -------
    ndarray
        (n_buildings, len(SOURCE_NAMES) + len(faces.extra_azimuths)) [m²]: the roof column
        as given, each bin with faces moved onto its faces' planes, the others as given.
    """
    if faces is None:
        return apertures
    n = apertures.shape[0]
    out = np.zeros((n, len(SOURCE_NAMES) + len(faces.extra_azimuths)))
    out[:, : len(SOURCE_NAMES)] = apertures
    bins = faces.orientation
    bin_area = np.zeros((n, 4))
    np.add.at(bin_area, (faces.building, bins), faces.area)
    moved = bin_area > 0.0
    facade_columns = np.asarray(FACADES)
    out[:, facade_columns] = np.where(moved, 0.0, apertures[:, facade_columns])
    share = (apertures[faces.building, facade_columns[bins]] * faces.area
             / bin_area[faces.building, bins])
    lower, upper, w_lower, w_upper = faces.planes()
    for plane, weight in ((lower, w_lower), (upper, w_upper)):
        on = weight > 0.0
        np.add.at(out, (faces.building[on], _columns(plane[on], faces.extra_azimuths)),
                  share[on] * weight[on])
    return out


def _columns(plane: np.ndarray, extra: np.ndarray) -> np.ndarray:
    """Source column of each plane azimuth [deg]: the N/E/S/W source, else its extra one."""
    facade = np.searchsorted(_FACADE_AZIMUTHS, plane)
    is_facade = (facade < 4) & (_FACADE_AZIMUTHS[np.minimum(facade, 3)] == plane)
    extra_column = len(SOURCE_NAMES) + np.searchsorted(extra, plane)
    return np.where(is_facade, np.asarray(FACADES)[np.minimum(facade, 3)], extra_column)
