"""Tables and arrays in HDF5 groups: one dataset per column, units as attributes.

Numbers are stored as they are (float64 / int64 / bool), text and categories as UTF-8 strings,
datetimes as int64 ns since 1970 UTC (attribute ``kind = "datetime"``), geometries as WKB bytes
(``kind = "wkb"``). Large arrays are chunked and gzip-compressed; small ones stay contiguous.
"""

from __future__ import annotations

from collections.abc import Mapping

import h5py
import numpy as np
import pandas as pd
import shapely

from twin.quantities import TIMESTAMP

COMPRESS_FROM = 4096
"""Elements from which a dataset is chunked and compressed."""
STRING = h5py.string_dtype("utf-8")
WKB = h5py.vlen_dtype(np.uint8)


def write_array(group: h5py.Group, name: str, values: np.ndarray, unit: str | None = None,
                description: str | None = None) -> h5py.Dataset:
    """One dataset; compressed when large; ``unit`` and ``description`` as attributes."""
    values = np.asarray(values)
    if values.dtype.kind in "OUS":
        data = group.create_dataset(name, data=values.astype(object).astype(str).astype(object),
                                    dtype=STRING)
    elif values.size >= COMPRESS_FROM:
        data = group.create_dataset(name, data=values, compression="gzip", compression_opts=4,
                                    shuffle=True, chunks=True)
    else:
        data = group.create_dataset(name, data=values)
    if unit is not None:
        data.attrs["unit"] = unit
    if description:
        data.attrs["description"] = description
    return data


def write_datetimes(group: h5py.Group, name: str, values: pd.Series | pd.Index,
                    description: str | None = None) -> h5py.Dataset:
    """Datetimes (naive ones taken as UTC) as int64 ns since 1970 UTC (unit ``TIMESTAMP``)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(values, utc=True)).as_unit("ns")
    data = write_array(group, name, stamps.asi8, TIMESTAMP, description)
    data.attrs["kind"] = "datetime"
    return data


def write_frame(group: h5py.Group, frame: pd.DataFrame,
                units: Mapping[str, str] | None = None,
                descriptions: Mapping[str, str] | None = None) -> None:
    """Every column of ``frame`` (and its index, as ``_index``) as a dataset of ``group``, with
    the ``unit`` and ``description`` attributes of those columns ``units`` and
    ``descriptions`` name."""
    units = units or {}
    descriptions = descriptions or {}
    group.attrs["columns"] = [str(c) for c in frame.columns]
    group.attrs["index_name"] = str(frame.index.name or "")
    _write_column(group, "_index", pd.Series(frame.index), None, None)
    for column in frame.columns:
        name = str(column)
        _write_column(group, name, frame[column], units.get(name), descriptions.get(name))


def _write_column(group: h5py.Group, name: str, column: pd.Series, unit: str | None,
                  description: str | None) -> None:
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(str)
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        write_datetimes(group, name, column, description)
        return
    if column.dtype == object and len(column) and isinstance(column.iloc[0], shapely.Geometry):
        blobs = np.empty(len(column), dtype=object)
        blobs[:] = [np.frombuffer(blob, np.uint8) for blob in shapely.to_wkb(column.to_numpy())]
        data = group.create_dataset(name, data=blobs, dtype=WKB)
        data.attrs["kind"] = "wkb"
        return
    write_array(group, name, column.to_numpy(), unit, description)


def read_array(data: h5py.Dataset) -> np.ndarray | pd.Series:
    """A dataset back as numpy (strings as str objects, datetimes as UTC, WKB as geometries)."""
    kind = data.attrs.get("kind", "")
    if kind == "datetime":
        return pd.to_datetime(data[()], utc=True)
    if kind == "wkb":
        return shapely.from_wkb([bytes(b) for b in data[()]])
    if data.dtype.kind == "O" or h5py.check_string_dtype(data.dtype) is not None:
        return data.asstr()[()]
    return data[()]


def read_frame(group: h5py.Group) -> pd.DataFrame:
    """A table written by :func:`write_frame`."""
    columns = [str(c) for c in group.attrs["columns"]]
    index = pd.Index(read_array(group["_index"]), name=group.attrs["index_name"] or None)
    return pd.DataFrame({c: read_array(group[c]) for c in columns}, index=index)


def units_of(group: h5py.Group) -> dict[str, str]:
    """The ``unit`` attribute of every dataset in ``group`` that has one."""
    return {name: str(data.attrs["unit"]) for name, data in group.items()
            if isinstance(data, h5py.Dataset) and "unit" in data.attrs}
