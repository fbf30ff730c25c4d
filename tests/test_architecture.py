"""The one direction of imports: viewer -> twin -> simulation, checked by running Python."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import simulation
import twin

BLOCKER = """
import importlib, pkgutil, sys
for name in {blocked!r}:
    sys.modules[name] = None  # any import of it now fails
import {package}
for info in pkgutil.walk_packages({package}.__path__, prefix="{package}."):
    importlib.import_module(info.name)
print("ok")
"""


def _import_all_with(package: str, blocked: list[str]) -> subprocess.CompletedProcess:
    code = BLOCKER.format(package=package, blocked=blocked)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          check=False)


def test_simulation_imports_without_twin_geodata_or_qt() -> None:
    blocked = ["twin", "viewer", "geopandas", "h5py", "pyogrio", "rasterio", "PyQt6", "pyvista", "pyvistaqt"]
    result = _import_all_with("simulation", blocked)
    assert result.returncode == 0, result.stderr


def test_twin_imports_without_qt_or_viewer() -> None:
    result = _import_all_with("twin", ["viewer", "PyQt6", "pyvista", "pyvistaqt"])
    assert result.returncode == 0, result.stderr


def test_packages_have_modules() -> None:
    assert list(pkgutil.walk_packages(simulation.__path__))
    assert list(pkgutil.walk_packages(twin.__path__))
