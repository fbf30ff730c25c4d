"""Load test of the MQTT feed into a twin: 10,000 messages/s for 10 s with nothing lost.

A publisher process (MQTT 3.1.1 on a raw socket, QoS 1, persistent session) sends plain JSON
observations of 100 sensors at a fixed rate into a real mosquitto on 127.0.0.1; the feed
(paho-mqtt, QoS 1, persistent session) receives them and the ingest appends them to the
Delft sample twin's ``timeseries.h5`` every second (atomic, manifest kept right). Figures:
publish and receive rates, observations stored, lost (published - stored), duplicates, append
times, the time to drain the broker's queue after the last publish. A second run restarts the
broker halfway (1 s down) and reports the reconnects and the loss across it. No peer is run:
the figure that matters is the loss, which must be zero. The machine's load average is printed
with the figures: other work on a 2-core machine slows the receiving process.

    python tests/bench/bench_feeds.py                 # 10,000 msg/s x 10 s, then with a restart
    python tests/bench/bench_feeds.py --rate 20000 --seconds 5
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "feeds"))

from load import run_load  # noqa: E402
from mqtt_broker import Broker  # noqa: E402

from twin.importers.assemble import import_files  # noqa: E402
from twin.importers.samples import sample_files  # noqa: E402
from twin.store import save_twin  # noqa: E402


def _run(folder: Path, rate: int, seconds: float, restart_at: float | None) -> dict:
    broker_dir = folder.parent / f"broker-{restart_at}"
    broker_dir.mkdir()
    broker = Broker(broker_dir)
    broker.start()
    try:
        return run_load(broker, folder, rate, seconds, restart_at=restart_at)
    finally:
        broker.stop()


def _report(title: str, f: dict) -> None:
    print(f"{title}: {f['messages']:,} messages at {f['target_rate']:,}/s target, load average "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  published {f['publish_rate']:,.0f} msg/s, broker acknowledged all: {f['publisher_unacked'] == 0}")
    print(f"  received {f['received']:,} at {f['receive_rate']:,.0f} msg/s, queue drained "
          f"{f['drain_after_publish_s']:.1f} s after the last publish")
    print(f"  stored {f['stored']:,}, lost {f['lost']:,}, duplicates skipped {f['duplicates']:,}, "
          f"reconnects {f['reconnects']} ({f['offline_s']:.1f} s offline)")
    print(f"  appends: {f['flushes']} of mean {f['mean_flush_s'] * 1000:.0f} ms, max {f['max_flush_s'] * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=10_000, help="messages per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the publishing run")
    parser.add_argument("--no-restart", action="store_true", help="skip the broker-restart run")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    delft = import_files(sample_files("delft"), name="delft")
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("steady", None)] + ([] if args.no_restart else [("broker restart", args.seconds / 2)])
        for title, restart_at in runs:
            folder = save_twin(delft, Path(tmp) / f"{title.replace(' ', '-')}.twin")
            figures = _run(folder, args.rate, args.seconds, restart_at)
            _report(title, figures)
            if figures["lost"] or figures["publisher_unacked"]:
                failures.append(f"{title}: {figures['lost']} lost, {figures['publisher_unacked']} unacknowledged")
            if restart_at is not None and figures["reconnects"] < 1:
                failures.append(f"{title}: the feed did not reconnect")
    if failures:
        print("targets missed: " + "; ".join(failures))
        return 1
    print("targets met: nothing lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
