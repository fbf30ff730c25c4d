"""Live feeds into the twin (MQTT, NGSI-LD, OGC SensorThings, recorded replays) and the twin out as
NGSI-LD Smart Data Models entities.

Every feed has the same interface (``connect``, ``subscribe``, ``poll``, ``close``, see
``twin.feeds.base.Feed``) and yields ``Observation``s; ``twin.feeds.ingest`` maps them to twin
objects and ``twin.feeds.archive`` appends them to the twin's ``timeseries.h5``.
"""
