"""A real mosquitto broker for tests and benchmarks, on 127.0.0.1 and a free port, with
persistence on, so it can be stopped and restarted on the same port with sessions kept, and
saving its database after every change (``DURABLE``), so that even a killed broker keeps every
message it acknowledged (the settings the README's no-loss promise names). It runs
as the current user (as root, mosquitto would otherwise drop to user ``mosquitto`` and could not
write its persistence file in the test's folder)."""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess
import time
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
DURABLE = "persistence true\nautosave_on_changes true\nautosave_interval 1\n"
"""The persistence settings under which a broker killed at any moment keeps what it acknowledged."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """mosquitto with its config, persistence and log in ``folder``; ``extra`` config lines are
    appended (e.g. ``password_file``)."""

    def __init__(self, folder: Path, extra: str = "allow_anonymous true\n") -> None:
        self.folder = folder
        self.port = free_port()
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n{extra}user {getpass.getuser()}\n"
            f"{DURABLE}persistence_location {folder}/\n"
            "max_queued_messages 0\nmax_inflight_messages 1000\n"
            f"log_dest file {folder}/mosquitto.log\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        (self.folder / "mosquitto.log").read_text(errors="replace")) from None
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening within 10 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no chance to save its database on the way out."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self, downtime: float = 0.5) -> None:
        self.stop()
        time.sleep(downtime)
        self.start()
