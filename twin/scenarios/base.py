"""The interface every intervention implements, and helpers to write changed tables."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import geopandas as gpd
import numpy as np
import pandas as pd

from twin.model import Twin
from twin.scenarios.report import ChangeReport


class Intervention(ABC):
    """A typed change to a twin (or to its demand), parsed from one ``[[interventions]]`` table.

    ``apply`` returns a new Twin and a ChangeReport and never changes the twin it is given.
    It raises InterventionError with key paths relative to the intervention's table.

    Attributes
    ----------
    kind : str
        The ``type`` that names it in a scenario file (class attribute).
    """

    kind: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_table(cls, table: Mapping[str, Any]) -> Self:
        """The intervention of a schema-valid table; InterventionError for what the schema
        cannot check.

        Parameters
        ----------
        table : Mapping
            One ``[[interventions]]`` table, valid against the scenario schema.

        Returns
        -------
        Intervention
            The parsed intervention.

        Raises
        ------
        InterventionError
            With key paths relative to the table.
        """

    @abstractmethod
    def apply(self, twin: Twin) -> tuple[Twin, ChangeReport]:
        """A new twin with the change, and what changed.

        Parameters
        ----------
        twin : Twin
            The twin to change; it is left as it is.

        Returns
        -------
        tuple of (Twin, ChangeReport)
            The changed copy and what changed.

        Raises
        ------
        InterventionError
            When the intervention does not fit ``twin`` (unknown ids, columns, polygons off the
            twin), with key paths relative to the intervention's table.
        """


def ids_of(frame: gpd.GeoDataFrame, mask: np.ndarray) -> tuple[str, ...]:
    """The ids of the masked rows, as text."""
    return tuple(str(i) for i in frame.loc[mask, "id"])


def with_columns(
    frame: gpd.GeoDataFrame, mask: np.ndarray, values: Mapping[str, object]
) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with ``values`` written into the masked rows; new columns are created
    empty (NaN for numbers, None for text) for the other rows."""
    out = frame.copy()
    for column, value in values.items():
        if column not in out.columns:
            numeric = isinstance(value, (int, float))
            out[column] = pd.Series(
                np.nan if numeric else None, index=out.index, dtype="float64" if numeric else object
            )
        out.loc[mask, column] = value
    return out


def with_links(twin: Twin, links: gpd.GeoDataFrame) -> Twin:
    """A new twin whose network has ``links`` (nodes and signals shared, being unchanged)."""
    return twin.replace(network=dataclasses.replace(twin.network, links=links))
