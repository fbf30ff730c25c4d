"""Shared test fixtures: where the real city data lives."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.model import Twin

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    """Keep the cache of imported samples of this test session (and of the commands it starts)
    in a folder of its own, not in the user's cache."""
    os.environ["LOCALTWIN_CACHE"] = tempfile.mkdtemp(prefix="localtwin-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this session's cache folder."""
    folder = os.environ.pop("LOCALTWIN_CACHE", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


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
