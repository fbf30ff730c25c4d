"""Start the desktop viewer: ``twin view [TWIN]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtWidgets import QApplication

from viewer.settings import ViewerSettings
from viewer.widgets.main_window import MainWindow


def run(folder: Path | None = None, settings: ViewerSettings | None = None) -> int:
    """Open the main window (with the twin ``folder`` if given) and run until it is closed."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("localtwin viewer")
    window = MainWindow(settings)
    window.show()
    if folder is not None:
        window.open_twin(folder)
    return app.exec()
