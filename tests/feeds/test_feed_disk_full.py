"""A full disk stops the listener with one line and loses nothing: the listener runs under a
file size limit (``RLIMIT_FSIZE``: a write past it fails with EFBIG, as one on a full disk fails
with ENOSPC), its journal stops taking messages, it acknowledges no more, exits non-zero naming
the journal file, and the next start stores every message: those in the journal and those the
broker delivers again because they were never acknowledged. An append that fills the disk stops
the listener with one line naming ``timeseries.h5`` and leaves the twin as it was."""

from __future__ import annotations

import subprocess
import sys

from feed_waits import (
    LISTENER_ENV,
    listen_command,
    mqtt_feeds_file,
    replay_until_stored,
    wait_subscribed,
)
from file_size_limit import limited
from mqtt_publisher import Publisher, message

from twin.feeds.archive import read_series
from twin.feeds.journal import journal_folder, left_segments
from twin.feeds.replay import record_line
from twin.store import TIMESERIES, read_manifest, verify_files

N = 1000
LIMIT = 32 * 1024
"""The file size limit of the listener [bytes]: a journal segment holds about 250 messages."""


def test_a_full_disk_stops_the_listener_with_one_line_and_loses_nothing(twin_folder, broker,
                                                                        tmp_path) -> None:
    feeds = mqtt_feeds_file(tmp_path, twin_folder, broker.port, "twin-disk-full-test")
    journal = journal_folder(twin_folder)
    listener = subprocess.Popen(limited(LIMIT, listen_command(feeds, "--duration", "120", "--quiet")),
                                env=LISTENER_ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    publisher = Publisher(broker.port, client_id="disk-full-publisher")
    try:
        publisher.wait_connected()

        wait_subscribed(publisher, lambda: any(path.stat().st_size
                                               for path, _ in left_segments(journal)))
        infos = [publisher.publish("city/s1", message(i)) for i in range(1, N + 1)]
        publisher.wait_all_acked(infos)
        _, errors = listener.communicate(timeout=60)  # it stops by itself
    finally:
        if listener.poll() is None:
            listener.kill()
        publisher.close()
    assert listener.returncode != 0
    assert "Traceback" not in errors
    last = errors.strip().splitlines()[-1]
    assert last.startswith("error: ") and "File too large" in last, errors
    assert str(journal) in last, last
    assert left_segments(journal)  # what it acknowledged is kept for the next start
    replay_until_stored(twin_folder, feeds, N)
    values, _ = read_series(twin_folder, "s1", "intensity")
    assert sorted(values.to_numpy().astype(int)) == list(range(1, N + 1))
    assert left_segments(journal) == []


def test_a_full_disk_during_an_append_stops_with_one_line_and_keeps_the_twin(twin_folder, tmp_path) -> None:
    recorded = tmp_path / "recorded.jsonl"
    recorded.write_bytes(b"".join(record_line(f"city/sensor-{i}", message(i, sensor=f"sensor-{i:04d}"))
                                  for i in range(2000)))  # 2,000 new series: some MB more
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[twin]\nfolder = "{twin_folder}"\n\n[[feeds]]\nname = "recorded"\n'
                     f'kind = "replay"\npath = "{recorded}"\n', encoding="utf-8")
    before = {path.name: path.read_bytes() for path in twin_folder.iterdir()}
    limit = (twin_folder / TIMESERIES).stat().st_size + 2 * recorded.stat().st_size
    result = subprocess.run(limited(limit, [sys.executable, "-m", "twin.cli", "listen", str(feeds), "--quiet"]),
                            check=False, env=LISTENER_ENV, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr  # not -11, a segmentation fault
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == \
        f"error: {twin_folder / 'timeseries' / 'segment-000001.h5'}: could not write: File too large"
    assert {path.name: path.read_bytes() for path in twin_folder.iterdir()} == before
    assert verify_files(twin_folder, read_manifest(twin_folder)) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".delft")) == []
