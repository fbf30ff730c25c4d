"""Viewer settings that change how things are drawn, not what is drawn."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ViewerSettings:
    """anti_aliasing: FXAA (off by default: it costs frame time on software rendering).
    live_refresh_s: s between looks at the live sensors of an open twin folder."""

    anti_aliasing: bool = False
    live_refresh_s: float = 2.0
