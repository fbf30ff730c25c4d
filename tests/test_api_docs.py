"""The public API documents every parameter, numpydoc style with units in brackets, as pvlib
does: each function and class a package exports in ``__all__`` names all of its parameters (or
dataclass fields) in a ``Parameters`` or ``Attributes`` section."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import re

import pytest

PUBLIC_PACKAGES = (
    "simulation.mobility",
    "simulation.energy",
    "twin",
    "twin.importers",
    "twin.scenarios",
    "twin.security",
    "twin.feeds",
    "twin.runs",
    "twin.export",
    "twin.energy",
    "twin.mobility",
)
SECTIONS = ("Parameters", "Attributes", "Other Parameters")


def _exports() -> list[tuple[str, str, object]]:
    found = []
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found.append((package, name, obj))
    return found


def _documented(doc: str) -> set[str]:
    """Names in the docstring's Parameters / Attributes sections (``a, b : type`` lines)."""
    names: set[str] = set()
    lines = inspect.cleandoc(doc).splitlines()
    inside = False
    for k, line in enumerate(lines):
        underline = k + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[k + 1].strip())
        if underline:
            inside = line.strip() in SECTIONS
            continue
        if inside and line and not line.startswith(" ") and not re.fullmatch(r"-{3,}", line):
            head = line.split(" : ")[0]
            names.update(n.strip().lstrip("*") for n in head.split(","))
    return names


def _expected(obj: object) -> list[str]:
    if inspect.isclass(obj):
        if issubclass(obj, enum.Enum) or issubclass(obj, BaseException):
            return []
        if dataclasses.is_dataclass(obj):
            return [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
        if getattr(obj, "_is_protocol", False):
            return [n for n in getattr(obj, "__annotations__", {}) if not n.startswith("_")]
        obj = obj.__init__  # type: ignore[misc]
        if obj is object.__init__:
            return []
    parameters = inspect.signature(obj).parameters.values()  # type: ignore[arg-type]
    return [p.name for p in parameters if p.name not in ("self", "cls")
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize(("package", "name", "obj"), _exports(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_public_api_documents_every_parameter(package: str, name: str, obj: object) -> None:
    expected = _expected(obj)
    if not expected:
        return
    missing = [p for p in expected if p not in _documented(obj.__doc__ or "")]
    assert not missing, (f"{package}.{name}: parameters without a numpydoc entry "
                         f"(Parameters/Attributes section): {', '.join(missing)}")
