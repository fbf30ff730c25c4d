"""Start-up of the ``twin`` command: ``twin --help`` builds its parser without loading the
numerical and geodata libraries (numba kernels, pvlib, geopandas ...), which cost seconds."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numba", "pvlib", "geopandas", "pandas", "numpy", "scipy", "pyproj", "h5py",
         "matplotlib", "rich", "simulation")
"""Modules ``twin --help`` must not import."""

HELP = """
import contextlib, sys
from twin.cli import main
with contextlib.redirect_stdout(None), contextlib.suppress(SystemExit):
    main(["--help"])
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_twin_help_imports_no_numerical_or_geodata_library() -> None:
    result = subprocess.run([sys.executable, "-c", HELP], capture_output=True, text=True,
                            timeout=120, check=True)
    loaded = set(result.stdout.split())
    assert "argparse" in loaded  # the parser was built
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_twin_help_lists_every_command_group() -> None:
    result = subprocess.run([sys.executable, "-m", "twin.cli", "--help"], capture_output=True,
                            text=True, timeout=120, check=True)
    for command in ("import", "info", "run", "compare", "batch", "export", "pack", "listen",
                    "view", "render"):
        assert command in result.stdout
