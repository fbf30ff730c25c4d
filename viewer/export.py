"""Pictures of the view: a PNG screenshot and a GIF or MP4 of the camera orbiting the scene."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import imageio.v2 as imageio
import numpy as np

from viewer.camera import orbit_poses
from viewer.renderer import SceneRenderer

MOVIE_SUFFIXES = (".gif", ".mp4")


def save_screenshot(renderer: SceneRenderer, path: str | Path) -> Path:
    """The current view as a PNG file."""
    path = Path(path)
    renderer.plotter.screenshot(str(path))
    return path


def save_orbit(renderer: SceneRenderer, path: str | Path, frames: int = 72, fps: int = 24,
               progress: Callable[[int, int], None] | None = None) -> Path:
    """A GIF or MP4 (by suffix) of one turn of the camera around its focal point; the camera is
    put back where it was, and nothing is left behind if writing fails."""
    path = Path(path)
    if path.suffix.lower() not in MOVIE_SUFFIXES:
        raise ValueError(f"{path}: a camera orbit is written as {' or '.join(MOVIE_SUFFIXES)}")
    start = renderer.camera_pose()
    if path.suffix.lower() == ".gif":
        writer = imageio.get_writer(path, mode="I", duration=1000 / fps, loop=0)
    else:
        writer = imageio.get_writer(path, fps=fps, macro_block_size=1, codec="libx264",
                                    pixelformat="yuv420p")
    try:
        for done, pose in enumerate(orbit_poses(start, frames)):
            renderer.set_camera_pose(pose)
            image = np.asarray(renderer.plotter.screenshot(return_img=True))
            writer.append_data(image[: image.shape[0] // 2 * 2, : image.shape[1] // 2 * 2])
            if progress is not None:
                progress(done + 1, frames)
        writer.close()
    except BaseException:
        writer.close()
        path.unlink(missing_ok=True)
        raise
    finally:
        renderer.set_camera_pose(start)
    return path
