"""Fixtures of the export tests: the Delft sample saved as a twin folder, a results file of an
energy run on it, and the Helsinki sample (buildings and roads) saved as a twin folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.model import Twin
from twin.runs import run_scenario, write_results
from twin.scenarios import load_scenario
from twin.store import save_twin

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def delft_folder(delft: Twin, tmp_path_factory) -> Path:
    """The Delft sample saved as ``delft.twin`` in a folder of its own."""
    return save_twin(delft, tmp_path_factory.mktemp("twins") / "delft.twin")


@pytest.fixture(scope="session")
def delft_results(delft_folder: Path) -> Path:
    """A year of energy on the Delft twin folder (the example baseline scenario pointed at the
    folder), written as ``baseline.h5`` beside it."""
    text = (REPO / "scenarios" / "delft_baseline.toml").read_text(encoding="utf-8")
    start = text.index("[twin]")
    end = text.index("[", start + 1)
    text = text[:start] + '[twin]\npath = "delft.twin"\n\n' + text[end:]
    scenario = delft_folder.parent / "baseline.toml"
    scenario.write_text(text, encoding="utf-8")
    return write_results(run_scenario(load_scenario(scenario)), delft_folder.parent / "baseline.h5")


@pytest.fixture(scope="session")
def helsinki_folder(helsinki: Twin, tmp_path_factory) -> Path:
    """The Helsinki sample (buildings and a road network) saved as ``helsinki.twin``."""
    return save_twin(helsinki, tmp_path_factory.mktemp("twins") / "helsinki.twin")
