"""The time slider with play/pause, bound to the scene's timeline; disabled without time steps."""

from __future__ import annotations

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from viewer.timeline import Timeline

PLAY_INTERVAL_MS = 250
NO_TIME = "no time steps (results come with a run)"


class TimeBar(QWidget):
    """Play/pause, the step slider and the current time of the timeline given by ``set_timeline``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.timeline: Timeline | None = None
        self.play = QToolButton()
        self.play.setText("Play")
        self.play.setCheckable(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.label = QLabel(NO_TIME)
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_INTERVAL_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.play)
        layout.addWidget(self.slider, stretch=1)
        layout.addWidget(self.label)
        self.slider.valueChanged.connect(self._on_slider)
        self.play.toggled.connect(self._on_play)
        self.timer.timeout.connect(self._on_tick)
        self._refresh()

    def set_timeline(self, timeline: Timeline) -> None:
        """Show and move ``timeline`` (that of the scene shown) from now on."""
        if self.timeline is not None:
            self.timeline.changed.disconnect(self._on_changed)
        self.timeline = timeline
        timeline.changed.connect(self._on_changed)
        self._refresh()

    def _on_slider(self, value: int) -> None:
        if self.timeline is not None:
            self.timeline.set_index(value)

    def _on_play(self, playing: bool) -> None:
        if self.timeline is not None:
            self.timeline.set_playing(playing)

    def _on_tick(self) -> None:
        if self.timeline is not None:
            self.timeline.advance()

    def _on_changed(self, field: str) -> None:
        self._refresh()

    def _refresh(self) -> None:
        """Put the timeline's state into the controls."""
        # the timeline while it has steps to move through
        timeline = self.timeline if self.timeline is not None and self.timeline.enabled else None
        enabled = timeline is not None
        for control in (self.play, self.slider):
            control.setEnabled(enabled)
            control.blockSignals(True)
        self.slider.setRange(0, len(timeline.steps) - 1 if timeline is not None else 0)
        self.slider.setValue(timeline.index if timeline is not None else 0)
        playing = timeline is not None and timeline.playing
        self.play.setChecked(playing)
        self.play.setText("Pause" if playing else "Play")
        for control in (self.play, self.slider):
            control.blockSignals(False)
        self.label.setText(timeline.label() if timeline is not None else NO_TIME)
        if playing and not self.timer.isActive():
            self.timer.start()
        elif not playing:
            self.timer.stop()
