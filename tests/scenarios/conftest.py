"""Fixtures of the scenario tests: the sample twins, built once, and scenario files to write."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from twin.assemble import import_files
from twin.model import Twin
from twin.samples import sample_files


@pytest.fixture(scope="session")
def delft() -> Twin:
    return import_files(sample_files("delft"), name="delft")


@pytest.fixture(scope="session")
def helsinki() -> Twin:
    return import_files(sample_files("helsinki"), name="helsinki")


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str], Path]:
    """Write scenario text to a file in tmp_path and return its path."""

    def _write(text: str, name: str = "scenario.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write
