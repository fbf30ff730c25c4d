"""Python's cyclic garbage collector paused while a reader builds its objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block: a read makes millions of small objects
    (ids, attribute dicts and lists, geometries) that form no cycles and are all kept, and every
    collection they trigger would walk the growing heap again (up to a third of an import's
    time). Objects the block frees in cycles wait for the next collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
