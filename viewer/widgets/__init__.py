"""Qt widgets of the desktop viewer; they show and edit the Qt-free scene model."""
