"""Draws a Scene into any pyvista plotter (the window's QtInteractor or an off-screen Plotter)
and keeps the drawing in step with the scene's state."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper
from vtkmodules.vtkRenderingLOD import vtkLODActor

from twin.north import crs_label, twin_convergence
from viewer.camera import CameraPose, preset_pose
from viewer.colour_classes import ColourClasses
from viewer.corner_label import CornerLabel
from viewer.layers import Layer
from viewer.legend_layout import Box
from viewer.legends import Legends
from viewer.meshes import FEATURE, RGB
from viewer.orientation import ScaleBar, add_north_arrow, north_arrow_box
from viewer.scene import Scene

BACKGROUND = ("#e4ebf2", "#9fbad6")
"""Background gradient, bottom to top."""
NAN_COLOUR = "#b0b0b0"
LINE_WIDTH = 3.0
BASEMAP_LINE_WIDTH = 2.0
"""Width (px) of the base map's rail lines."""
HIGHLIGHT_COLOUR = "#ffd400"
"""The outline of the identified feature."""
HIGHLIGHT_WIDTH = 4.0
POINT_SIZE = 6.0
"""Size (px) of moving points (vehicles), drawn as spheres."""
FEATURE_POINT_SIZE = 3.0
"""Size (px) of fixed points (POIs, sensors): small dots that leave the city visible."""

# BasePlotter's add_actor, remove_actor and set_background are typed by functools.wraps of the
# Renderer methods they forward to, so their stubs expect the plotter as first argument: the
# calls below ignore that (arg-type) and nothing else.


