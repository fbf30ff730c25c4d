"""Builders of pyvista meshes from twin layers, with numpy (no Python loop per feature).

Every mesh is in scene coordinates: x and y relative to the scene's origin (so float32 keeps
millimetres), z the absolute elevation in metres. Feature meshes carry the cell array
``FEATURE``: the row of the feature (building, link, point) each cell belongs to.
"""

FEATURE = "feature"
"""Cell array of every feature mesh: the row of its feature in the layer's table."""
RGB = "rgb"
"""Cell array of a mesh drawn in its own colours (uint8 red, green, blue per cell) while its
layer is not coloured by an attribute."""
