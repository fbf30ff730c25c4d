"""A listener killed between two appends loses nothing: the broker got its acknowledgements
only after the messages were in the journal, and the next start stores them."""

from __future__ import annotations

import signal
import subprocess
import time

from feed_waits import (
    LISTENER_ENV,
    journal_lines,
    listen_command,
    mqtt_feeds_file,
    wait_subscribed,
    wait_until,
)
from mqtt_publisher import Publisher, message

from twin.feeds.archive import list_series, read_series
from twin.feeds.config import load_config
from twin.feeds.journal import journal_folder, left_segments
from twin.feeds.runner import listen

N = 500


def test_a_killed_listener_loses_no_acknowledged_message(twin_folder, broker, tmp_path) -> None:
    feeds = mqtt_feeds_file(tmp_path, twin_folder, broker.port, "twin-journal-test")
    journal = journal_folder(twin_folder)
    listener = subprocess.Popen(listen_command(feeds, "--duration", "120", "--quiet"),
                                env=LISTENER_ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    publisher = Publisher(broker.port, client_id="journal-publisher")
    try:
        publisher.wait_connected()

        wait_subscribed(publisher, lambda: journal_lines(journal) > 0)
        time.sleep(0.5)  # the last probes in flight arrive
        probes = journal_lines(journal)
        for i in range(1, N + 1):
            publisher.publish("city/s1", message(i))
        wait_until(lambda: journal_lines(journal) >= probes + N, 30,
              "the listener did not journal every message")
        listener.send_signal(signal.SIGKILL)  # no chance to append: nothing stored yet
        listener.wait(10)
    finally:
        if listener.poll() is None:
            listener.kill()
        publisher.client.loop_stop()
    assert list_series(twin_folder).empty
    report = listen(load_config(feeds), duration=0.5)
    values, _ = read_series(twin_folder, "s1", "intensity")
    assert sorted(values.to_numpy().astype(int)) == list(range(1, N + 1))
    assert report.ingest.stored == N + 1  # and one probe (the others: the same observation)
    assert left_segments(journal) == []
