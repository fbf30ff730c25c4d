"""Loads a twin folder or a results file and builds its scene in a worker thread, reporting
progress."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import QObject, QThread, pyqtSignal

from twin.errors import TwinError
from viewer.sources import load_scene


class SceneLoader(QObject):
    """Run with ``start``; emits ``progress(done, total, text)``, then ``loaded(scene)`` or
    ``failed(message)``. A results scene to compare with another is built at that one's
    timeline ``steps`` and ``origin``."""

    progress = pyqtSignal(int, int, str)
    loaded = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, path: Path, steps: np.ndarray | None = None,
                 origin: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.path = path
        self.steps = steps
        self.origin = origin
        self.worker = QThread()
        self.moveToThread(self.worker)
        self.worker.started.connect(self._run)

    def start(self) -> None:
        """Build the scene in the worker thread; the signals report how it goes."""
        self.worker.start()

    def _run(self) -> None:
        try:
            self.progress.emit(0, 1, f"reading {self.path.name}")
            scene = load_scene(self.path, lambda done, total, text: self.progress.emit(done + 1, total + 1, text),
                               self.steps, self.origin)
        except TwinError as error:
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user, the thread must not die silently
            self.failed.emit(f"{self.path}: {error}")
        else:
            self.loaded.emit(scene)
        finally:
            self.worker.quit()

