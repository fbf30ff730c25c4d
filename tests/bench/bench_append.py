"""Cost of one append of observations against the size of the store: the Delft sample twin with
1 series and with 100 series of 10,000 values each (all merged into ``timeseries.h5``), then
timed appends of 10 new values to one stored series and of 1 value of a new series. An append
writes one segment and hard-links the other files, so its time must not grow with the store;
the figure to compare is the ratio of the median times (100 series / 1 series), near 1.

    PYTHONPATH=. python tests/bench/bench_append.py             # 25 appends of each kind per store
    PYTHONPATH=. python tests/bench/bench_append.py --repeat 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from twin.feeds.archive import append_observations
from twin.feeds.base import Observation
from twin.importers.assemble import import_files
from twin.importers.samples import sample_files
from twin.store import TIMESERIES, save_twin

T0 = 1_777_000_000_000
"""First observation time, ms since 1970 (2026-04-24)."""
POINTS = 10_000


def _series(sensor: str, start: int, n: int) -> list[Observation]:
    return [Observation(sensor, "intensity", T0 + 1000 * i, float(i), "veh") for i in range(start, start + n)]


def _fill(folder: Path, n_series: int) -> None:
    """``n_series`` series of ``POINTS`` values, merged into timeseries.h5 (where the store can)."""
    for first in range(0, n_series, 10):
        append_observations(folder, [o for s in range(first, min(n_series, first + 10))
                                     for o in _series(f"s{s}", 0, POINTS)])
    try:
        from twin.feeds.archive import compact
    except ImportError:  # a store without segments: everything is in timeseries.h5 already
        return
    compact(folder)


def _median_ms(appends: list) -> float:
    times = []
    for append in appends:
        start = time.perf_counter()
        append()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25, help="appends of each kind per store")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    delft = import_files(sample_files("delft"), name="delft")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n_series in (1, 100):
            folder = save_twin(delft, Path(tmp) / f"s{n_series}" / "delft.twin")
            _fill(folder, n_series)
            size = (folder / TIMESERIES).stat().st_size / 1e6
            extend = _median_ms([lambda k=k, folder=folder: append_observations(folder, _series("s0", POINTS + 10 * k, 10))
                                 for k in range(args.repeat)])
            new = _median_ms([lambda k=k, folder=folder: append_observations(folder, _series(f"new{k}", 0, 1))
                              for k in range(args.repeat)])
            figures[n_series] = (extend, new)
            print(f"{n_series:>3} x {POINTS} values ({size:.1f} MB timeseries.h5): append of 10 values "
                  f"{extend:.1f} ms, of a new series {new:.1f} ms (median of {args.repeat})")
    print(f"ratio 100 / 1 series: {figures[100][0] / figures[1][0]:.2f} (10 values), "
          f"{figures[100][1] / figures[1][1]:.2f} (new series)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
