"""The sample cities shipped in ``datasets/``: their names and the files each is imported from."""

from __future__ import annotations

from pathlib import Path

from twin.errors import InputError

DATASETS = Path(__file__).resolve().parents[2] / "datasets"

SAMPLES: dict[str, tuple[str, ...]] = {
    "delft": ("delft.city.json", "delft_ahn3_dtm_50cm.tif", "delft_ahn3_dsm_50cm.tif",
              "../weather/TRY2010_05_Jahr.dat"),
    "helsinki": ("Helsinki.osm.pbf",),
}
"""Sample name -> its files, relative to ``datasets/NAME/``."""


def sample_files(name: str) -> list[Path]:
    """Paths of the files of sample ``name``; InputError for an unknown or incomplete sample."""
    if name not in SAMPLES:
        raise InputError(None, "--sample", f"unknown sample {name!r}; choose one of {', '.join(SAMPLES)}")
    paths = [DATASETS / name / file for file in SAMPLES[name]]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise InputError(None, "--sample", f"sample {name!r} is incomplete, missing {', '.join(missing)}")
    return paths
