"""Shared pieces of the scenario tests: a valid scenario text and a twin fingerprint."""

from __future__ import annotations

import pandas as pd

from twin.model import Twin

HELSINKI_HEAD = """format = 1

[metadata]
title = "test"
description = "a test scenario"

[twin]
sample = "helsinki"

[period]
start = 2025-03-11T05:00:00Z
end = 2025-03-11T06:00:00Z
timezone = "Europe/Helsinki"

[simulations]
run = ["mobility"]

[mobility]
demand = "generated"
trips = 100
"""
"""A valid mobility scenario on the Helsinki sample, to append interventions to."""


def fingerprint(twin: Twin) -> tuple:
    """Everything of the buildings and links tables (values, dtypes, geometry, index)."""
    parts = []
    for frame in (twin.buildings, twin.network.links, twin.network.nodes):
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        parts.append(
            (
                tuple(frame.columns),
                tuple(map(str, frame.dtypes)),
                tuple(frame.index),
                tuple(pd.util.hash_pandas_object(table.astype(str), index=True)),
                tuple(frame.geometry.to_wkb()),
            )
        )
    return tuple(parts)
