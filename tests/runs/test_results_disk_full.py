"""A full disk ends ``twin run`` with one line naming the results file, not a segmentation fault:
the run goes under a file size limit (``RLIMIT_FSIZE``: a write past it fails with EFBIG, as one
on a full disk fails with ENOSPC), below the size of its results file. The earlier results file
of that name stays as it was and no temporary file is left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from file_size_limit import limited

SCENARIO = Path(__file__).parents[2] / "scenarios" / "delft_baseline.toml"
LIMIT = 100_000
"""The file size limit of the limited run [bytes]; the results file is about 290 kB."""


def _run(output: Path, limit: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "twin.cli", "run", str(SCENARIO), "-o", str(output)]
    return subprocess.run(limited(LIMIT, command) if limit else command, check=False, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_full_disk_ends_a_run_with_one_line_and_keeps_the_earlier_results(tmp_path) -> None:
    output = tmp_path / "baseline.h5"
    first = _run(output, limit=False)  # also leaves the compiled kernels cached
    assert first.returncode == 0, first.stderr
    earlier = output.read_bytes()
    assert len(earlier) > LIMIT
    result = _run(output, limit=True)
    assert result.returncode not in (0, -11), result.stderr  # -11: SIGSEGV
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {output}: could not write: File too large"
    assert output.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.h5"]
