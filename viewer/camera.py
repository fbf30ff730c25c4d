"""Camera poses: bookmarks the user saves and the preset views (iso, top)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viewer.presets import PRESETS

ISO_ELEVATION_DEG = 35.0
FIT_MARGIN = 1.05
"""Distance of a preset view over the closest distance at which the box fits."""


@dataclass(frozen=True)
class CameraPose:
    """Where the camera is, what it looks at and which way is up (scene coordinates, m), and its
    vertical view angle (degrees)."""

    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    view_up: tuple[float, float, float]
    view_angle: float = 30.0


def preset_pose(name: str, bounds: tuple[float, ...], view_angle: float = 30.0,
                aspect: float = 1.0) -> CameraPose:
    """The preset view ``name`` (one of ``PRESETS``) of the box ``bounds`` (xmin, xmax, ymin,
    ymax, zmin, zmax; m), just far enough for the whole box to fit a view of vertical angle
    ``view_angle`` (degrees) and width/height ``aspect``."""
    if name not in PRESETS:
        raise ValueError(f"unknown camera preset {name!r}; choose one of {', '.join(PRESETS)}")
    box = np.asarray(bounds, dtype=np.float64).reshape(3, 2)
    centre = box.mean(axis=1)
    if name == "top":
        backward, up = np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0])
    else:
        elevation = np.radians(ISO_ELEVATION_DEG)
        backward = np.array([-np.cos(elevation) / np.sqrt(2), -np.cos(elevation) / np.sqrt(2),
                             np.sin(elevation)])
        up = np.array([0.0, 0.0, 1.0]) - np.sin(elevation) * backward
        up /= np.linalg.norm(up)
    right = np.cross(up, backward)
    corners = np.stack(np.meshgrid(*box, indexing="ij"), axis=-1).reshape(-1, 3) - centre
    tangent = np.tan(np.radians(view_angle) / 2)
    needed = corners @ backward + np.maximum(np.abs(corners @ up) / tangent,
                                             np.abs(corners @ right) / (tangent * aspect))
    distance = FIT_MARGIN * max(float(needed.max()), 1.0)
    position = centre + distance * backward
    return CameraPose(tuple(position.tolist()), tuple(centre.tolist()), tuple(up.tolist()), view_angle)


def orbit_poses(pose: CameraPose, frames: int) -> list[CameraPose]:
    """``frames`` poses turning ``pose`` once around the vertical axis through its focal point."""
    focal = np.asarray(pose.focal_point)
    offset = np.asarray(pose.position) - focal
    up = np.asarray(pose.view_up)
    poses = []
    for angle in np.linspace(0.0, 2 * np.pi, frames, endpoint=False):
        c, s = np.cos(angle), np.sin(angle)
        turn = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        poses.append(CameraPose(tuple((focal + turn @ offset).tolist()), pose.focal_point,
                                tuple((turn @ up).tolist()), pose.view_angle))
    return poses
