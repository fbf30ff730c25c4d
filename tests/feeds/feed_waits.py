"""What the feed tests share: the feeds file and command of a real `twin listen` on the test
broker, waits on a condition with a deadline (never on a sleep alone), and the counts they wait
for (journal lines, stored observations)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from mqtt_publisher import Publisher, message

from twin.feeds.archive import list_series
from twin.feeds.config import load_config
from twin.feeds.journal import left_segments
from twin.feeds.runner import listen


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 50 ms until it holds; TimeoutError naming ``what`` after
    ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def journal_lines(folder: Path) -> int:
    """Messages in the journal segments of ``folder``."""
    return sum(path.read_bytes().count(b"\n") for path, _ in left_segments(folder))


def stored(twin_folder: Path, sensor: str = "s1") -> int:
    """Observations stored for ``sensor`` in the twin folder."""
    series = list_series(twin_folder)
    return int(series.loc[series["sensor"] == sensor, "count"].sum())


LISTENER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
"""Environment of a listener subprocess: this test run's import path."""


def mqtt_feeds_file(folder: Path, twin_folder: Path, port: int, client_id: str,
                    flush_interval: float = 3600.0) -> Path:
    """A feeds file in ``folder``: one MQTT feed ``city`` on the loopback broker at ``port``,
    QoS 1, topics ``city/#``, into ``twin_folder``."""
    path = folder / "feeds.toml"
    path.write_text(f'[twin]\nfolder = "{twin_folder}"\nflush_interval = {flush_interval}\n\n'
                    f'[[feeds]]\nname = "city"\nkind = "mqtt"\nhost = "127.0.0.1"\n'
                    f'port = {port}\ntopics = ["city/#"]\nqos = 1\nclient_id = "{client_id}"\n',
                    encoding="utf-8")
    return path


def listen_command(feeds: Path, *args: str) -> list[str]:
    """The command line of ``twin listen FEEDS ARGS`` in this interpreter."""
    return [sys.executable, "-m", "twin.cli", "listen", str(feeds), *args]


def wait_subscribed(publisher: Publisher, received: Callable[[], bool]) -> None:
    """Publish probes until ``received`` says the listener got one (its subscription
    delivers), for at most 60 s."""
    def subscribed() -> bool:
        publisher.publish("city/probe", message(0, sensor="probe")).wait_for_publish(5)
        return received()

    wait_until(subscribed, 60, "the listener never received the probe")


def replay_until_stored(twin_folder: Path, feeds: Path, n: int, sensor: str = "s1") -> None:
    """Restart the listener of ``feeds`` for a second at a time, as a user would after a
    crash, until ``n`` observations of ``sensor`` are stored or 60 s have passed."""
    config = load_config(feeds)
    deadline = time.monotonic() + 60
    while stored(twin_folder, sensor) < n and time.monotonic() < deadline:
        listen(config, duration=1.0)
