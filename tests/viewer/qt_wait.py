"""Waiting for a Qt signal in the viewer tests (module-scoped windows cannot use qtbot), and
the main window opened on a twin or results file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer
from PyQt6.QtTest import QTest

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


def close_and_delete(window: MainWindow) -> None:
    """Close ``window`` and delete its Qt objects now.

    A window's slots refer back to it, so Python frees it only in a garbage collection. Its
    widgets' destructors then signal into slots the collection may already have cleared (the
    GL context's ``destroyed`` slot of pyvistaqt's interactor): a segmentation fault at some
    later, unrelated test. Deleted here, in plain code, the signals find their slots whole.
    """
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert sip.isdeleted(window)
