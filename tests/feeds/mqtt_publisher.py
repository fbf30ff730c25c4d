"""A QoS 1 test publisher with a persistent session, so it too rides out a broker restart."""

from __future__ import annotations

import time

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

T0 = 1_777_593_600.0
"""2026-05-01T00:00:00Z in s since the epoch: the time of message 0."""


def message(i: int, sensor: str = "s1", quantity: str = "intensity") -> bytes:
    """The plain JSON observation number ``i`` (one per second from T0, value i)."""
    return orjson.dumps({"sensor": sensor, "quantity": quantity, "time": T0 + i, "value": i, "unit": "veh"})


class Publisher:
    def __init__(self, port: int, client_id: str = "test-publisher", **auth: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
        self.client.max_inflight_messages_set(1000)
        self.client.max_queued_messages_set(0)
        self.client.reconnect_delay_set(1, 2)
        if auth:
            self.client.username_pw_set(auth["username"], auth["password"])
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def wait_connected(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.client.is_connected():
            if time.monotonic() > deadline:
                raise TimeoutError("publisher: not reconnected in time")
            time.sleep(0.05)

    def publish(self, topic: str, payload: bytes, qos: int = 1) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic, payload, qos=qos)

    def wait_all_acked(self, infos: list[mqtt.MQTTMessageInfo], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        for info in infos:
            while not info.is_published():
                if time.monotonic() > deadline:
                    raise TimeoutError("publisher: messages not acknowledged by the broker in time")
                time.sleep(0.01)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
