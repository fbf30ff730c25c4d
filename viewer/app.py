"""Start the desktop viewer: ``twin view [TWIN | RESULTS [RESULTS_B]]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtWidgets import QApplication

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
    return app.exec()
