"""A fast QoS 1 load publisher speaking MQTT 3.1.1 on a raw socket (a Python paho publisher tops
out below 10,000 msg/s on a loaded 2-core machine), then printing its figures as JSON.

    python load_publisher.py PORT RATE SECONDS SENSORS

Message i is sensor ``s{i % SENSORS}`` at T0 + (i // SENSORS) * 10 ms, so every message is a
distinct observation. Sent in 10 ms ticks, one write per tick. The session is persistent
(clean session 0): after a broker restart it reconnects and resends every unacknowledged message
with the DUP flag, as QoS 1 requires.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time

import orjson

T0 = 1_777_593_600.0


def _length(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("!H", len(data)) + data


def publish_packet(topic: str, payload: bytes, mid: int, dup: bool = False) -> bytes:
    body = _string(topic) + struct.pack("!H", mid) + payload
    return bytes([0x32 | (0x08 if dup else 0)]) + _length(len(body)) + body


class RawPublisher:
    def __init__(self, port: int, client_id: str) -> None:
        self.port, self.client_id = port, client_id
        self.unacked: dict[int, tuple[str, bytes]] = {}
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.reconnects = 0
        self.connect()

    def connect(self) -> None:
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                body = _string("MQTT") + bytes([4, 0x00]) + struct.pack("!H", 0) + _string(self.client_id)
                sock.sendall(bytes([0x10]) + _length(len(body)) + body)
                connack = sock.recv(4)
                if len(connack) == 4 and connack[0] == 0x20 and connack[3] == 0:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        sock.settimeout(None)
        with self.lock:
            resend = b"".join(publish_packet(t, p, mid, dup=True) for mid, (t, p) in sorted(self.unacked.items()))
            self.sock = sock
        if resend:
            sock.sendall(resend)
        threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _read(self, sock: socket.socket) -> None:
        buffer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                with self.lock:
                    if self.sock is sock:
                        self.sock = None
                return
            buffer += data
            n = len(buffer) // 4 * 4
            with self.lock:
                for k in range(0, n, 4):
                    if buffer[k] == 0x40:
                        self.unacked.pop(struct.unpack_from("!H", buffer, k + 2)[0], None)
            buffer = buffer[n:]

    def send(self, messages: list[tuple[int, str, bytes]]) -> None:
        with self.lock:
            for mid, topic, payload in messages:
                self.unacked[mid] = (topic, payload)
            sock = self.sock
        data = b"".join(publish_packet(t, p, mid) for mid, t, p in messages)
        try:
            if sock is None:
                raise OSError("not connected")
            sock.sendall(data)
        except OSError:
            self.reconnects += 1
            self.connect()  # resends everything unacknowledged, these included


def main() -> None:
    port, rate, seconds, sensors = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    total = int(rate * seconds)
    pub = RawPublisher(port, f"load-publisher-{port}")
    payloads = [orjson.dumps({"sensor": f"s{i % sensors}", "quantity": "intensity",
                              "time": T0 + (i // sensors) * 0.01, "value": i, "unit": "veh"})
                for i in range(total)]
    per_tick = max(1, rate // 100)
    start = time.monotonic()
    for first in range(0, total, per_tick):
        delay = start + first / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        batch = []
        for i in range(first, min(first + per_tick, total)):
            mid = i % 65535 + 1
            while mid in pub.unacked:
                time.sleep(0.001)
            batch.append((mid, f"city/traffic/s{i % sensors}", payloads[i]))
        pub.send(batch)
    published = time.monotonic() - start
    deadline = time.monotonic() + 120
    while pub.unacked and time.monotonic() < deadline:
        if pub.sock is None:
            pub.reconnects += 1
            pub.connect()
        time.sleep(0.02)
    print(json.dumps({"messages": total, "publish_seconds": published, "acked_seconds": time.monotonic() - start,
                      "unacked": len(pub.unacked), "reconnects": pub.reconnects}))


if __name__ == "__main__":
    main()
