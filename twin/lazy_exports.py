"""Public names of a package imported from their modules on first use (PEP 562).

A package whose format or protocol modules pull in heavy libraries (numba, osmium, rasterio,
MQTT and HTTP clients) lists where each public name lives; importing the package then loads
none of them until a name is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping


def lazy_exports(package: str, homes: Mapping[str, str], public: Iterable[str]
                 ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package that imports its names lazily.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    homes : mapping of str to str
        Public name -> the submodule (relative to the package) that defines it.
    public : iterable of str
        The package's ``__all__``.

    Returns
    -------
    tuple of two callables
        ``__getattr__(name)``, which imports ``name`` from its home on first use and keeps it
        in the package's namespace, and ``__dir__()``, the package's names with the public API.
    """
    names = frozenset(public)

    def __getattr__(name: str) -> object:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{homes[name]}"), name)
        vars(importlib.import_module(package))[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(importlib.import_module(package)), *names})

    return __getattr__, __dir__
