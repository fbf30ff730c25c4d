"""The legends of one plotter: per coloured layer a title (layer, attribute, unit, clipped ends)
above a colour bar, placed by ``legend_layout.stack_legends`` whenever a legend comes, goes or
changes and whenever the view's size changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyvista as pv
from vtkmodules.vtkRenderingAnnotation import vtkScalarBarActor
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkTextActor

from viewer.legend_layout import LINE_HEIGHT, SWATCH_HEIGHT, Box, stack_legends

TEXT_COLOUR = "black"
TITLE_FONT_SIZE = 13
LABEL_FONT_SIZE = 12
LABELS = 5


@dataclass(eq=False)
class Legend:
    """The two actors of one legend."""

    title: vtkTextActor
    bar: vtkScalarBarActor


class Legends:
    """The legends shown in ``plotter``, keyed by layer name, top to bottom in the ``order`` of
    the layer names."""

    def __init__(self, plotter: pv.BasePlotter, order: list[str]) -> None:
        self.plotter = plotter
        self.order = order
        self.shown: dict[str, Legend] = {}
        self._laid_out_at: tuple[int, int] | None = None
        self.keep_out: Callable[[], list[Box]] = list
        """The screen boxes (px) of what else the view shows in its corners (its time label,
        scale bar, north arrow): the legends stay clear of them."""
        plotter.renderer.AddObserver("StartEvent", self._on_frame)

    def show(self, key: str, title: str, lookup_table: pv.LookupTable) -> None:
        """Show (or retitle) the legend ``key`` of a layer coloured through ``lookup_table``."""
        if key not in self.shown:
            self.shown[key] = Legend(_title_actor(), _bar_actor(lookup_table))
            for actor in (self.shown[key].title, self.shown[key].bar):
                self.plotter.renderer.AddViewProp(actor)
            self.shown = dict(sorted(self.shown.items(), key=lambda item: self.order.index(item[0])))
        legend = self.shown[key]
        legend.title.SetInput(title)
        legend.bar.SetLookupTable(lookup_table)
        self.lay_out()

    def hide(self, key: str) -> None:
        """Take the legend ``key`` away (nothing if it is not shown)."""
        legend = self.shown.pop(key, None)
        if legend is not None:
            self.plotter.renderer.RemoveViewProp(legend.title)
            self.plotter.renderer.RemoveViewProp(legend.bar)
            self.lay_out()

    def lay_out(self) -> None:
        """Place every legend for the view's present size (px), clear of the ``keep_out``
        boxes."""
        width, height = self.plotter.renderer.GetSize()
        self._laid_out_at = (width, height)
        keep_out = self.keep_out()
        lines = [legend.title.GetInput().count("\n") + 1 for legend in self.shown.values()]
        caps = [_bar_cap(legend.bar) for legend in self.shown.values()]
        for legend, place in zip(self.shown.values(), stack_legends(lines, width, height, caps,
                                                                  keep_out)):
            legend.title.SetDisplayPosition(int(place.title.x + place.title.width),
                                            int(place.title.y + place.title.height))
            legend.bar.SetPosition(place.bar.x / width, place.bar.y / height)
            legend.bar.SetPosition2(place.bar.width / width, place.bar.height / height)

    def screen_boxes(self) -> list[Box]:
        """The drawn title and bar (with labels) of every legend as screen boxes (px), as the
        last frame placed them."""
        renderer = self.plotter.renderer
        boxes = []
        for legend in self.shown.values():
            boxes.append(text_box(legend.title, renderer))
            low = legend.bar.GetPositionCoordinate().GetComputedDisplayValue(renderer)
            high = legend.bar.GetPosition2Coordinate().GetComputedDisplayValue(renderer)
            boxes.append(Box(low[0], low[1], high[0] - low[0], high[1] - low[1]))
        return boxes

    def _on_frame(self, *_: object) -> None:
        if tuple(self.plotter.renderer.GetSize()) != self._laid_out_at:
            self.lay_out()


def text_box(actor: vtkTextActor, renderer: vtkRenderer) -> Box:
    """The screen box (px) of the text ``actor`` draws in ``renderer``."""
    bounds = [0.0] * 4  # around the actor's anchor
    actor.GetBoundingBox(renderer, bounds)
    x, y = actor.GetPositionCoordinate().GetComputedDisplayValue(renderer)
    return Box(x + bounds[0], y + bounds[2], bounds[1] - bounds[0], bounds[3] - bounds[2])


def _bar_cap(bar: vtkScalarBarActor) -> float | None:
    """The tallest a legend's bar needs to be (px): ``SWATCH_HEIGHT`` per swatch of an indexed
    table (classes, named colours); None (no cap) for a continuous colour bar."""
    table = bar.GetLookupTable()
    if table is None or not table.GetIndexedLookup():
        return None
    return SWATCH_HEIGHT * max(table.GetNumberOfAnnotatedValues(), 1)


def _title_actor() -> vtkTextActor:
    """A text block right-aligned under its top-right corner."""
    actor = vtkTextActor()
    prop = actor.GetTextProperty()
    prop.SetFontSize(TITLE_FONT_SIZE)
    prop.SetColor(*pv.Color(TEXT_COLOUR).float_rgb)
    prop.SetJustificationToRight()
    prop.SetVerticalJustificationToTop()
    prop.SetLineSpacing(LINE_HEIGHT / (TITLE_FONT_SIZE * 1.25))
    prop.BoldOn()
    return actor


def _bar_actor(lookup_table: pv.LookupTable) -> vtkScalarBarActor:
    """A vertical colour bar without title, labels to its right scaled to fit its box (the
    labels of classes, a classified layer's annotations, to its left)."""
    bar = vtkScalarBarActor()
    bar.SetLookupTable(lookup_table)
    bar.SetOrientationToVertical()
    bar.SetNumberOfLabels(LABELS)
    bar.SetLabelFormat("%.4g")
    bar.SetTitle("")
    bar.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
    bar.DrawTickLabelsOn()
    bar.SetAnnotationLeaderPadding(4)
    for prop in (bar.GetLabelTextProperty(), bar.GetAnnotationTextProperty()):
        prop.SetFontSize(LABEL_FONT_SIZE)
        prop.SetColor(*pv.Color(TEXT_COLOUR).float_rgb)
        prop.ShadowOff()
        prop.ItalicOff()
        prop.BoldOff()
    return bar