class LayerView:
    """The actor drawing one layer: a level-of-detail actor (full mesh when still, the proxy while
    the camera moves and the full mesh is too slow) when the layer has a proxy; its legend goes
    to ``legends`` (None: another view shows it)."""

    def __init__(self, plotter: pv.BasePlotter, layer: Layer, legends: Legends | None) -> None:
        self.plotter = plotter
        self.layer = layer
        self.legends = legends
        self.meshes = [layer.mesh] + ([layer.proxy] if layer.proxy is not None else [])
        self.mappers = [_mapper(mesh) for mesh in self.meshes]
        if layer.proxy is not None:
            self.actor: vtkActor = vtkLODActor()
            self.actor.AddLODMapper(self.mappers[1])
        else:
            self.actor = vtkActor()
        self.actor.SetMapper(self.mappers[0])
        self.lookup_table = pv.LookupTable(cmap=layer.cmap)
        self.lookup_table.nan_color = NAN_COLOUR
        self.classes: ColourClasses | None = None
        self.class_table = pv.LookupTable()
        self.class_table.nan_color = NAN_COLOUR
        self.swatch_table = _swatch_table(layer.swatches)
        _style(self.actor, layer)
        plotter.add_actor(self.actor, reset_camera=False, name=layer.name, render=False)  # type: ignore[arg-type]
        for field in ("visible", "opacity", "color_by"):
            self.update(field)
        layer.changed.connect(self.on_changed)

    def remove(self) -> None:
        """Take the actor and its legend out of the plotter and stop following the layer."""
        self.layer.changed.disconnect(self.on_changed)
        if self.legends is not None:
            self.legends.hide(self.layer.name)
        self.plotter.remove_actor(self.actor, render=False)  # type: ignore[arg-type]

    def on_changed(self, field: str) -> None:
        """Follow the layer; a new time step (``values``) is drawn once for all layers by the
        SceneRenderer."""
        self.update(field)
        if field != "values":
            self.plotter.render()

    def update(self, field: str) -> None:
        """Bring the actor in line with the layer's ``field``."""
        if field == "visible":
            self.actor.SetVisibility(self.layer.visible)
            self._update_legend()
        elif field == "opacity":
            self.actor.GetProperty().SetOpacity(self.layer.opacity)
        elif field in ("color_by", "cmap", "ranges", "classification", "class_count"):
            self._update_colours()
        elif field == "values" and self.layer.is_time_varying(self.layer.color_by):
            for mesh in self.meshes:
                self._write_scalars(mesh, self.layer.color_by, refresh=True)

    def scalars(self) -> np.ndarray | None:
        """The values the full mesh is coloured by now (per cell or point; the class of each
        value when classified), or None."""
        attribute = self.layer.color_by
        if attribute is None:
            return None
        mesh = self.layer.mesh
        data = mesh.point_data if self.layer.is_point_attribute(attribute) else mesh.cell_data
        return np.asarray(data[self._array_name(attribute)])

    def legend_table(self) -> pv.LookupTable:
        """The lookup table the legend shows: one colour per class when classified."""
        return self.lookup_table if self.classes is None else self.class_table

    def _update_colours(self) -> None:
        attribute = self.layer.color_by
        if attribute is None:
            for mesh, mapper in zip(self.meshes, self.mappers):
                _own_colours(mesh, mapper)
            self.actor.GetProperty().SetColor(*pv.Color(self.layer.colour).float_rgb)
        else:
            self.classes = self.layer.colour_classes(attribute)
            if self.classes is None:
                self.lookup_table.apply_cmap(self.layer.cmap)
                self.lookup_table.scalar_range = self.layer.value_range(attribute)
            else:
                _class_colours(self.class_table, self.classes, self.layer.cmap)
            point_data = self.layer.is_point_attribute(attribute)
            refresh = self.layer.is_time_varying(attribute)
            for mesh, mapper in zip(self.meshes, self.mappers):
                self._write_scalars(mesh, attribute, refresh=refresh or self.classes is not None)
                if point_data:
                    mapper.SetScalarModeToUsePointFieldData()
                else:
                    mapper.SetScalarModeToUseCellFieldData()
                mapper.SelectColorArray(self._array_name(attribute))
                mapper.SetColorModeToMapScalars()
                mapper.SetLookupTable(self.legend_table())
                mapper.UseLookupTableScalarRangeOn()
                mapper.ScalarVisibilityOn()
        self._update_legend()

    def _array_name(self, attribute: str) -> str:
        """The name of the mesh array the mapper colours by: the attribute, or its classes."""
        return attribute if self.classes is None else f"{attribute} class"

    def _write_scalars(self, mesh: pv.PolyData, attribute: str, refresh: bool) -> None:
        """Put the attribute's values (or their classes) per cell into ``mesh`` (per point for
        a point attribute's classes): once for a fixed attribute, again (in place when the size
        is unchanged) if ``refresh``."""
        name = self._array_name(attribute)
        if self.layer.is_point_attribute(attribute):
            if self.classes is not None:
                mesh.point_data[name] = self.classes.index(mesh.point_data[attribute]).astype(np.float32)
            return
        if name in mesh.cell_data and not refresh:
            return
        values = self.layer.values(attribute)[mesh.cell_data[FEATURE]]
        if self.classes is not None:
            values = self.classes.index(values)
        if name in mesh.cell_data and mesh.cell_data[name].shape == values.shape:
            # in place through pyvista's array, which marks the mesh modified (its stub only
            # takes an int or an int array as index)
            mesh.cell_data[name][:] = values  # type: ignore[index]
        else:
            mesh.cell_data[name] = values.astype(np.float32)

    def _update_legend(self) -> None:
        """A legend while the layer is visible and coloured by an attribute, or drawn in its
        own colours and has ``swatches`` (one per named colour)."""
        if self.legends is None:
            return
        if self.layer.visible and self.layer.color_by:
            self.legends.show(self.layer.name, self.layer.legend_title(), self.legend_table())
        elif self.layer.visible and self.layer.swatches:
            self.legends.show(self.layer.name, self.layer.name, self.swatch_table)
        else:
            self.legends.hide(self.layer.name)


