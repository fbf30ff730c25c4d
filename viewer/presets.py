"""Names of the preset camera views, apart from their geometry (``viewer.camera``) so that the
command line can offer them without loading numpy."""

PRESETS = ("iso", "top")
"""Names of the preset views: from the south-west at 35° elevation, and straight down."""
