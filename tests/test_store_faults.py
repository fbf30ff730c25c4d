"""The twin folder under faults: real processes saving and appending at once, and killed (SIGKILL)
in the middle of a swap. Nothing an append reported stored is lost, a twin folder is always there
to load, and what a killed writer left is gone after the next open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from twin.feeds.archive import read_series
from twin.model import Twin
from twin.store import load_twin, save_twin

WORKER = Path(__file__).with_name("store_worker.py")


@pytest.fixture
def saved(delft: Twin, tmp_path: Path) -> tuple[Path, Path]:
    """(source, folder): two saved copies of the Delft twin; workers load the first."""
    return save_twin(delft, tmp_path / "source" / "delft.twin"), save_twin(delft, tmp_path / "delft.twin")


def _start(*args: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, str(WORKER), *map(str, args)], env=env,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def _stored(folder: Path) -> set[int]:
    """The stored times of sensor s1, ms since 1970."""
    index = read_series(folder, "s1", "intensity")[0].index
    return set(index.as_unit("ms").asi8.tolist())


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}."))


def test_a_save_racing_appends_keeps_every_acknowledged_observation(saved, tmp_path) -> None:
    source, folder = saved
    acks, stop = tmp_path / "acks.txt", tmp_path / "stop"
    appender = _start("append", folder, acks, stop, 2000, 0)
    savers = [_start("save", source, folder, 12) for _ in range(2)]  # two saves at once, too
    for saver in savers:
        assert saver.wait(300) == 0
    stop.touch()
    assert appender.wait(120) == 0
    acknowledged = [int(line) for line in acks.read_text().split()]
    assert len(acknowledged) > 5, "the appends did not overlap the saves"
    assert set(acknowledged) <= _stored(folder)
    assert load_twin(folder).warnings[0].startswith("save ")  # verified, and a re-saved twin
    assert _hidden(folder) == []


@pytest.mark.parametrize("kill", ["kill-after-exchange", "kill-between-renames"])
def test_a_save_killed_in_its_swap_leaves_a_twin_that_the_next_open_cleans(saved, kill) -> None:
    source, folder = saved
    saver = _start("save", source, folder, 1, kill)
    assert saver.wait(120) == -signal.SIGKILL
    assert _hidden(folder)  # the killed save left its working folders
    back = load_twin(folder)
    # after the exchange the new twin is in place; between the renames the old one comes back
    assert back.warnings == (("save 0",) if kill == "kill-after-exchange" else load_twin(source).warnings)
    assert _hidden(folder) == []


def test_saves_and_appends_killed_at_any_moment_leave_a_whole_twin(saved, tmp_path) -> None:
    source, folder = saved
    acknowledged: list[int] = []
    for attempt in range(6):
        acks, stop = tmp_path / f"acks{attempt}.txt", tmp_path / f"stop{attempt}"
        appender = _start("append", folder, acks, stop, 2000, 2000 * attempt)
        saver = _start("save", source, folder, 50)
        time.sleep(0.15 + 0.13 * attempt)
        for process in (saver, appender):
            process.send_signal(signal.SIGKILL)
            process.wait(30)
        acknowledged += [int(line) for line in acks.read_text().split()]
        load_twin(folder)  # whole, every hash right, whatever the kills interrupted
        assert _hidden(folder) == []
        if acknowledged:
            assert set(acknowledged) <= _stored(folder)
    assert acknowledged, "no append finished before the kills"
