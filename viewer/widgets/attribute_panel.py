"""The attributes of the identified feature as a table of name, value and unit (from the
quantities table, as the viewer shows them), and a chart of its time-varying attributes."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from twin.quantities import typeset
from viewer.picking import Identified
from viewer.widgets.series_chart import SeriesChart

HINT = "Click a building, road or point to see its attributes."
UNKNOWN = "?"
"""The unit shown for a number whose unit nobody gave (an attribute of a stranger's layer)."""


class AttributePanel(QWidget):
    """The identified feature's layer, where it was hit, its attributes and the chart of its series."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(HINT)
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Attribute", "Value", "Unit"])
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
            self.table.setItem(row, 2, QTableWidgetItem(_unit(name, value, hit.units)))

    def value(self, attribute: str) -> str | None:
        """The shown text of ``attribute``, or None if it is not shown."""
        for row in range(self.table.rowCount()):
            if self._text(row, 0) == attribute:
                return self._text(row, 1)
        return None

    def unit(self, attribute: str) -> str | None:
        """The shown unit of ``attribute``, or None if it is not shown."""
        for row in range(self.table.rowCount()):
            if self._text(row, 0) == attribute:
                return self._text(row, 2)
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


def _unit(name: str, value: object, units: dict[str, str]) -> str:
    """The unit of attribute ``name`` as shown (``kWh/m²``); "" for ids, names and classes,
    ``UNKNOWN`` for a number nobody gave a unit for."""
    if name in units:
        return typeset(units[name])
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return UNKNOWN if is_number else ""
