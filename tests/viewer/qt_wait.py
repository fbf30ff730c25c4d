"""Waiting for a Qt signal in the viewer tests (module-scoped windows cannot use qtbot)."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QEventLoop, QTimer

LOAD_TIMEOUT_MS = 30_000


def wait_for(signal, action: Callable[[], object], timeout_ms: int = LOAD_TIMEOUT_MS) -> None:
    """Run ``action`` and wait until ``signal`` fires (or ``timeout_ms`` passed)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    action()
    loop.exec()
    signal.disconnect(loop.quit)
