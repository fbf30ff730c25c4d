"""The text in a view's upper-left corner (an A/B pane's name above the time): a text actor
anchored at the corner, kept there as the view's size changes, with its screen box."""

from __future__ import annotations

import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkTextActor

from viewer.legend_layout import Box
from viewer.legends import text_box

MARGIN_PX = 10
"""Distance (px) of the text from the view's top and left edges."""
FONT_SIZE = 14
COLOUR = "black"


class CornerLabel:
    """Text in the upper-left corner of ``plotter``, placed before every frame."""

    def __init__(self, plotter: pv.BasePlotter, text: str) -> None:
        self.plotter = plotter
        self.actor = vtkTextActor()
        prop = self.actor.GetTextProperty()
        prop.SetFontSize(FONT_SIZE)
        prop.SetColor(*pv.Color(COLOUR).float_rgb)
        prop.SetJustificationToLeft()
        prop.SetVerticalJustificationToTop()
        self.actor.SetInput(text)
        plotter.renderer.AddViewProp(self.actor)
        self._observer = plotter.renderer.AddObserver("StartEvent", lambda *_: self.place())
        self.place()

    def text(self) -> str:
        """The text shown."""
        return str(self.actor.GetInput())

    def set_text(self, text: str) -> None:
        """Show ``text`` (lines split by newlines)."""
        self.actor.SetInput(text)

    def place(self) -> None:
        """Anchor the text at the upper-left corner of the view's present size."""
        height = self.plotter.renderer.GetSize()[1]
        self.actor.SetDisplayPosition(MARGIN_PX, height - MARGIN_PX)

    def screen_box(self) -> Box:
        """Where the text is drawn (px)."""
        return text_box(self.actor, self.plotter.renderer)

    def remove(self) -> None:
        """Take the text out of the view; it is no longer placed before each frame."""
        self.plotter.renderer.RemoveObserver(self._observer)
        self.plotter.renderer.RemoveViewProp(self.actor)
