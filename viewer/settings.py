"""Viewer settings that change how things are drawn, not what is drawn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ViewerSettings:
    """anti_aliasing: FXAA (off by default: it costs frame time on software rendering)."""

    anti_aliasing: bool = False
