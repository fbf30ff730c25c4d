"""Loads a twin folder and builds its scene in a worker thread, reporting progress."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QObject, QThread, pyqtSignal

from twin.errors import TwinError
from twin.store import load_twin
from viewer.scene import build_scene


class SceneLoader(QObject):
    """Run with ``start``; emits ``progress(done, total, text)``, then ``loaded(scene)`` or
    ``failed(message)``."""

    progress = pyqtSignal(int, int, str)
    loaded = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder
        self.worker = QThread()
        self.moveToThread(self.worker)
        self.worker.started.connect(self._run)

    def start(self) -> None:
        self.worker.start()

    def _run(self) -> None:
        try:
            self.progress.emit(0, 1, f"reading {self.folder.name}")
            twin = load_twin(self.folder)
            scene = build_scene(twin, progress=lambda done, total, text:
                                self.progress.emit(done + 1, total + 1, text))
        except TwinError as error:
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - shown to the user, the thread must not die silently
            self.failed.emit(f"{self.folder}: {error}")
        else:
            self.loaded.emit(scene)
        finally:
            self.worker.quit()
