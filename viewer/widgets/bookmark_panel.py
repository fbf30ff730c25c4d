"""Camera bookmarks: save the current view under a name, go back to it, delete it."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtWidgets import QHBoxLayout, QLineEdit, QListWidget, QPushButton, QVBoxLayout, QWidget

from viewer.renderer import SceneRenderer


class BookmarkPanel(QWidget):
    """The camera bookmarks of the scene drawn by the renderer given by ``set_renderer``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer: SceneRenderer | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("bookmark name")
        self.save = QPushButton("Save view")
        self.list = QListWidget()
        self.go = QPushButton("Go to")
        self.delete = QPushButton("Delete")
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.name)
        top.addWidget(self.save)
        bottom.addWidget(self.go)
        bottom.addWidget(self.delete)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addLayout(bottom)
        self.save.clicked.connect(lambda: self.save_view(self.name.text()))
        self.name.returnPressed.connect(lambda: self.save_view(self.name.text()))
        self.go.clicked.connect(lambda: self._with_current(self.restore_view))
        self.list.itemDoubleClicked.connect(lambda item: self.restore_view(item.text()))
        self.delete.clicked.connect(lambda: self._with_current(self._delete))
        self.setEnabled(False)

    def set_renderer(self, renderer: SceneRenderer) -> None:
        """List and save the bookmarks of ``renderer``'s scene, and move its camera, from now on."""
        if self.renderer is not None:
            self.renderer.scene.bookmarks_changed.disconnect(self._refresh)
        self.renderer = renderer
        renderer.scene.bookmarks_changed.connect(self._refresh)
        self.setEnabled(True)
        self._refresh()

    def save_view(self, name: str) -> None:
        """Save the camera as ``name`` (default: ``view N``)."""
        if self.renderer is None:
            return
        name = name.strip() or f"view {len(self.renderer.scene.bookmarks) + 1}"
        self.renderer.scene.save_bookmark(name, self.renderer.camera_pose())
        self.name.clear()

    def restore_view(self, name: str) -> None:
        """Move the camera to bookmark ``name``."""
        if self.renderer is not None:
            self.renderer.set_camera_pose(self.renderer.scene.bookmarks[name])

    def _delete(self, name: str) -> None:
        if self.renderer is not None:
            self.renderer.scene.remove_bookmark(name)

    def _with_current(self, action: Callable[[str], None]) -> None:
        item = self.list.currentItem()
        if item is not None:
            action(item.text())

    def _refresh(self) -> None:
        self.list.clear()
        if self.renderer is not None:
            self.list.addItems(list(self.renderer.scene.bookmarks))
