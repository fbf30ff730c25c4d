"""The quick version of the feed load test (``tests/bench/bench_feeds.py``): 10,000 msg/s for
1 s through a real mosquitto into the twin, nothing lost."""

from __future__ import annotations

from load import run_load


def test_ten_thousand_messages_per_second_for_one_second(broker, twin_folder, capsys):
    figures = run_load(broker, twin_folder, rate=10_000, seconds=1.0)
    with capsys.disabled():
        print(f"\nfeed load: published {figures['publish_rate']:,.0f} msg/s, received "
              f"{figures['receive_rate']:,.0f} msg/s, stored {figures['stored']:,}, lost {figures['lost']}")
    assert figures["publisher_unacked"] == 0
    assert figures["lost"] == 0 and figures["stored"] == 10_000
    assert figures["malformed"] == 0
