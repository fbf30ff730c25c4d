"""No acknowledged message is lost when the listener and then the broker are killed: the broker
runs with the persistence settings the README names (``mqtt_broker.DURABLE``), so the messages
it queued for the listener's persistent session survive its SIGKILL, and the restarted listener
stores every one (the journal holds those it had received). mosquitto saves its database in the
loop pass after it acknowledged, so the broker is killed once a save began after the last
acknowledgement: a kill in that one pass (under a millisecond) would lose what it acknowledged."""

from __future__ import annotations

import signal
import subprocess

from feed_waits import (
    LISTENER_ENV,
    journal_lines,
    listen_command,
    mqtt_feeds_file,
    replay_until_stored,
    wait_subscribed,
    wait_until,
)
from mqtt_publisher import Publisher, message

from twin.feeds.archive import read_series
from twin.feeds.journal import journal_folder, left_segments

N = 2000


def test_killed_listener_and_broker_lose_no_acknowledged_message(twin_folder, broker, tmp_path) -> None:
    feeds = mqtt_feeds_file(tmp_path, twin_folder, broker.port, "twin-durability-test")
    journal = journal_folder(twin_folder)
    listener = subprocess.Popen(listen_command(feeds, "--duration", "120", "--quiet"),
                                env=LISTENER_ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    publisher = Publisher(broker.port, client_id="durability-publisher")
    try:
        publisher.wait_connected()

        wait_subscribed(publisher, lambda: journal_lines(journal) > 0)
        infos = [publisher.publish("city/s1", message(i)) for i in range(1, N // 2 + 1)]
        wait_until(lambda: journal_lines(journal) > N // 4, 30, "the listener received too little")
        listener.send_signal(signal.SIGKILL)  # mid-stream: some journaled, some in flight
        listener.wait(10)
        infos += [publisher.publish("city/s1", message(i)) for i in range(N // 2 + 1, N + 1)]
        publisher.wait_all_acked(infos)  # the broker took responsibility for every one
        # mosquitto acknowledges before it saves, and saves after every change in its next loop
        # pass: wait for a save made after every acknowledgement, one that holds the marker
        # (queued for the listener's session; a file's inode is no sign, as inodes are reused)
        database = broker.folder / "mosquitto.db"
        marker = message(0, sensor="marker")
        publisher.publish("city/marker", marker).wait_for_publish(5)
        wait_until(lambda: marker in database.read_bytes(), 30, "the broker did not save the marker")
        broker.kill()  # no chance to save on the way out
    finally:
        if listener.poll() is None:
            listener.kill()
        publisher.client.loop_stop()
    broker.start()
    replay_until_stored(twin_folder, feeds, N)
    values, _ = read_series(twin_folder, "s1", "intensity")
    assert sorted(values.to_numpy().astype(int)) == list(range(1, N + 1))
    assert left_segments(journal) == []
