"""glTF 2.0 binary (GLB) out, with pygltflib: triangle meshes in a local east-north-up frame
(glTF's axes: x east, y up, z south), flat normals, a colour per vertex, and per-feature values
as ``EXT_mesh_features`` feature ids and an ``EXT_structural_metadata`` property table (one row
per building: id and every numeric column, noData where missing)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pygltflib as gl

GENERATOR = "localtwin"
NO_DATA = float(np.finfo(np.float64).min)
"""Value of a FLOAT64 metadata property where the building has none."""
_PROPERTY_ID = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class Part:
    """One mesh of a scene: ``triangles`` (n, 3, 3) in east, north, up [m], a colour per
    triangle (n, 4) [0..1], and the feature (row of the property table) of each triangle, or
    None for a part without features (roads)."""

    name: str
    triangles: np.ndarray
    colours: np.ndarray
    feature: np.ndarray | None = None


@dataclass(frozen=True)
class FeatureTable:
    """Per-feature values for ``EXT_structural_metadata``: ``ids`` (text), numeric columns by
    name (float64, NaN where missing) and their units."""

    class_name: str
    ids: Sequence[str]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


class _Buffer:
    """The binary chunk: byte views appended at 8-byte alignment."""

    def __init__(self, gltf: gl.GLTF2) -> None:
        self.gltf = gltf
        self.chunks: list[bytes] = []
        self.length = 0

    def view(self, data: bytes, target: int | None = None) -> int:
        padding = -self.length % 8
        self.chunks.append(b"\0" * padding)
        self.length += padding
        self.gltf.bufferViews.append(gl.BufferView(buffer=0, byteOffset=self.length,
                                                   byteLength=len(data), target=target))
        self.chunks.append(data)
        self.length += len(data)
        return len(self.gltf.bufferViews) - 1

    def accessor(self, values: np.ndarray, kind: str, bounds: bool = False) -> int:
        values = np.ascontiguousarray(values, dtype=np.float32)
        view = self.view(values.tobytes(), gl.ARRAY_BUFFER)
        accessor = gl.Accessor(bufferView=view, componentType=gl.FLOAT, count=len(values),
                               type=kind)
        if bounds:
            accessor.min = values.min(axis=0).tolist()
            accessor.max = values.max(axis=0).tolist()
        self.gltf.accessors.append(accessor)
        return len(self.gltf.accessors) - 1

    def blob(self) -> bytes:
        return b"".join(self.chunks) + b"\0" * (-self.length % 4)


def to_gltf_axes(enu: np.ndarray) -> np.ndarray:
    """East, north, up (..., 3) as glTF's x, y, z (x east, y up, z south)."""
    return np.stack([enu[..., 0], enu[..., 2], -enu[..., 1]], axis=-1)


def glb_bytes(parts: Sequence[Part], table: FeatureTable | None = None,
              extras: dict | None = None) -> bytes:
    """The parts as one GLB: a node and mesh per non-empty part, ``extras`` on the asset.

    Parameters
    ----------
    parts : sequence of Part
        Meshes in east, north, up [m]; degenerate triangles are left out.
    table : FeatureTable, optional
        The property table of the parts' features.
    extras : dict, optional
        JSON facts kept in ``asset.extras`` (frame origin, legend, source).

    Returns
    -------
    bytes
        The GLB file.
    """
    gltf = gl.GLTF2(asset=gl.Asset(generator=GENERATOR, extras=extras or {}),
                    scene=0, scenes=[gl.Scene(nodes=[])])
    gltf.materials.append(gl.Material(
        name="vertex colours", pbrMetallicRoughness=gl.PbrMetallicRoughness(
            baseColorFactor=[1.0, 1.0, 1.0, 1.0], metallicFactor=0.0, roughnessFactor=1.0)))
    buffer = _Buffer(gltf)
    uses_features = False
    for part in parts:
        primitive = _primitive(buffer, part)
        if primitive is None:
            continue
        if part.feature is not None and table is not None:
            primitive.extensions["EXT_mesh_features"] = {"featureIds": [
                {"featureCount": len(table.ids), "attribute": 0, "propertyTable": 0}]}
            uses_features = True
        gltf.meshes.append(gl.Mesh(name=part.name, primitives=[primitive]))
        gltf.nodes.append(gl.Node(name=part.name, mesh=len(gltf.meshes) - 1))
        gltf.scenes[0].nodes.append(len(gltf.nodes) - 1)
    if uses_features and table is not None:
        gltf.extensions["EXT_structural_metadata"] = _metadata(buffer, table)
        gltf.extensionsUsed = ["EXT_mesh_features", "EXT_structural_metadata"]
    blob = buffer.blob()
    gltf.buffers.append(gl.Buffer(byteLength=len(blob)))
    gltf.set_binary_blob(blob)
    return b"".join(gltf.save_to_bytes())


def _primitive(buffer: _Buffer, part: Part) -> gl.Primitive | None:
    """The part's triangles as one primitive (non-indexed: every triangle has its own corners
    so normals stay flat); None when no triangle has an area."""
    corners = to_gltf_axes(np.asarray(part.triangles, dtype=np.float64))
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1)
    keep = length > 1e-6
    if not keep.any():
        return None
    corners, normals = corners[keep], normals[keep] / length[keep, None]
    attributes = gl.Attributes(
        POSITION=buffer.accessor(corners.reshape(-1, 3), gl.VEC3, bounds=True),
        NORMAL=buffer.accessor(np.repeat(normals, 3, axis=0), gl.VEC3),
        COLOR_0=buffer.accessor(np.repeat(np.asarray(part.colours)[keep], 3, axis=0), gl.VEC4))
    if part.feature is not None:
        attributes._FEATURE_ID_0 = buffer.accessor(
            np.repeat(np.asarray(part.feature)[keep], 3).astype(np.float32), gl.SCALAR)
    return gl.Primitive(attributes=attributes, material=0, mode=gl.TRIANGLES)


def property_id(name: str) -> str:
    """A column name as a metadata property id (letters, digits, underscores)."""
    cleaned = _PROPERTY_ID.sub("_", name)
    return cleaned if re.match(r"[A-Za-z_]", cleaned) else f"_{cleaned}"


def metadata_schema(table: FeatureTable) -> dict:
    """The ``EXT_structural_metadata`` / 3D Tiles metadata schema of the table's class."""
    properties: dict[str, dict] = {"id": {"type": "STRING", "description": "building id"}}
    for name in table.columns:
        unit = table.units.get(name, "")
        properties[property_id(name)] = {
            "name": name, "type": "SCALAR", "componentType": "FLOAT64", "noData": NO_DATA,
            "description": f"{name} [{unit}]" if unit else name}
    return {"id": "localtwin", "classes": {table.class_name: {"properties": properties}}}


def _metadata(buffer: _Buffer, table: FeatureTable) -> dict:
    encoded = [str(i).encode() for i in table.ids]
    offsets = np.concatenate([[0], np.cumsum([len(e) for e in encoded])]).astype(np.uint32)
    properties: dict[str, dict] = {"id": {
        "values": buffer.view(b"".join(encoded)), "stringOffsets": buffer.view(offsets.tobytes()),
        "stringOffsetType": "UINT32"}}
    for name, values in table.columns.items():
        data = np.where(np.isfinite(values), values, NO_DATA).astype(np.float64)
        properties[property_id(name)] = {"values": buffer.view(data.tobytes())}
    return {"schema": metadata_schema(table), "propertyTables": [
        {"class": table.class_name, "count": len(table.ids), "properties": properties}]}