class SceneRenderer:
    """All layers of ``scene`` drawn into ``plotter`` with their legends, the camera and the
    time label. With ``linked_legends`` False, layers linked to another view's (B of an A/B
    compare) leave their shared legend to that view."""

    def __init__(self, plotter: pv.BasePlotter, scene: Scene, linked_legends: bool = True) -> None:
        self.plotter = plotter
        self.scene = scene
        plotter.set_background(BACKGROUND[0], top=BACKGROUND[1])  # type: ignore[arg-type]
        _light(plotter)
        self.legends = Legends(plotter, list(scene.layers))
        self.views = {name: LayerView(plotter, layer,
                                      self.legends if linked_legends or not layer.linked else None)
                      for name, layer in scene.layers.items()}
        self.time_label = CornerLabel(plotter, scene.timeline.label())
        self.pane = ""
        self.scale_bar = ScaleBar(plotter, crs_label(scene.twin.crs))
        self.north_arrow = add_north_arrow(plotter, twin_convergence(scene.twin))
        self.legends.keep_out = _weak_boxes(self)
        self.highlighted: tuple[str, int] | None = None
        self._highlight_actor: vtkActor | None = None
        scene.timeline.changed.connect(self._on_time)
        self.view_preset("iso")

    def remove(self) -> None:
        """Take the whole scene out of the plotter (before drawing another one)."""
        self.scene.timeline.changed.disconnect(self._on_time)
        for view in self.views.values():
            view.remove()
        self.highlight(None, None)
        self.legends.keep_out = list  # no frame of this plotter asks the removed scene again
        self.time_label.remove()
        for actor in (self.scale_bar.bar, self.scale_bar.label):
            self.plotter.renderer.RemoveViewProp(actor)
        self.north_arrow.SetEnabled(False)
        self.plotter.render()

    def set_pane(self, text: str) -> None:
        """Name what this view shows above its time (``A  baseline`` in an A/B compare; ""
        for none)."""
        self.pane = text
        self._on_time("pane")

    def label(self) -> str:
        """The text in the upper left corner: the pane's name, if any, above the time."""
        return "\n".join(part for part in (self.pane, self.scene.timeline.label()) if part)

    def overlay_boxes(self) -> list[Box]:
        """The screen boxes (px) of the time label (unless it is empty), the scale bar and
        the north arrow, placed for the view's present size and camera."""
        self.time_label.place()
        self.scale_bar.fit()
        label = [self.time_label.screen_box()] if self.time_label.text() else []
        return [*label, self.scale_bar.screen_box(),
                north_arrow_box(self.north_arrow, self.plotter.renderer.GetSize())]

    def highlight(self, layer: str | None, row: int | None) -> None:
        """Outline feature ``row`` of ``layer`` (None: nothing) in ``HIGHLIGHT_COLOUR``, over
        everything else drawn."""
        if self._highlight_actor is not None:
            self.plotter.remove_actor(self._highlight_actor, render=False)  # type: ignore[arg-type]
            self._highlight_actor = None
        self.highlighted = None
        if layer is not None and row is not None and layer in self.scene.layers:
            mesh = self.scene.layers[layer].mesh
            cells = np.flatnonzero(np.asarray(mesh.cell_data[FEATURE]) == row)
            if cells.size:
                shape = mesh.extract_cells(cells.tolist()).extract_surface(algorithm="dataset_surface")
                outline = shape.extract_feature_edges(boundary_edges=True, feature_edges=True,
                                                      manifold_edges=False, non_manifold_edges=True) \
                    if self.scene.layers[layer].kind == "buildings" else shape
                self._highlight_actor = self.plotter.add_mesh(
                    outline, color=HIGHLIGHT_COLOUR, line_width=HIGHLIGHT_WIDTH,
                    point_size=HIGHLIGHT_WIDTH * 3, render_points_as_spheres=True,
                    lighting=False, pickable=False, reset_camera=False, name="highlight",
                    render=False)
                self._highlight_actor.GetMapper().SetResolveCoincidentTopologyToPolygonOffset()
                self.highlighted = (layer, row)
        self.plotter.render()

    def recolour(self) -> None:
        """Colour every layer over its colour range again (the layers it is linked to changed)
        and draw the frame."""
        for view in self.views.values():
            view.update("color_by")
        self.plotter.render()

    def camera_pose(self) -> CameraPose:
        """Where the camera is and where it looks now (scene coordinates, m; view angle in °)."""
        camera = self.plotter.camera
        return CameraPose(tuple(camera.position), tuple(camera.focal_point), tuple(camera.up),
                          float(camera.view_angle))

    def set_camera_pose(self, pose: CameraPose) -> None:
        """Put the camera at ``pose`` and draw the frame."""
        camera = self.plotter.camera
        camera.position, camera.focal_point, camera.up = pose.position, pose.focal_point, pose.view_up
        camera.view_angle = pose.view_angle
        camera.OrthogonalizeViewUp()
        self.plotter.renderer.ResetCameraClippingRange()
        self.plotter.render()

    def view_preset(self, name: str) -> None:
        """Look at the visible layers from a preset direction (``camera.PRESETS``)."""
        width, height = self.plotter.window_size
        self.set_camera_pose(preset_pose(name, self.scene.bounds(), self.plotter.camera.view_angle,
                                         aspect=width / max(height, 1)))

    def set_anti_aliasing(self, enabled: bool) -> None:
        """FXAA on or off (off by default: it costs frame time on software rendering)."""
        if enabled:
            self.plotter.enable_anti_aliasing("fxaa")
        else:
            self.plotter.disable_anti_aliasing()
        self.plotter.render()

    def _on_time(self, field: str) -> None:
        """Label and draw the frame of a new step (the layers have moved to it already)."""
        self.time_label.set_text(self.label())
        if field == "pane":
            self.legends.lay_out()
        self.plotter.render()


