"""``twin listen``: the feeds file is checked with FILE: key errors, credentials come from the
environment, and feeds run headless into the twin, bounded by messages, duration or a replay's end."""

from __future__ import annotations

import threading
import time

import pytest
from mqtt_publisher import Publisher, message

from twin.cli import main
from twin.errors import InputError
from twin.feeds.archive import list_series, read_series
from twin.feeds.config import load_config
from twin.feeds.replay import Recorder
from twin.feeds.runner import build_feed


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, key, why", [
    ('[twin]\nfolder = "x.twin"\n[[feeds]]\nkind = "mqtt"\nhost = "h"\ntopics = ["a"]\npassword = "p"\n',
     "feeds[0].password", "password_env"),
    ('[twin]\nfolder = "x.twin"\n[[feeds]]\nkind = "mqtt"\nhost = "h"\ntopics = ["a"]\nport = "1883"\n',
     "feeds[0].port", "expected int"),
    ('[twin]\nfolder = "x.twin"\n[[feeds]]\nkind = "mqtt"\nhost = "h"\n', "feeds[0].topics", "missing"),
    ('[twin]\nfolder = "x.twin"\n[[feeds]]\nkind = "amqp"\n', "feeds[0].kind", "expected one of"),
    ('[twin]\nfolder = "x.twin"\n[[feeds]]\nkind = "replay"\npath = "none.jsonl"\nspeeed = 2\n',
     "feeds[0].speeed", "unknown key"),
    ('[[feeds]]\nkind = "replay"\npath = "f.jsonl"\n', "twin.folder", "missing"),
    ('[twin]\nfolder = "x.twin"\n', "feeds", "at least one"),
    ('[twin]\nfolder = "x.twin"\n[[sensors]]\nid = "s"\n[[feeds]]\nkind = "replay"\npath = "f.jsonl"\n',
     "sensors[0]", "link or building"),
    ('[twin\nfolder = 1', None, "not valid TOML"),
])
def test_feeds_file_errors_name_file_and_key(tmp_path, text, key, why):
    write(tmp_path / "f.jsonl", "")
    path = write(tmp_path / "feeds.toml", text)
    with pytest.raises(InputError) as error:
        load_config(path)
    assert str(error.value).startswith(str(path)) and why in str(error.value)
    assert error.value.field == key


def test_credentials_only_from_the_environment(tmp_path, monkeypatch):
    path = write(tmp_path / "feeds.toml", '[twin]\nfolder = "x.twin"\n[[feeds]]\nname = "city"\nkind = "mqtt"\n'
                 'host = "127.0.0.1"\ntopics = ["a/#"]\nusername_env = "CITY_USER"\npassword_env = "CITY_PW"\n')
    config = load_config(path)
    monkeypatch.setenv("CITY_USER", "twin")
    monkeypatch.delenv("CITY_PW", raising=False)
    with pytest.raises(InputError, match="CITY_PW is not set"):
        build_feed(config, config.feeds[0])
    monkeypatch.setenv("CITY_PW", "s3cret")
    feed = build_feed(config, config.feeds[0])
    assert (feed.settings.username, feed.settings.password) == ("twin", "s3cret")


def test_listen_replay_counts_bad_messages_and_is_idempotent(twin_folder, tmp_path, capsys):
    recording = Recorder(tmp_path / "feed.jsonl")
    for i in range(300):
        recording.write("city/s1", message(i))
    recording.write("city/s1", message(5))                  # duplicate
    recording.write("city/s1", message(-10))                # out of order
    recording.write("city/s1", b'{"quantity": "q"}')        # malformed
    recording.write("city/s1", b'{"quantity": "' + b"x" * 300_000 + b'"}')  # oversized
    recording.close()
    feeds = write(tmp_path / "feeds.toml", f'[twin]\nfolder = "{twin_folder.name}"\n'
                  '[[feeds]]\nname = "recorded"\nkind = "replay"\npath = "feed.jsonl"\n')
    (tmp_path / twin_folder.name).exists() or (tmp_path / twin_folder.name).symlink_to(twin_folder)
    assert main(["listen", str(feeds), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "stored 301" in out and "duplicates 1" in out and "out of order 1" in out
    series, unit = read_series(twin_folder, "s1", "intensity")
    assert len(series) == 301 and unit == "veh"
    assert main(["listen", str(feeds), "--quiet"]) == 0  # the same feed again: nothing new
    assert "stored 0," in capsys.readouterr().out
    assert list_series(twin_folder)["count"].tolist() == [301]


def test_listen_mqtt_bounded_by_max_messages(twin_folder, broker, tmp_path, capsys):
    feeds = write(tmp_path / "feeds.toml", f'[twin]\nfolder = "{twin_folder}"\nflush_interval = 0.2\n'
                  f'[[feeds]]\nname = "city"\nkind = "mqtt"\nhost = "127.0.0.1"\nport = {broker.port}\n'
                  'topics = ["city/#"]\nclient_id = "listen-test"\n')

    def publish():
        time.sleep(1.0)
        pub = Publisher(broker.port)
        pub.wait_all_acked([pub.publish("city/s1", message(i)) for i in range(500)])
        pub.close()

    thread = threading.Thread(target=publish)
    thread.start()
    code = main(["listen", str(feeds), "--max-messages", "500", "--duration", "30", "--quiet"])
    thread.join()
    assert code == 0
    assert len(read_series(twin_folder, "s1", "intensity")[0]) == 500
    assert "stored 500" in capsys.readouterr().out
