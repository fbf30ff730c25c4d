"""The attributes of the identified feature, as a two-column table, and a chart of its
time-varying attributes."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.picking import Identified
from viewer.widgets.series_chart import SeriesChart

HINT = "Click a building, road or point to see its attributes."


class AttributePanel(QWidget):
    """The identified feature's layer, where it was hit, its attributes and the chart of its series."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(HINT)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Attribute", "Value"])
        horizontal, vertical = self.table.horizontalHeader(), self.table.verticalHeader()
        assert horizontal is not None and vertical is not None  # a table view has both headers
        horizontal.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        vertical.setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.chart = SeriesChart()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.chart)

    def show_identified(self, hit: Identified | None) -> None:
        """Show ``hit``'s layer and attributes, or the hint when nothing was hit."""
        if hit is None:
            self.title.setText(HINT)
            self.table.setRowCount(0)
            self.chart.show_series({}, {})
            return
        self.chart.show_series(hit.series, hit.units)
        x, y, z = hit.point
        self.title.setText(f"{hit.layer} at {x:.1f}, {y:.1f}, {z:.1f} m")
        self.table.setRowCount(len(hit.attributes))
        for row, (name, value) in enumerate(hit.attributes.items()):
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(_format(value)))

    def value(self, attribute: str) -> str | None:
        """The shown text of ``attribute``, or None if it is not shown."""
        for row in range(self.table.rowCount()):
            if self._text(row, 0) == attribute:
                return self._text(row, 1)
        return None

    def _text(self, row: int, column: int) -> str:
        """The text of a cell of the table (every shown row has both cells)."""
        item = self.table.item(row, column)
        assert item is not None
        return item.text()


def _format(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
