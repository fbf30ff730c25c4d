"""A small in-memory OGC SensorThings API v1.1 service on 127.0.0.1 built from the spec's calls:
Things (with Locations), Datastreams (with Thing, ObservedProperty), Observations of a Datastream
with $top/$skip paging and @iot.nextLink, $orderby phenomenonTime, $filter phenomenonTime gt T."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_OBS = re.compile(r"^/v1\.1/Datastreams\((\d+)\)/Observations$")


class SensorThingsService:
    def __init__(self, page: int = 50) -> None:
        self.things: list[dict] = []
        self.datastreams: list[dict] = []
        self.observations: dict[str, list[dict]] = {}
        self.page = page
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/v1.1/Things":
                    items = service.things
                elif url.path == "/v1.1/Datastreams":
                    items = service.datastreams
                elif (match := _OBS.match(url.path)) is not None:
                    items = service.filtered(match.group(1), params.get("$filter"))
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                top = min(int(params.get("$top", service.page)), service.page)
                skip = int(params.get("$skip", 0))
                body: dict = {"value": items[skip:skip + top]}
                if skip + top < len(items):
                    params.update({"$top": str(top), "$skip": str(skip + top)})
                    body["@iot.nextLink"] = f"{service.url}{url.path}?{urllib.parse.urlencode(params)}"
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add_thing(self, name: str, lon: float, lat: float, streams: dict[str, tuple[str, str]]) -> None:
        """A Thing at (lon, lat) with one Datastream per id: (observed property, unit symbol)."""
        thing = {"@iot.id": len(self.things) + 1, "name": name,
                 "Locations": [{"location": {"type": "Point", "coordinates": [lon, lat]}}]}
        self.things.append(thing)
        for ds_id, (prop, symbol) in streams.items():
            self.datastreams.append({"@iot.id": int(ds_id), "name": f"{name} {prop}", "Thing": thing,
                                     "ObservedProperty": {"name": prop},
                                     "unitOfMeasurement": {"name": prop, "symbol": symbol}})
            self.observations[ds_id] = []

    def add_observation(self, ds_id: str, time: str, result: float) -> dict:
        observation = {"@iot.id": sum(map(len, self.observations.values())) + 1,
                       "phenomenonTime": time, "result": result}
        self.observations[ds_id].append(observation)
        return observation

    def filtered(self, ds_id: str, where: str | None) -> list[dict]:
        """Observations in time order (ISO 8601 UTC text sorts as time), after $filter's time."""
        items = sorted(self.observations.get(ds_id, []), key=lambda o: o["phenomenonTime"])
        if where:
            after = where.removeprefix("phenomenonTime gt ")
            items = [o for o in items if o["phenomenonTime"] > after]
        return items

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
