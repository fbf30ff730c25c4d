"""A chart of one time-varying attribute of the identified feature over the timeline, with a
marker at the current step; a choice of the attribute when there are several. Times are the
twin's local clock times (the timeline's time zone), UTC on demand; values are drawn as steps
(each holds until the next step: a bin's mean, a month's total)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PyQt6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from twin.quantities import typeset
from viewer.timeline import Timeline

CHART_HEIGHT_PX = 220


class SeriesChart(QWidget):
    """Hidden until ``show_series`` gets values; follows the timeline's current step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.series: dict[str, np.ndarray] = {}
        self.units: dict[str, str] = {}
        self.choice = QComboBox()
        self.utc = QCheckBox("UTC")
        self.utc.setToolTip("Times in UTC rather than the twin's local time")
        self.figure = Figure(figsize=(3, 2), layout="constrained")
        self.axes = self.figure.add_subplot()
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(CHART_HEIGHT_PX)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        controls = QHBoxLayout()
        controls.addWidget(self.choice, stretch=1)
        controls.addWidget(self.utc)
        layout.addLayout(controls)
        layout.addWidget(self.canvas)
        self.choice.currentTextChanged.connect(lambda _: self._draw())
        self.utc.toggled.connect(lambda _: self._draw())
        self.marker: Line2D | None = None
        self.hide()

    def set_timeline(self, timeline: Timeline) -> None:
        """Chart over ``timeline`` (that of the scene shown) from now on; nothing charted yet."""
        if self.timeline is not None:
            self.timeline.changed.disconnect(self._on_time)
        self.timeline = timeline
        timeline.changed.connect(self._on_time)
        self.show_series({}, {})

    def show_series(self, series: dict[str, np.ndarray], units: dict[str, str]) -> None:
        """Chart ``series`` (values per timeline step by attribute), or hide without any."""
        self.series, self.units = series, units
        shown = self.choice.currentText()
        self.choice.blockSignals(True)
        self.choice.clear()
        self.choice.addItems(list(series))
        if shown in series:
            self.choice.setCurrentText(shown)
        self.choice.blockSignals(False)
        self.setVisible(bool(series) and self.timeline is not None and self.timeline.enabled)
        self._draw()

    def times(self) -> np.ndarray:
        """The timeline's steps as the chart's x values (``datetime`` objects): naive local
        clock times of the timeline's time zone, or UTC times when ``utc`` is checked."""
        assert self.timeline is not None
        steps = pd.DatetimeIndex(self.timeline.steps).tz_localize("UTC")
        if not self.utc.isChecked():
            steps = steps.tz_convert(self.timeline.timezone)
        return steps.tz_localize(None).to_numpy().astype("datetime64[ms]").astype(object)

    def line(self) -> tuple[np.ndarray, np.ndarray]:
        """The (times, values) charted."""
        x, y = self.axes.lines[0].get_data()
        return np.asarray(x), np.asarray(y, dtype=np.float64)

    def _draw(self) -> None:
        self.axes.clear()
        self.marker = None
        name = self.choice.currentText()
        if self.isHidden() or name not in self.series or self.timeline is None:
            return
        times = self.times()
        self.axes.plot(times, self.series[name], color="tab:blue", drawstyle="steps-post")
        unit = typeset(self.units.get(name, ""))
        self.axes.set_ylabel(f"{name} ({unit})" if unit else name, fontsize=8)
        self.axes.set_xlabel("UTC" if self.utc.isChecked() else self.timeline.timezone, fontsize=8)
        self.axes.tick_params(labelsize=7)
        self.figure.autofmt_xdate()
        self.marker = self.axes.axvline(times[self.timeline.index], color="tab:red", linewidth=1)
        self.canvas.draw_idle()

    def _on_time(self, field: str) -> None:
        if field == "steps":
            self.show_series({}, {})
        elif field == "index" and self.marker is not None and self.timeline is not None:
            current = self.times()[self.timeline.index]
            self.marker.set_xdata([current, current])
            self.canvas.draw_idle()
