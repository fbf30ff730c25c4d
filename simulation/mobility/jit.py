"""Compilation of the kernels that allocate nothing: numba without reference counting.

Counting the references of a kernel's arrays at every call costs more than the work of most
nodes' step; kernels that allocate nothing are compiled without it (numba's ``_nrt=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

import numba

if TYPE_CHECKING:
    from numba.core.dispatcher import Dispatcher

_F = TypeVar("_F", bound=Callable[..., object])


def njit_no_refcount(inline: Literal["never", "always"] = "never"
                     ) -> Callable[[_F], Dispatcher[_F]]:
    """``numba.njit(cache=True, _nrt=False)``: a cached kernel compiled without reference counting.

    Parameters
    ----------
    inline : {"never", "always"}
        numba's inlining of the kernel into the kernels that call it.

    Returns
    -------
    Callable
        Decorator turning a Python function into its compiled dispatcher; the dispatcher keeps
        the function's signature for type checking.
    """
    # ``_nrt`` is an option numba's typing stubs do not list
    if inline == "never":
        return numba.njit(cache=True, _nrt=False)  # type: ignore[call-overload, unused-ignore]
    return numba.njit(cache=True, _nrt=False, inline=inline)  # type: ignore[call-overload, unused-ignore]
