"""The Khronos glTF validator (npm ``gltf-validator``, installed under tools/ by
``make test-tools``) run on a file through node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = REPO / "tools" / "node_modules" / "gltf-validator"
VALIDATE_SCRIPT = Path(__file__).with_name("validate_gltf.js")


def validate_gltf(path: Path) -> dict:
    """The Khronos glTF validator's report of a glTF / GLB file (``make test-tools`` installs
    it under tools/)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed (make system installs nodejs and npm)")
    if not VALIDATOR.is_dir():
        pytest.fail(f"the glTF validator is not installed under {VALIDATOR.parent}: "
                    "run `make test-tools`")
    done = subprocess.run(["node", str(VALIDATE_SCRIPT), str(VALIDATOR), str(path)],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)
