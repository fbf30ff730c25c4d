"""A small in-memory NGSI-LD context broker on 127.0.0.1 built from the spec's calls (ETSI GS CIM
009): entities with type / q / near geo-query / limit+offset paging / keyValues, temporal
entities with timerel / lastN, subscriptions that POST notifications. Enough to test a client."""

from __future__ import annotations

import copy
import json
import math
import re
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twin.feeds.payloads import concise, to_ms

_Q = re.compile(r"^(\w+)(==|!=|>=|<=|>|<)(.+)$")


def _matches_q(entity: dict, q: str) -> bool:
    flat = concise(entity)
    for term in q.split(";"):
        name, op, raw = _Q.match(term).groups()
        value = json.loads(raw) if not raw.startswith("'") else raw.strip("'")
        have = flat.get(name)
        if have is None:
            return False
        if not {"==": have == value, "!=": have != value, ">": have > value, "<": have < value,
                ">=": have >= value, "<=": have <= value}[op]:
            return False
    return True


def _distance_m(a: list[float], b: list[float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a[:2], *b[:2]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


class NgsiLdBroker:
    def __init__(self) -> None:
        self.entities: dict[str, dict] = {}
        self.history: dict[str, dict[str, list[dict]]] = {}
        self.subscriptions: dict[str, dict] = {}
        self.requests: list[str] = []
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: object = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                broker.requests.append(self.path)
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/ngsi-ld/v1/entities":
                    self._send(200, broker.query(params))
                elif url.path == "/ngsi-ld/v1/temporal/entities":
                    self._send(200, broker.temporal(params))
                else:
                    self._send(404, {"type": "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/ngsi-ld/v1/subscriptions":
                    broker.subscriptions[body["id"]] = body
                    self._send(201)
                elif self.path == "/ngsi-ld/v1/entities":
                    broker.upsert(body)
                    self._send(201)
                else:
                    self._send(404)

            def do_DELETE(self) -> None:
                sid = self.path.rsplit("/", 1)[-1]
                self._send(204 if broker.subscriptions.pop(sid, None) else 404)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def upsert(self, entity: dict) -> None:
        """Store the entity, append its observed attributes to the history, notify subscribers."""
        self.entities[entity["id"]] = entity
        attributes = self.history.setdefault(entity["id"], {})
        for name, value in entity.items():
            if isinstance(value, dict) and "observedAt" in value:
                attributes.setdefault(name, []).append(copy.deepcopy(value))
        for subscription in list(self.subscriptions.values()):
            if any(e["type"] == entity["type"] for e in subscription["entities"]) and (
                    "q" not in subscription or _matches_q(entity, subscription["q"])):
                note = {"id": "urn:ngsi-ld:Notification:1", "type": "Notification",
                        "subscriptionId": subscription["id"], "data": [entity]}
                request = urllib.request.Request(subscription["notification"]["endpoint"]["uri"],
                                                 data=json.dumps(note).encode(), method="POST",
                                                 headers={"Content-Type": "application/json"})
                urllib.request.urlopen(request, timeout=10).close()

    def query(self, params: dict) -> list[dict]:
        out = [e for e in self.entities.values() if params.get("type") in (None, e["type"])]
        if "q" in params:
            out = [e for e in out if _matches_q(e, params["q"])]
        if "georel" in params:
            georel, max_distance = params["georel"].split(";maxDistance==")
            assert georel == "near" and params["geometry"] == "Point"
            centre = json.loads(params["coordinates"])
            out = [e for e in out
                   if _distance_m(concise(e)["location"]["coordinates"], centre) <= float(max_distance)]
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
        out = out[offset:offset + limit]
        return [concise(e) for e in out] if params.get("options") == "keyValues" else out

    def temporal(self, params: dict) -> list[dict]:
        out = []
        for entity_id, attributes in self.history.items():
            entity = self.entities[entity_id]
            if params.get("type") not in (None, entity["type"]) or params.get("id") not in (None, entity_id):
                continue
            temporal = {"id": entity_id, "type": entity["type"]}
            for name, instances in attributes.items():
                kept = [i for i in instances if self._in_time(to_ms(i["observedAt"]), params)]
                if "lastN" in params:
                    kept = kept[-int(params["lastN"]):]
                temporal[name] = kept
            out.append(temporal)
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
        return out[offset:offset + limit]

    @staticmethod
    def _in_time(t: int, params: dict) -> bool:
        rel = params.get("timerel")
        if rel is None:
            return True
        at = to_ms(params["timeAt"])
        if rel == "before":
            return t < at
        if rel == "after":
            return t > at
        return at <= t < to_ms(params["endTimeAt"])
