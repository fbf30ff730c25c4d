"""Start the desktop viewer: ``twin view [TWIN | RESULTS [RESULTS_B]]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QEvent
from PyQt6.QtWidgets import QApplication, QWidget

from viewer.settings import ViewerSettings
from viewer.widgets.main_window import MainWindow


def run(paths: list[Path] | None = None, settings: ViewerSettings | None = None) -> int:
    """Open the main window with ``paths`` (a twin folder or a results file; a second results
    file is compared with the first) and run until it is closed."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("localtwin viewer")
    window = MainWindow(settings)
    window.show()
    window.open_paths(paths or [])
    try:
        return app.exec()
    finally:
        close_and_delete(window)


def close_and_delete(window: QWidget) -> None:
    """Close ``window`` and delete its Qt objects now.

    A window's slots refer back to it, so Python would free it only in a garbage collection.
    Its widgets' destructors then signal into slots the collection may already have cleared
    (the GL context's ``destroyed`` slot of pyvistaqt's interactor): a segmentation fault at
    some later, unrelated moment. Deleted here, in plain code, the signals find their slots
    whole.
    """
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
