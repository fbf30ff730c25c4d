"""Save a Twin to, and load it from, a folder ``NAME.twin/``.

Layout of the folder:

- ``twin.toml``: the manifest: format version, name, CRS (WKT and authority code), creation time
  (UTC), SHA-256 and size of every file below, the sources the twin was imported from (path,
  SHA-256, size, kind) and the import warnings (``twin.store.manifest``).
- ``layers.gpkg``: one GeoPackage (opens in QGIS as is) with the tables ``buildings``,
  ``network_nodes``, ``network_links``, ``network_signals`` (no geometry), ``sensors`` and
  ``layer_<name>`` for each further layer.
- ``terrain_dtm.tif`` / ``terrain_dsm.tif``: float32 GeoTIFFs, NaN where unknown.
- ``timeseries.h5``: HDF5 with ``/weather`` (one dataset per column, units as attributes, the
  UTC interval-end times as int64 seconds in ``time``, the site location as group attributes)
  and ``/observations``, the observed series (``twin.store.series``).
- ``timeseries/segment-NNNNNN.h5``: observations appended since the last save or compaction,
  one immutable file per append (``twin.store.segments``); a save merges them into
  ``timeseries.h5``.
- ``[summary]`` in the manifest: what ``twin info`` prints (counts, extent, CRS, terrain, weather,
  energy facts), stored at import so that describing a twin reads the manifest alone
  (``twin.store.stored_summary``).

Saving is atomic and durable: everything is written to a hidden folder beside the target,
flushed to disk and swapped into place in one step (``twin.store.swap``), so a failed or killed
save leaves the previous twin whole. Saves, appends of observations and loads of one folder are
kept apart by a lock (``twin.store.lock``); a save keeps the observations stored in the folder
it replaces up to the instant of the swap. What a killed writer left is recovered or removed at
the next open (``twin.store.leftovers``). Loading checks the manifest first, reads only the files
it lists, and checks every file's SHA-256 against it, naming any file that changed.

Importing this package loads none of the geodata libraries: ``save_twin`` and ``load_twin``
(``twin.store.folder``) are imported at their first use, so that reading a manifest stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twin.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from twin.store.folder import load_twin, save_twin
    from twin.store.manifest import (
        FORMAT_VERSION,
        LAYERS,
        MANIFEST,
        OBSERVATIONS,
        TERRAIN,
        TIMESERIES,
        read_manifest,
        verify_files,
    )

_HOMES = {"load_twin": "folder", "save_twin": "folder",
          **dict.fromkeys(("FORMAT_VERSION", "LAYERS", "MANIFEST", "OBSERVATIONS", "TERRAIN",
                           "TIMESERIES", "read_manifest", "verify_files"), "manifest")}

__all__ = ["FORMAT_VERSION", "LAYERS", "MANIFEST", "OBSERVATIONS", "TERRAIN", "TIMESERIES",
           "load_twin", "read_manifest", "save_twin", "verify_files"]

__getattr__, __dir__ = lazy_exports(__name__, _HOMES, __all__)
