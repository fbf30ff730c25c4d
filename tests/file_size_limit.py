"""Run a command under a file size limit, a full disk without root: ``python file_size_limit.py
BYTES PROGRAM ARGS...``. A write past BYTES fails with EFBIG (Python ignores SIGXFSZ), as one on
a full disk fails with ENOSPC. The limit is set here and the program started with ``exec``, so
the caller's threads never run between fork and exec (``preexec_fn`` is unsafe with threads)."""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

SCRIPT = Path(__file__)


def limited(limit: int, command: list[str]) -> list[str]:
    """``command`` run under a file size limit of ``limit`` bytes."""
    return [sys.executable, str(SCRIPT), str(limit), *command]


if __name__ == "__main__":
    size = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    os.execv(sys.argv[2], sys.argv[2:])
