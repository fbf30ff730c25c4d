"""The viewer's main window: the 3D view with its docks (layers, attributes, bookmarks), the
time bar, menus, progress while loading, drag and drop of twin folders and results files, and
A/B compare of two results files in two linked views side by side."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pyvista as pv
from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PyQt6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStatusBar,
    QToolBar,
    QWidget,
)
from pyvistaqt import QtInteractor

from viewer.camera import PRESETS
from viewer.compare import Comparison, link_cameras
from viewer.export import save_orbit, save_screenshot
from viewer.measure import Measurement
from viewer.paths import is_results_file
from viewer.picking import Identified, Identifier
from viewer.renderer import SceneRenderer
from viewer.results_scene import ResultsScene
from viewer.scene import Scene
from viewer.settings import ViewerSettings
from viewer.widgets.attribute_panel import AttributePanel
from viewer.widgets.bookmark_panel import BookmarkPanel
from viewer.widgets.layer_panel import LayerPanel
from viewer.widgets.loader import SceneLoader
from viewer.widgets.time_bar import TimeBar

CLICK_SLOP_PX = 3
MEASUREMENT_ACTOR = "measurement"
MEASUREMENT_COLOUR = "#ff00ff"
"""The ruler's line: magenta, a colour no layer's map uses."""
"""A press and release closer than this is a click (identify), not a drag of the camera."""
RESULTS_FILTER = "Results (*.h5 *.hdf5);;All files (*)"


class MainWindow(QMainWindow):
    """Signals: ``scene_loaded(scene)`` when a twin or results file is shown,
    ``comparison_shown(comparison)`` when scene B of an A/B compare is, ``load_failed(message)``,
    ``identified(hit or None)`` after a click in a view.

    ``plotter`` shows scene A; while comparing, ``compare_plotter`` shows B beside it with the
    same camera and timeline. The layer panel edits the scene of the view last clicked.
    """

    scene_loaded = pyqtSignal(object)
    comparison_shown = pyqtSignal(object)
    load_failed = pyqtSignal(str)
    identified = pyqtSignal(object)

    def __init__(self, settings: ViewerSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or ViewerSettings()
        self.scene: Scene | None = None
        self.renderer: SceneRenderer | None = None
        self.identifier: Identifier | None = None
        self.comparison: Comparison | None = None
        self.compare_plotter: QtInteractor | None = None
        self.compare_renderer: SceneRenderer | None = None
        self.compare_identifier: Identifier | None = None
        self._loaders: list[SceneLoader] = []  # running ones; the last one opened is shown
        self._compare_next: Path | None = None  # results to compare with once A is shown
        self._press: tuple[int, int] | None = None
        self.measuring = False
        self.measurement = Measurement()
        self.setWindowTitle("localtwin viewer")
        self.resize(1400, 900)
        self.setAcceptDrops(True)
        self.views = QSplitter()
        self.plotter = QtInteractor(self.views, multi_samples=0, auto_update=False)
        self.views.addWidget(self.plotter)
        self.setCentralWidget(self.views)
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
        self.status_bar = QStatusBar()
        self.setStatusBar(self.status_bar)
        self.status_bar.addPermanentWidget(self.progress)
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(round(1000 * self.settings.live_refresh_s))
        self.live_timer.timeout.connect(self.refresh_live_sensors)
        self._menus()
        self._watch_clicks(self.plotter, compared=False)

    def open_paths(self, paths: list[Path]) -> None:
        """Open a twin folder or results file; a second results file is compared with the first."""
        if paths:
            self._compare_next = Path(paths[1]) if len(paths) > 1 else None
            self.open_path(paths[0])

    def open_path(self, path: str | Path) -> None:
        """Load a twin folder or results file in the background; the view shows it when
        ``scene_loaded`` fires."""
        self._load(Path(path), self.show_scene)

    def compare_with(self, path: str | Path) -> None:
        """Load results file ``path`` as scene B beside the results shown (A), at A's time steps;
        ``comparison_shown`` fires when it is drawn."""
        if not isinstance(self.scene, ResultsScene):
            self._on_failed("open a results file first: only results are compared")
            return
        scene = self.scene
        self._load(Path(path), self.show_comparison, scene.timeline.steps, scene.origin)

    def show_scene(self, scene: Scene) -> None:
        """Draw ``scene`` in place of what is shown (ending a comparison)."""
        self.end_comparison()
        self.live_timer.stop()
        if self.renderer is not None:
            self.renderer.remove()
        self.scene = scene
        if scene.live is not None:
            self.live_timer.start()
        self.renderer = SceneRenderer(self.plotter, scene)
        self.renderer.set_anti_aliasing(self.settings.anti_aliasing)
        self.identifier = Identifier(scene)
        self.layer_panel.set_scene(scene)
        self.bookmark_panel.set_renderer(self.renderer)
        self.time_bar.set_timeline(scene.timeline)
        self.attribute_panel.chart.set_timeline(scene.timeline)
        self.attribute_panel.show_identified(None)
        self.setWindowTitle(f"{scene.title} — localtwin viewer")
        self.progress.hide()
        steps = f", {len(scene.timeline.steps):,} time steps" if scene.timeline.enabled else ""
        self.status_bar.showMessage(
            f"{scene.title}: {len(scene.twin.buildings):,} buildings, "
            f"{len(scene.twin.network.links):,} links ({scene.twin.crs.to_string()}){steps}")
        self.scene_loaded.emit(scene)
        if self._compare_next is not None:
            path, self._compare_next = self._compare_next, None
            self.compare_with(path)

    def refresh_live_sensors(self) -> bool:
        """Show the latest observations of the open twin folder's live sensors; True if new
        ones arrived since the last look."""
        if self.scene is None or self.scene.live is None:
            return False
        return self.scene.live.refresh()

    def show_comparison(self, scene: Scene) -> None:
        """Draw results ``scene`` as B beside A: same camera, same timeline, difference layers.
        The scene of a twin folder is refused (``load_failed``) and A stays as it is."""
        if not isinstance(scene, ResultsScene):
            self._on_failed(f"{scene.title} is a twin, not results: only results files are compared")
            return
        assert isinstance(self.scene, ResultsScene) and self.renderer is not None
        self.end_comparison()
        self.comparison = Comparison(self.scene, scene)
        self.compare_plotter = QtInteractor(self.views, multi_samples=0, auto_update=False)
        self.views.addWidget(self.compare_plotter)
        self.views.setSizes([1, 1])
        link_cameras(self.plotter, self.compare_plotter)
        self.compare_renderer = SceneRenderer(self.compare_plotter, scene, linked_legends=False)
        self.renderer.recolour()  # A's ranges now span B's values too
        self.compare_renderer.set_anti_aliasing(self.settings.anti_aliasing)
        self.compare_identifier = Identifier(scene)
        self._watch_clicks(self.compare_plotter, compared=True)
        self.renderer.set_pane(f"A  {self.scene.title}")
        self.compare_renderer.set_pane(f"B  {scene.title}")
        QApplication.processEvents()  # the panes take their half widths
        self.renderer.view_preset("iso")  # the whole twin in a half-width pane
        self.show_differences_action.setEnabled(True)
        self.progress.hide()
        self.setWindowTitle(f"{self.scene.title} | {scene.title} — localtwin viewer")
        self.status_bar.showMessage(f"comparing {self.scene.title} (left) with {scene.title} (right)")
        self.comparison_shown.emit(self.comparison)

    def end_comparison(self) -> None:
        """Close view B (if comparing) and leave A as it was."""
        if self.comparison is None:
            return
        assert self.compare_plotter is not None and self.compare_renderer is not None
        if self.scene is not None:
            self.layer_panel.set_scene(self.scene)
        self.comparison.close()
        if self.renderer is not None:
            self.renderer.set_pane("")
            self.renderer.highlight(None, None)
            self.renderer.recolour()
        self.compare_renderer.remove()
        self.compare_plotter.close()
        self.compare_plotter.setParent(None)
        self.compare_plotter.deleteLater()
        self.comparison = self.compare_plotter = None
        self.compare_renderer = self.compare_identifier = None
        self.show_differences_action.setChecked(False)
        self.show_differences_action.setEnabled(False)

    def show_differences(self, shown: bool) -> None:
        """In view B, the B − A layers instead of B's own (or B's again)."""
        if self.comparison is not None:
            self.comparison.show_differences(shown)
            self.show_differences_action.setChecked(shown)

    def identify_at(self, x: int, y: int, compared: bool = False) -> Identified | None:
        """Identify what is under display pixel (x, y) (VTK display coordinates) of view A (or B
        if ``compared``) and show it."""
        identifier = self.compare_identifier if compared else self.identifier
        plotter = self.compare_plotter if compared else self.plotter
        if identifier is None or plotter is None:
            return None
        hit = identifier.identify(plotter.renderer, x, y)
        for renderer, shown in ((self.renderer, not compared), (self.compare_renderer, compared)):
            if renderer is not None:
                renderer.highlight(hit.layer if hit and shown else None, hit.row if hit and shown else None)
        self.attribute_panel.show_identified(hit)
        self.identified.emit(hit)
        return hit

    def set_measuring(self, on: bool) -> None:
        """Clicks in view A measure (each adds a point to the ruler) instead of identifying;
        turning it off clears the ruler."""
        self.measuring = on
        self.measurement.clear()
        self._draw_measurement()
        self.status_bar.showMessage(self.measurement.text() if on else "")

    def measure_at(self, x: int, y: int) -> Measurement:
        """Add the point under display pixel (x, y) of view A to the ruler (nothing where no
        layer is hit) and show the distance."""
        if self.identifier is not None:
            hit = self.identifier.identify(self.plotter.renderer, x, y)
            if hit is not None:
                self.measurement.add(hit.point)
                self._draw_measurement()
        self.status_bar.showMessage(self.measurement.text())
        return self.measurement

    def _draw_measurement(self) -> None:
        """The ruler's polyline in view A, above what it measures."""
        self.plotter.remove_actor(MEASUREMENT_ACTOR, render=False)  # type: ignore[arg-type, unused-ignore]
        if len(self.measurement.points) > 1 and self.scene is not None:
            line = pv.lines_from_points(self.scene.to_scene(np.asarray(self.measurement.points)))
            self.plotter.add_mesh(line, color=MEASUREMENT_COLOUR, line_width=3,
                                  name=MEASUREMENT_ACTOR, pickable=False, render=False)
        self.plotter.render()

    def save_screenshot(self, path: str | Path) -> Path | None:
        """The view of scene A as a PNG file; None if nothing is shown."""
        if self.renderer is None:
            return None
        saved = save_screenshot(self.renderer, path)
        self.status_bar.showMessage(f"written {saved}")
        return saved

    def export_orbit(self, path: str | Path, frames: int = 72) -> Path | None:
        """A GIF or MP4 of the camera orbiting in ``frames`` pictures, with progress in the status
        bar; None if nothing is shown."""
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
        self.status_bar.showMessage(f"written {saved}")
        return saved

    def set_anti_aliasing(self, enabled: bool) -> None:
        """FXAA on or off in both views, and in the settings."""
        self.settings.anti_aliasing = enabled
        for renderer in (self.renderer, self.compare_renderer):
            if renderer is not None:
                renderer.set_anti_aliasing(enabled)

    def view_preset(self, name: str) -> None:
        """Look at the visible layers from the preset view ``name`` (``camera.PRESETS``)."""
        if self.renderer is not None:
            self.renderer.view_preset(name)

    def dragEnterEvent(self, event: QDragEnterEvent | None) -> None:
        """Accept a drag of twin folders or results files."""
        assert event is not None
        if _dropped_paths(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent | None) -> None:
        """Open the dropped twin folder or results file (a second results file: compare)."""
        assert event is not None
        paths = _dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths[:2])

    def closeEvent(self, event: QCloseEvent | None) -> None:
        """Wait for the loaders still running and close the views."""
        for loader in list(self._loaders):
            loader.worker.wait()
        self.end_comparison()
        if self.renderer is not None:  # its frame callbacks go before the render window does
            self.renderer.remove()
            self.renderer = None
        self.plotter.close()
        super().closeEvent(event)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)

    def _menus(self) -> None:
        file_menu = self._menu("&File")
        self._action(file_menu, "&Open twin folder…", self._ask_open, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Open &results…", self._ask_open_results)
        self._action(file_menu, "&Compare with…", self._ask_compare)
        self._action(file_menu, "Save &screenshot (PNG)…", self._ask_screenshot)
        self._action(file_menu, "Export camera &orbit (GIF/MP4)…", self._ask_orbit)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view_menu = self._menu("&View")
        for name in PRESETS:
            self._action(view_menu, f"{name.capitalize()} view", partial(self.view_preset, name))
        view_menu.addSeparator()
        anti_aliasing = self._action(view_menu, "&Anti-aliasing", None)
        anti_aliasing.setCheckable(True)
        anti_aliasing.setChecked(self.settings.anti_aliasing)
        anti_aliasing.toggled.connect(self.set_anti_aliasing)
        self.show_differences_action = self._action(view_menu, "Show &difference B − A", None)
        self.show_differences_action.setCheckable(True)
        self.show_differences_action.setEnabled(False)
        self.show_differences_action.toggled.connect(self.show_differences)
        self.measure_action = self._action(view_menu, "&Measure distance", None)
        self.measure_action.setCheckable(True)
        self.measure_action.toggled.connect(self.set_measuring)

    def _menu(self, title: str) -> QMenu:
        """A new menu at the end of the menu bar (which the window makes when first asked)."""
        menu_bar = self.menuBar()
        assert menu_bar is not None
        menu = menu_bar.addMenu(title)
        assert menu is not None
        return menu

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object] | None,
                shortcut: QKeySequence.StandardKey | None = None) -> QAction:
        action = menu.addAction(text)
        assert action is not None
        if slot is not None:
            action.triggered.connect(lambda checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        return action

    def _ask_open(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open twin folder")
        if folder:
            self.open_path(folder)

    def _ask_open_results(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open results", "", RESULTS_FILTER)
        if path:
            self.open_path(path)

    def _ask_compare(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Compare with results", "", RESULTS_FILTER)
        if path:
            self.compare_with(path)

    def _load(self, path: Path, show: Callable[[Scene], None], steps: np.ndarray | None = None,
              origin: tuple[float, float] | None = None) -> None:
        """Build the scene of ``path`` in the background and pass it to ``show``."""
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status_bar.showMessage(f"opening {path}")
        loader = SceneLoader(path, steps, origin)
        loader.progress.connect(lambda *step: self._if_latest(loader, self._on_progress, *step))
        loader.loaded.connect(lambda scene: self._if_latest(loader, show, scene))
        loader.failed.connect(lambda message: self._if_latest(loader, self._on_failed, message))
        loader.worker.finished.connect(lambda: self._loaders.remove(loader))
        self._loaders.append(loader)
        loader.start()

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
        """Pass on what ``loader`` reports only if nothing was opened after it."""
        if self._loaders and self._loaders[-1] is loader:
            slot(*args)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status_bar.showMessage(text)

    def _on_failed(self, message: str) -> None:
        self.progress.hide()
        self.status_bar.showMessage("could not open it")
        self.load_failed.emit(message)
        QMessageBox.warning(self, "Could not open it", message)

    def _watch_clicks(self, plotter: QtInteractor, compared: bool) -> None:
        """A click (not a drag) in ``plotter`` identifies there and makes its scene the one the
        layer panel edits."""
        interactor = plotter.iren.interactor

        def on_press(caller: object, event: str) -> None:
            self._press = interactor.GetEventPosition()

        def on_release(caller: object, event: str) -> None:
            x, y = interactor.GetEventPosition()
            press, self._press = self._press, None
            if press is not None and max(abs(x - press[0]), abs(y - press[1])) <= CLICK_SLOP_PX:
                if self.measuring and not compared:
                    self.measure_at(x, y)
                    return
                scene = self.comparison.b if compared and self.comparison else self.scene
                if scene is not None and self.layer_panel.scene is not scene:
                    self.layer_panel.set_scene(scene)
                self.identify_at(x, y, compared)

        plotter.iren.add_observer("LeftButtonPressEvent", on_press)
        plotter.iren.add_observer("LeftButtonReleaseEvent", on_release)


def _dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The dropped local twin folders and results files."""
    data = event.mimeData()
    assert data is not None
    paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
    return [path for path in paths if path.is_dir() or (path.is_file() and is_results_file(path))]
