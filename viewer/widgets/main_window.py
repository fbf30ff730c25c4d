"""The viewer's main window: the 3D view with its docks (layers, attributes, bookmarks), the
time bar, menus, progress while loading, and drag and drop of twin folders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QToolBar,
    QWidget,
)
from pyvistaqt import QtInteractor

from viewer.camera import PRESETS
from viewer.export import save_orbit, save_screenshot
from viewer.picking import Identified, Identifier
from viewer.renderer import SceneRenderer
from viewer.scene import Scene
from viewer.settings import ViewerSettings
from viewer.widgets.attribute_panel import AttributePanel
from viewer.widgets.bookmark_panel import BookmarkPanel
from viewer.widgets.layer_panel import LayerPanel
from viewer.widgets.loader import SceneLoader
from viewer.widgets.time_bar import TimeBar

CLICK_SLOP_PX = 3
"""A press and release closer than this is a click (identify), not a drag of the camera."""


class MainWindow(QMainWindow):
    """Signals: ``scene_loaded(scene)`` when a twin is shown, ``load_failed(message)``,
    ``identified(hit or None)`` after a click in the view."""

    scene_loaded = pyqtSignal(object)
    load_failed = pyqtSignal(str)
    identified = pyqtSignal(object)

    def __init__(self, settings: ViewerSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or ViewerSettings()
        self.scene: Scene | None = None
        self.renderer: SceneRenderer | None = None
        self.identifier: Identifier | None = None
        self._loaders: list[SceneLoader] = []  # running ones; the last one opened is shown
        self._press: tuple[int, int] | None = None
        self.setWindowTitle("localtwin viewer")
        self.resize(1400, 900)
        self.setAcceptDrops(True)
        self.plotter = QtInteractor(self, multi_samples=0, auto_update=False)
        self.setCentralWidget(self.plotter)
        self.layer_panel = LayerPanel()
        self.attribute_panel = AttributePanel()
        self.bookmark_panel = BookmarkPanel()
        self._dock("Layers", self.layer_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Bookmarks", self.bookmark_panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._dock("Attributes", self.attribute_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.time_bar = TimeBar()
        time_toolbar = QToolBar("Time")
        time_toolbar.addWidget(self.time_bar)
        self.addToolBar(Qt.ToolBarArea.BottomToolBarArea, time_toolbar)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(300)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self._menus()
        self.plotter.iren.add_observer("LeftButtonPressEvent", self._on_press)
        self.plotter.iren.add_observer("LeftButtonReleaseEvent", self._on_release)

    def open_twin(self, folder: str | Path) -> None:
        """Load the twin folder in the background; the view shows it when ``scene_loaded`` fires."""
        folder = Path(folder)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.statusBar().showMessage(f"opening {folder}")
        loader = SceneLoader(folder)
        loader.progress.connect(lambda *step: self._if_latest(loader, self._on_progress, *step))
        loader.loaded.connect(lambda scene: self._if_latest(loader, self.show_scene, scene))
        loader.failed.connect(lambda message: self._if_latest(loader, self._on_failed, message))
        loader.worker.finished.connect(lambda: self._loaders.remove(loader))
        self._loaders.append(loader)
        loader.start()

    def show_scene(self, scene: Scene) -> None:
        """Draw ``scene`` in place of what is shown."""
        if self.renderer is not None:
            self.renderer.remove()
        self.scene = scene
        self.renderer = SceneRenderer(self.plotter, scene)
        self.renderer.set_anti_aliasing(self.settings.anti_aliasing)
        self.identifier = Identifier(scene)
        self.layer_panel.set_scene(scene)
        self.bookmark_panel.set_renderer(self.renderer)
        self.time_bar.set_timeline(scene.timeline)
        self.attribute_panel.show_identified(None)
        self.setWindowTitle(f"{scene.twin.name} — localtwin viewer")
        self.progress.hide()
        self.statusBar().showMessage(
            f"{scene.twin.name}: {len(scene.twin.buildings):,} buildings, "
            f"{len(scene.twin.network.links):,} links ({scene.twin.crs.to_string()})")
        self.scene_loaded.emit(scene)

    def identify_at(self, x: int, y: int) -> Identified | None:
        """Identify what is under display pixel (x, y) (VTK display coordinates) and show it."""
        if self.identifier is None:
            return None
        hit = self.identifier.identify(self.plotter.renderer, x, y)
        self.attribute_panel.show_identified(hit)
        self.identified.emit(hit)
        return hit

    def save_screenshot(self, path: str | Path) -> Path | None:
        if self.renderer is None:
            return None
        saved = save_screenshot(self.renderer, path)
        self.statusBar().showMessage(f"written {saved}")
        return saved

    def export_orbit(self, path: str | Path, frames: int = 72) -> Path | None:
        """A GIF or MP4 of the camera orbiting, with progress in the status bar."""
        if self.renderer is None:
            return None
        self.progress.setRange(0, frames)
        self.progress.show()

        def advance(done: int, total: int) -> None:
            self.progress.setValue(done)
            QApplication.processEvents()

        try:
            saved = save_orbit(self.renderer, path, frames=frames, progress=advance)
        finally:
            self.progress.hide()
        self.statusBar().showMessage(f"written {saved}")
        return saved

    def set_anti_aliasing(self, enabled: bool) -> None:
        self.settings.anti_aliasing = enabled
        if self.renderer is not None:
            self.renderer.set_anti_aliasing(enabled)

    def view_preset(self, name: str) -> None:
        if self.renderer is not None:
            self.renderer.view_preset(name)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_folder(event) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folder = _dropped_folder(event)
        if folder is not None:
            event.acceptProposedAction()
            self.open_twin(folder)

    def closeEvent(self, event: QCloseEvent) -> None:
        for loader in list(self._loaders):
            loader.worker.wait()
        self.plotter.close()
        super().closeEvent(event)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Open twin…", self._ask_open, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Save &screenshot (PNG)…", self._ask_screenshot)
        self._action(file_menu, "Export camera &orbit (GIF/MP4)…", self._ask_orbit)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        for name in PRESETS:
            self._action(view_menu, f"{name.capitalize()} view",
                         lambda name=name: self.view_preset(name))
        view_menu.addSeparator()
        anti_aliasing = self._action(view_menu, "&Anti-aliasing", None)
        anti_aliasing.setCheckable(True)
        anti_aliasing.setChecked(self.settings.anti_aliasing)
        anti_aliasing.toggled.connect(self.set_anti_aliasing)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object] | None,
                shortcut: QKeySequence.StandardKey | None = None) -> QAction:
        action = menu.addAction(text)
        if slot is not None:
            action.triggered.connect(lambda checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _ask_open(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open twin folder")
        if folder:
            self.open_twin(folder)

    def _ask_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "view.png", "PNG (*.png)")
        if path:
            self.save_screenshot(path)

    def _ask_orbit(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export camera orbit", "orbit.mp4",
                                              "MP4 video (*.mp4);;GIF animation (*.gif)")
        if path:
            self.export_orbit(path)

    def _if_latest(self, loader: SceneLoader, slot: Callable[..., None], *args: object) -> None:
        """Pass on what ``loader`` reports only if no twin was opened after it."""
        if self._loaders and self._loaders[-1] is loader:
            slot(*args)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.statusBar().showMessage(text)

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.statusBar().showMessage("could not open the twin")
        self.load_failed.emit(message)
        QMessageBox.warning(self, "Could not open the twin", message)

    def _on_press(self, caller: object, event: str) -> None:
        self._press = self.plotter.iren.interactor.GetEventPosition()

    def _on_release(self, caller: object, event: str) -> None:
        x, y = self.plotter.iren.interactor.GetEventPosition()
        press, self._press = self._press, None
        if press is not None and max(abs(x - press[0]), abs(y - press[1])) <= CLICK_SLOP_PX:
            self.identify_at(x, y)


def _dropped_folder(event: QDragEnterEvent | QDropEvent) -> Path | None:
    """The first local folder among the dropped URLs, if any."""
    for url in event.mimeData().urls():
        path = Path(url.toLocalFile())
        if url.isLocalFile() and path.is_dir():
            return path
    return None
