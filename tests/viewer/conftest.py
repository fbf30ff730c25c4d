"""Fixtures of the viewer tests: the Delft and Helsinki samples as twins and twin folders, and
results files of two Helsinki and two Delft scenario runs (made once per session, about 3 s
and 5 s each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.model import Twin
from twin.runs import run_scenario, write_results
from twin.scenarios import load_scenario
from twin.store import save_twin

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="session")
def delft_folder(delft: Twin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_twin(delft, tmp_path_factory.mktemp("twins") / "delft.twin")


@pytest.fixture(scope="session")
def helsinki_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Results files of the Helsinki baseline ("a") and of Helsinki 2035 ("b")."""
    return _results_files(tmp_path_factory.mktemp("results"), "helsinki_baseline", "helsinki_2035")


@pytest.fixture(scope="session")
def delft_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Results files (energy only) of the Delft baseline ("a") and deep retrofit ("b")."""
    return _results_files(tmp_path_factory.mktemp("delft_results"), "delft_baseline",
                          "delft_deep_retrofit")


def _results_files(folder: Path, a: str, b: str) -> dict[str, Path]:
    """Run scenarios ``a`` and ``b`` of ``scenarios/`` and write their results into ``folder``."""
    return {key: write_results(run_scenario(load_scenario(SCENARIOS / f"{name}.toml")),
                               folder / f"{name}.h5")
            for key, name in (("a", a), ("b", b))}
