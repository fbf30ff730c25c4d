"""Fixtures of the viewer tests: the Delft and Helsinki samples as twins and twin folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.assemble import import_files
from twin.model import Twin
from twin.samples import sample_files
from twin.store import save_twin


@pytest.fixture(scope="session")
def delft() -> Twin:
    return import_files(sample_files("delft"), name="delft")


@pytest.fixture(scope="session")
def helsinki() -> Twin:
    return import_files(sample_files("helsinki"), name="helsinki")


@pytest.fixture(scope="session")
def delft_folder(delft: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("twins") / "delft.twin")
