"""The layer tree: show/hide each layer, and for the selected one its opacity, the attribute it
is coloured by, the colour range (robust or manual min/max), the classes and the colour map."""

from __future__ import annotations

import weakref

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.colour_classes import CLASSIFICATIONS, MAX_CLASS_COUNT
from viewer.layers import COLOUR_MAPS, Layer
from viewer.scene import Scene

SOLID = "(solid colour)"


class LayerPanel(QWidget):
    """Edits the layers of a scene; every change goes to the layer, the renderer follows it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self._followed: weakref.WeakSet[Layer] = weakref.WeakSet()  # layers whose changes it follows
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Layer", "Features"])
        self.tree.setRootIsDecorated(False)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.color_by = QComboBox()
        self.cmap = QComboBox()
        self.cmap.addItems(COLOUR_MAPS)
        self.range_min, self.range_max = QLineEdit(), QLineEdit()
        self.range_reset = QPushButton("Auto")
        self.range_reset.setToolTip("2–98 % of the values")
        range_row = QHBoxLayout()
        for control in (self.range_min, self.range_max, self.range_reset):
            range_row.addWidget(control)
        self.classification = QComboBox()
        self.classification.addItems(CLASSIFICATIONS)
        self.class_count = QSpinBox()
        self.class_count.setRange(1, MAX_CLASS_COUNT)
        classes_row = QHBoxLayout()
        classes_row.addWidget(self.classification)
        classes_row.addWidget(self.class_count)
        form = QFormLayout()
        form.addRow("Opacity", self.opacity)
        form.addRow("Colour by", self.color_by)
        form.addRow("Range", range_row)
        form.addRow("Classes", classes_row)
        form.addRow("Colour map", self.cmap)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addLayout(form)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())
        self.opacity.valueChanged.connect(self._on_opacity)
        self.color_by.activated.connect(self._on_color_by)
        self.cmap.activated.connect(self._on_cmap)
        self.range_min.editingFinished.connect(self._on_range)
        self.range_max.editingFinished.connect(self._on_range)
        self.range_reset.clicked.connect(self._on_range_reset)
        self.classification.activated.connect(self._on_classes)
        self.class_count.valueChanged.connect(self._on_classes)
        self._show_selected()

    def set_scene(self, scene: Scene) -> None:
        """List the layers of ``scene`` and edit them from now on; the first one is selected."""
        self.scene = scene
        self.tree.blockSignals(True)
        self.tree.clear()
        for layer in scene.layers.values():
            count = "" if layer.table is None else f"{len(layer.table):,}"
            item = QTreeWidgetItem([layer.name, count])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
            if layer not in self._followed:
                layer.changed.connect(lambda field, layer=layer: self._on_layer_changed(layer, field))
                self._followed.add(layer)
        self.tree.blockSignals(False)
        self.tree.resizeColumnToContents(0)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._show_selected()

    def item(self, name: str) -> QTreeWidgetItem:
        """The tree item of layer ``name``."""
        return self.tree.findItems(name, Qt.MatchFlag.MatchExactly, 0)[0]

    def selected_layer(self) -> Layer | None:
        """The layer selected in the tree, or None."""
        item = self.tree.currentItem()
        return None if item is None or self.scene is None else self.scene.layers[item.text(0)]

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self.scene is not None and column == 0:
            self.scene.layers[item.text(0)].set_visible(item.checkState(0) == Qt.CheckState.Checked)

    def _on_layer_changed(self, layer: Layer, field: str) -> None:
        if self.scene is None or self.scene.layers.get(layer.name) is not layer:
            return  # a layer of a scene no longer shown
        if field == "visible":
            self.tree.blockSignals(True)
            self.item(layer.name).setCheckState(
                0, Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            self.tree.blockSignals(False)
        if layer is self.selected_layer():
            self._show_selected()

    def _on_opacity(self, value: int) -> None:
        if (layer := self.selected_layer()) is not None:
            layer.set_opacity(value / 100)

    def _on_color_by(self, index: int) -> None:
        if (layer := self.selected_layer()) is not None:
            text = self.color_by.itemText(index)
            layer.set_color_by(None if text == SOLID else text)

    def _on_cmap(self, index: int) -> None:
        if (layer := self.selected_layer()) is not None:
            layer.set_cmap(self.cmap.itemText(index))

    def _on_range(self) -> None:
        """A manual min/max once both fields hold numbers with min < max."""
        layer = self.selected_layer()
        if layer is None or layer.color_by is None:
            return
        try:
            bounds = (float(self.range_min.text()), float(self.range_max.text()))
            layer.set_value_range(layer.color_by, bounds)
        except ValueError:
            self._show_selected()  # not a range: show the one in use again

    def _on_range_reset(self) -> None:
        layer = self.selected_layer()
        if layer is not None and layer.color_by is not None:
            layer.set_value_range(layer.color_by, None)

    def _on_classes(self, *_: object) -> None:
        if (layer := self.selected_layer()) is not None:
            layer.set_classification(self.classification.currentText(), self.class_count.value())

    def _show_selected(self) -> None:
        """Put the selected layer's state into the controls."""
        layer = self.selected_layer()
        controls = (self.opacity, self.color_by, self.cmap, self.range_min, self.range_max,
                    self.range_reset, self.classification, self.class_count)
        for control in controls:
            control.setEnabled(layer is not None and (
                layer.color_by is not None or control not in controls[3:]))
            control.blockSignals(True)
        self.color_by.clear()
        self.range_min.clear()
        self.range_max.clear()
        if layer is not None:
            self.opacity.setValue(round(layer.opacity * 100))
            self.color_by.addItems([SOLID, *layer.attributes()])
            self.color_by.setCurrentText(layer.color_by or SOLID)
            self.cmap.setCurrentText(layer.cmap)
            self.classification.setCurrentText(layer.classification)
            self.class_count.setValue(layer.class_count)
            if layer.color_by is not None:
                low, high = layer.value_range(layer.color_by)
                self.range_min.setText(f"{low:.6g}")
                self.range_max.setText(f"{high:.6g}")
        for control in controls:
            control.blockSignals(False)
