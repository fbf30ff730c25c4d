"""Legends of the Delft energy results in a real Qt window under Xvfb: alone and compared with
the deep retrofit (B − A shown), at 1280x800 and 1920x1080, no legend or title on another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from legend_checks import assert_legends_apart
from qt_wait import shown_window, wait_for

from viewer.widgets.main_window import MainWindow


@pytest.fixture(scope="module")
def window(qapp, delft_results: dict[str, Path]) -> Iterator[MainWindow]:
    """The main window showing the Delft baseline results."""
    with shown_window(delft_results["a"]) as window:
        yield window


def test_legends_of_the_delft_results_stay_apart(window: MainWindow,
                                                  delft_results: dict[str, Path]) -> None:
    layers = window.scene.layers
    assert layers["buildings"].color_by == "monthly_heating_kWh"  # energy only: by the month
    layers["terrain"].set_color_by("elevation")  # a second legend beside the buildings'
    assert_legends_apart(window, {"a": ["terrain", "buildings"]})
    wait_for(window.comparison_shown, lambda: window.compare_with(delft_results["b"]))
    assert window.comparison is not None
    assert window.compare_renderer.label().startswith("B  ")
    assert_legends_apart(window, {"a": ["terrain", "buildings"], "b": []})
    window.show_differences(True)
    assert_legends_apart(window, {"a": ["terrain", "buildings"], "b": ["buildings B−A"]})
