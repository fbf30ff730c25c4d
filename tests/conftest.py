"""Shared test fixtures: where the real city data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.model import Twin

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real city data beside the checkout (``../shared/data``)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def delft() -> Twin:
    """The shipped Delft sample (CityJSON, DTM/DSM, weather) as a twin, imported once."""
    return import_files(sample_files("delft"), name="delft")


@pytest.fixture(scope="session")
def helsinki() -> Twin:
    """The shipped Helsinki sample (OSM) as a twin, imported once."""
    return import_files(sample_files("helsinki"), name="helsinki")
