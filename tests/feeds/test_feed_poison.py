"""A bad message is rejected alone: counted, kept in the quarantine file, and never stops the
listener, a restart that replays the journal, or a later read of the store."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import orjson
import pytest
from feed_waits import LISTENER_ENV, listen_command, mqtt_feeds_file, stored
from mqtt_publisher import T0, Publisher, message

from twin.feeds.archive import append_observations, list_series, read_series
from twin.feeds.base import Observation
from twin.feeds.config import load_config
from twin.feeds.journal import Journal, journal_folder, left_segments
from twin.feeds.quarantine import quarantine_path
from twin.feeds.runner import listen

GOOD = 1000
POISON = [
    # times out of any range (seconds since 1970): no malformed-time crash, no stored poison
    {"sensor": "bad", "quantity": "intensity", "time": 1e17, "value": 1},
    {"sensor": "bad", "quantity": "intensity", "time": -1e16, "value": 1},
    {"sensor": "bad", "quantity": "intensity", "time": 1.8449e305, "value": 1},
]
UNSTORABLE = [
    # parse, but cannot be stored: kept in the quarantine file
    {"sensor": "s2", "quantity": ".", "time": T0, "value": 1, "unit": "veh"},
    {"sensor": "nul\x00id", "quantity": "intensity", "time": T0, "value": 1, "unit": "veh"},
    {"sensor": ".", "quantity": "intensity", "time": T0, "value": 1, "unit": "veh"},
    {"sensor": "far", "quantity": "intensity", "time": "9999-12-31T00:00:00Z", "value": 1,
     "unit": "veh"},
]


def _quarantined(twin_folder) -> list[dict]:
    path = quarantine_path(twin_folder)
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


def test_poison_messages_do_not_stop_the_listener(twin_folder, broker, tmp_path) -> None:
    feeds = mqtt_feeds_file(tmp_path, twin_folder, broker.port, "twin-poison-test",
                            flush_interval=0.5)
    listener = subprocess.Popen(listen_command(feeds, "--duration", "120"), env=LISTENER_ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    publisher = Publisher(broker.port, client_id="poison-publisher")
    try:
        publisher.wait_connected()
        # the listener subscribes after it starts: probe until one message is stored
        probe = message(0, sensor="probe")
        deadline = time.monotonic() + 60
        while list_series(twin_folder).empty and time.monotonic() < deadline:
            publisher.publish("city/probe", probe).wait_for_publish(5)
            time.sleep(0.2)
        probes = int(list_series(twin_folder)["count"].sum())
        assert probes == 1, "the listener never stored the probe"
        infos = [publisher.publish("city/s1", orjson.dumps(p)) for p in POISON[:2]]
        infos += [publisher.publish("city/s1", message(i)) for i in range(1, GOOD // 2 + 1)]
        infos += [publisher.publish("city/s1", orjson.dumps(p)) for p in POISON[2:] + UNSTORABLE]
        infos += [publisher.publish("city/s1", message(i)) for i in range(GOOD // 2 + 1, GOOD + 1)]
        publisher.wait_all_acked(infos)
        deadline = time.monotonic() + 60
        while (stored(twin_folder, "s1") < GOOD and listener.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.2)
        listener.send_signal(signal.SIGTERM)  # a service manager's stop
        out, err = listener.communicate(timeout=60)
    finally:
        if listener.poll() is None:
            listener.kill()
        publisher.close()
    assert listener.returncode == 0, err
    values, _ = read_series(twin_folder, "s1", "intensity")
    assert sorted(values.to_numpy().astype(int)) == list(range(1, GOOD + 1))
    series = list_series(twin_folder)  # every series still lists, with its times
    assert set(series["sensor"]) == {"s1", "probe"} and series["first"].notna().all()
    reasons = [q["reason"] for q in _quarantined(twin_folder)]
    assert reasons == ["quantity: '.' is not a usable id", "sensor: contains a control character",
                       "sensor: '.' is not a usable id",
                       "time: 253402214400000 ms is outside 1900-2200"]
    assert "quarantined 4" in out
    assert "Traceback" not in err


def test_a_restart_replays_a_journal_holding_poison(twin_folder, tmp_path) -> None:
    journal = Journal(journal_folder(twin_folder), "city", "plain")
    for p in POISON + UNSTORABLE:
        journal.write("city/s1", orjson.dumps(p))
    for i in range(1, 11):
        journal.write("city/s1", message(i))
    journal.close()
    feeds = tmp_path / "feeds.toml"
    recording = tmp_path / "empty.jsonl"
    recording.write_text("", encoding="utf-8")
    feeds.write_text(f'[twin]\nfolder = "{twin_folder}"\n\n[[feeds]]\nname = "none"\n'
                     f'kind = "replay"\npath = "{recording}"\n', encoding="utf-8")
    report = listen(load_config(feeds))
    values, _ = read_series(twin_folder, "s1", "intensity")
    assert sorted(values.to_numpy().astype(int)) == list(range(1, 11))
    assert report.ingest.quarantined == len(UNSTORABLE)
    assert left_segments(journal_folder(twin_folder)) == []


@pytest.mark.parametrize("bad", [
    Observation("x", "intensity", 10**17, 1.0, "veh"),
    Observation("x", "intensity", 1_777_593_600_000, float("nan"), "veh"),
    Observation("x", "intensity", 1_777_593_600_000, 1.0, "veh", lon=400.0, lat=0.0),
    Observation("x", "..", 1_777_593_600_000, 1.0, "veh"),
    Observation("x", "intensity", 1_777_593_600_000, 1.0, "v" * 300),
])
def test_the_store_refuses_what_it_could_not_read_back(twin_folder, bad) -> None:
    good = Observation("x", "intensity", 1_777_593_600_000, 2.0, "veh")
    result = append_observations(twin_folder, [bad, good])
    assert (result.stored, result.invalid) == (1, 1)
    assert list_series(twin_folder)["count"].tolist() == [1]
