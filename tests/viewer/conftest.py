"""Fixtures of the viewer tests: the Delft and Helsinki samples as twins and twin folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.model import Twin
from twin.store import save_twin


@pytest.fixture(scope="session")
def delft_folder(delft: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("twins") / "delft.twin")