def _light(plotter: pv.BasePlotter) -> None:
    """A sun from the south-west and a dim headlight: two lights keep frames cheap on software
    OpenGL, and walls facing different ways get different shades."""
    plotter.remove_all_lights()
    sun = pv.Light(position=(-1.0, -0.6, 1.2), focal_point=(0.0, 0.0, 0.0), intensity=0.85,
                   light_type="scene light")
    sun.positional = False
    plotter.add_light(sun)
    plotter.add_light(pv.Light(light_type="headlight", intensity=0.35))


def _class_colours(table: pv.LookupTable, classes: ColourClasses, cmap: str) -> None:
    """One colour of ``cmap`` per class (evenly spaced along the map, its ends included),
    looked up by class number and labelled with the class's values."""
    colours = pv.LookupTable(cmap=cmap, n_values=256)
    positions = np.linspace(0.0, 255.0, classes.count) if classes.count > 1 else np.array([127.5])
    table.ResetAnnotations()
    table.SetNumberOfTableValues(classes.count)
    for index, (position, label) in enumerate(zip(positions, classes.labels())):
        table.SetTableValue(index, *colours.GetTableValue(int(round(position))))
        table.SetAnnotation(float(index), label)
    table.SetRange(0.0, max(classes.count - 1, 1))
    table.IndexedLookupOn()


def _weak_boxes(renderer: SceneRenderer) -> Callable[[], list[Box]]:
    """``renderer.overlay_boxes`` without a reference to the renderer: the legends it gives it
    to form no cycle with it, so the renderer (and the VTK widgets it holds) goes as soon as it
    is dropped, not at a later garbage collection after its render window has gone."""
    method = weakref.WeakMethod(renderer.overlay_boxes)

    def boxes() -> list[Box]:
        bound = method()
        return bound() if bound is not None else []

    return boxes


def _swatch_table(swatches: dict[str, str]) -> pv.LookupTable:
    """A lookup table of one colour per swatch, annotated with the swatch's name, top to
    bottom in the order given (a colour bar draws index 0 at the bottom)."""
    table = pv.LookupTable()
    table.SetNumberOfTableValues(max(len(swatches), 1))
    for index, (name, colour) in enumerate(reversed(swatches.items())):
        table.SetTableValue(index, *pv.Color(colour).float_rgba)
        table.SetAnnotation(float(index), name)
    table.SetRange(0.0, max(len(swatches) - 1, 1))
    table.IndexedLookupOn()
    return table


def _mapper(mesh: pv.PolyData) -> vtkPolyDataMapper:
    mapper = vtkPolyDataMapper()
    mapper.SetInputData(mesh)
    mapper.SetColorModeToMapScalars()
    mapper.SetInterpolateScalarsBeforeMapping(True)
    return mapper


def _own_colours(mesh: pv.PolyData, mapper: vtkPolyDataMapper) -> None:
    """Draw ``mesh`` in the colours of its ``RGB`` cell array, or in the actor's colour without one."""
    if RGB not in mesh.cell_data:
        mapper.ScalarVisibilityOff()
        return
    mapper.SetScalarModeToUseCellFieldData()
    mapper.SelectColorArray(RGB)
    mapper.SetColorModeToDirectScalars()
    mapper.ScalarVisibilityOn()


def _style(actor: vtkActor, layer: Layer) -> None:
    """Line width, point size and lighting by the kind of layer."""
    prop = actor.GetProperty()
    prop.SetColor(*pv.Color(layer.colour).float_rgb)
    if layer.kind == "lines":
        prop.SetLineWidth(LINE_WIDTH)
        prop.LightingOff()
    elif layer.kind == "basemap":
        prop.SetLineWidth(BASEMAP_LINE_WIDTH)
        prop.LightingOff()
    elif layer.kind == "points" and layer.moving is not None:
        prop.SetPointSize(POINT_SIZE)
        prop.SetRenderPointsAsSpheres(True)
    elif layer.kind == "points":
        prop.SetPointSize(FEATURE_POINT_SIZE)
        prop.LightingOff()
    else:
        prop.SetAmbient(0.25)
        prop.SetDiffuse(0.8)
