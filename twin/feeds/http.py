"""Small JSON-over-HTTP helpers on the standard library: requests with a timeout and clear
errors, and a notification receiver (an HTTP server on 127.0.0.1) for pushed payloads."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from twin.errors import TwinError
from twin.feeds.base import MAX_PAYLOAD_BYTES, FeedStats, Observation
from twin.feeds.payloads import MalformedMessage
from twin.json_text import DuplicateKeyError, loads_json


class FeedError(TwinError):
    """A feed endpoint that cannot be used: the message names the URL and what it answered."""


def request_json(method: str, url: str, params: Mapping[str, Any] | None = None, body: Any = None,
                 headers: Mapping[str, str] | None = None, timeout: float = 30.0) -> tuple[Any, dict[str, str]]:
    """(parsed JSON body or None, response headers) of one HTTP request; FeedError on failure."""
    if params:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None}, safe="[],;:=")
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/json", **({"Content-Type": "application/json"} if data else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            answer = dict(response.headers.items())
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode(errors="replace")
        raise FeedError(f"{method} {url}: HTTP {error.code} {error.reason}: {detail}") from None
    except (urllib.error.URLError, OSError) as error:
        raise FeedError(f"{method} {url}: {getattr(error, 'reason', error)}") from None
    if not raw:
        return None, answer
    try:
        return loads_json(raw), answer
    except DuplicateKeyError as error:
        raise FeedError(f"{method} {url}: the answer gives the key {error.key!r} twice in one object") from None
    except ValueError:
        raise FeedError(f"{method} {url}: the answer is not JSON") from None


class NotificationReceiver:
    """An HTTP server on 127.0.0.1 (a free port unless given) that takes POSTed JSON payloads,
    turns them into observations with ``parser`` and keeps them for ``take``; bad or oversized
    bodies are counted in ``stats`` and answered 400 / 413."""

    def __init__(self, parser: Callable[[bytes], list[Observation]], stats: FeedStats, port: int = 0,
                 max_payload: int = MAX_PAYLOAD_BYTES) -> None:
        self._parser = parser
        self.stats = stats
        self._pending: list[Observation] = []
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver.stats.received += 1
                length = int(self.headers.get("Content-Length") or 0)
                if length > max_payload:
                    receiver.stats.reject("oversized", self.path, f"{length} bytes > {max_payload}")
                    self.send_response(413)
                    self.end_headers()
                    self.close_connection = True
                    return
                status = receiver._accept(self.path, self.rfile.read(length))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The URL to send notifications to."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/notify"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def take(self, timeout: float = 0.0) -> list[Observation]:
        """Observations received since the last call, waiting up to ``timeout`` s for one."""
        with self._arrived:
            if not self._pending and timeout > 0:
                self._arrived.wait(timeout)
            out, self._pending = self._pending, []
        return out

    def _accept(self, path: str, body: bytes) -> int:
        try:
            observations = self._parser(body)
        except MalformedMessage as error:
            self.stats.reject("malformed", path, str(error))
            return 400
        self.stats.observations += len(observations)
        with self._arrived:
            self._pending.extend(observations)
            self._arrived.notify()
        return 204
