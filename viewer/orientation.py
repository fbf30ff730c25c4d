"""Orientation aids of a view: a scale bar (a round length in metres of the twin CRS, measured
at the focal point: in a perspective view nearer things look larger) kept true as the camera
moves, and a north arrow pointing to true north at the twin's centre (turned from the CRS's
+y by the meridian convergence; pyvista's arrow widget, turning with the camera)."""

from __future__ import annotations

import math

import pyvista as pv
from vtkmodules.vtkCommonCore import vtkPoints
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData
from vtkmodules.vtkInteractionWidgets import vtkOrientationMarkerWidget
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D, vtkTextActor

from viewer.legend_layout import Box
from viewer.legends import text_box

SCALE_BAR_PX = 150
"""The longest the scale bar is drawn (px); its length is the roundest one that fits."""
MARGIN_PX = 20
"""Distance (px) of the scale bar from the view's bottom-left corner."""
TICK_PX = 6
"""Height (px) of the ticks at the scale bar's ends."""
NORTH_ARROW_VIEWPORT = (0.0, 0.08, 0.07, 0.2)
"""Where the north arrow sits (fractions of the view: xmin, ymin, xmax, ymax), above the bar."""
COLOUR = "black"


def metres_per_pixel(distance: float, view_angle: float, height_px: int,
                     parallel_scale: float | None = None) -> float:
    """Ground metres a pixel covers at ``distance`` (m) from a perspective camera of vertical
    ``view_angle`` (degrees) in a view ``height_px`` high; for a parallel projection (its
    ``parallel_scale``: half the view height, m) the same everywhere."""
    height = 2.0 * (parallel_scale if parallel_scale is not None
                    else distance * math.tan(math.radians(view_angle) / 2.0))
    return height / max(height_px, 1)


def round_length(longest: float) -> float:
    """The largest 1, 2 or 5 x 10^n (m) not longer than ``longest`` (m; > 0)."""
    exponent = math.floor(math.log10(longest))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * 10.0 ** exponent <= longest:
            return mantissa * 10.0 ** exponent
    return 10.0 ** exponent


def length_label(metres: float) -> str:
    """``50 m``, ``200 m``, ``2 km``."""
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


class ScaleBar:
    """A scale bar in the bottom-left corner of ``plotter``, fitted to the camera before every
    frame: ``length`` m of the CRS named ``crs_name`` (``EPSG:32635``) drawn ``width_px`` long,
    labelled with both (``200 m (EPSG:32635)``)."""

    def __init__(self, plotter: pv.BasePlotter, crs_name: str) -> None:
        self.plotter = plotter
        self.crs_name = crs_name
        self.length = 0.0
        self.width_px = 0.0
        self.points = vtkPoints()
        self.points.SetNumberOfPoints(4)
        lines = vtkCellArray()
        lines.InsertNextCell(4, [0, 1, 2, 3])  # a bar with end ticks: |____|
        polydata = vtkPolyData()
        polydata.SetPoints(self.points)
        polydata.SetLines(lines)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(polydata)
        self.bar = vtkActor2D()
        self.bar.SetMapper(mapper)
        self.bar.GetProperty().SetColor(*pv.Color(COLOUR).float_rgb)
        self.bar.GetProperty().SetLineWidth(2.0)
        self.label = vtkTextActor()
        prop = self.label.GetTextProperty()
        prop.SetFontSize(12)
        prop.SetColor(*pv.Color(COLOUR).float_rgb)
        prop.SetJustificationToLeft()
        for actor in (self.bar, self.label):
            plotter.renderer.AddViewProp(actor)
        plotter.renderer.AddObserver("StartEvent", lambda *_: self.fit())

    def screen_box(self) -> Box:
        """Where the bar and its label are drawn (px), as the last ``fit`` placed them."""
        label = text_box(self.label, self.plotter.renderer)
        top = max(label.y + label.height, MARGIN_PX + TICK_PX)
        return Box(MARGIN_PX, MARGIN_PX, max(self.width_px, label.x + label.width - MARGIN_PX),
                   top - MARGIN_PX)

    def fit(self) -> None:
        """Choose the length for the camera now and place the bar."""
        camera = self.plotter.renderer.GetActiveCamera()
        height = self.plotter.renderer.GetSize()[1]
        per_px = metres_per_pixel(camera.GetDistance(), camera.GetViewAngle(), height,
                                  camera.GetParallelScale() if camera.GetParallelProjection() else None)
        self.length = round_length(SCALE_BAR_PX * per_px)
        self.width_px = self.length / per_px
        x0, y0, tick = MARGIN_PX, MARGIN_PX, TICK_PX
        for index, (x, y) in enumerate(((x0, y0 + tick), (x0, y0), (x0 + self.width_px, y0),
                                        (x0 + self.width_px, y0 + tick))):
            self.points.SetPoint(index, x, y, 0.0)
        self.points.Modified()
        self.label.SetInput(f"{length_label(self.length)} ({self.crs_name})")
        self.label.SetDisplayPosition(x0, y0 + tick)


def north_arrow_box(widget: vtkOrientationMarkerWidget, size: tuple[int, int]) -> Box:
    """The part of a view of ``size`` (width, height; px) the north arrow of ``widget`` is
    drawn in (px)."""
    width, height = size
    xmin, ymin, xmax, ymax = widget.GetViewport()
    return Box(xmin * width, ymin * height, (xmax - xmin) * width, (ymax - ymin) * height)


def add_north_arrow(plotter: pv.BasePlotter, convergence: float) -> vtkOrientationMarkerWidget:
    """A north arrow in the bottom-left corner, turning with the camera, pointing to true
    north: ``convergence`` degrees counter-clockwise from grid north (the twin CRS's +y;
    ``twin.north.twin_convergence``)."""
    # typed by functools.wraps of a Renderer method: its stub expects the plotter first
    widget = plotter.add_north_arrow_widget(  # type: ignore[call-arg]
        interactive=False, viewport=NORTH_ARROW_VIEWPORT, color="#3a5f8f")
    widget.GetOrientationMarker().SetOrientation(0.0, 0.0, convergence)
    return widget


def arrow_direction(widget: vtkOrientationMarkerWidget) -> tuple[float, float]:
    """The unit (x, y) direction in the twin CRS the north arrow of ``widget`` points to."""
    matrix = widget.GetOrientationMarker().GetMatrix()
    x, y = matrix.GetElement(0, 1), matrix.GetElement(1, 1)  # the arrow's +y, turned
    length = math.hypot(x, y)
    return x / length, y / length
