"""Waiting for a Qt signal in the viewer tests (module-scoped windows cannot use qtbot), and
the main window opened on a twin or results file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PyQt6 import sip
from PyQt6.QtCore import QEventLoop, QTimer
from PyQt6.QtTest import QTest

from viewer.app import close_and_delete
from viewer.widgets.main_window import MainWindow

LOAD_TIMEOUT_MS = 30_000


def wait_for(signal, action: Callable[[], object], timeout_ms: int = LOAD_TIMEOUT_MS) -> None:
    """Run ``action`` and wait until ``signal`` fires (or ``timeout_ms`` passed)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    action()
    loop.exec()
    signal.disconnect(loop.quit)


@contextmanager
def shown_window(path: Path, size: tuple[int, int] = (1000, 700)) -> Iterator[MainWindow]:
    """The main window shown at ``size`` (px) with ``path`` loaded; closed and deleted after."""
    window = MainWindow()
    try:
        window.resize(*size)
        window.show()
        assert QTest.qWaitForWindowExposed(window)
        wait_for(window.scene_loaded, lambda: window.open_path(path))
        yield window
    finally:
        close_and_delete(window)
        assert sip.isdeleted(window)
