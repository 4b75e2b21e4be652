"""Type aliases for annotating code that uses mygrad_c (the names of ``mygrad.typing``).

- ``ArrayLike``: anything that can become a tensor (tensors, arrays, nested
  sequences of numbers, scalars, objects with ``__array__``).
- ``DTypeLike`` / ``DTypeLikeReals``: what a ``dtype=`` argument accepts.
- ``Shape``: a sequence of ints; ``Index``: what ``tensor[...]`` accepts;
  ``Mask``: a ``where=`` argument; ``Real``: a Python int or float.

For a static type checker these are the unions below.  At run time
``ArrayLike``, ``DTypeLikeReals`` and ``Shape`` are empty marker classes, so that
signatures print as ``x: ArrayLike`` instead of a page-long union (as in MyGrad).

Examples
--------
>>> from mygrad_c.typing import ArrayLike
>>> import mygrad_c as mg
>>> def double(x: ArrayLike) -> mg.Tensor:
...     return 2 * mg.astensor(x)
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Sequence, TypeVar, Union, runtime_checkable

import numpy as np

__all__ = ["ArrayLike", "DTypeLike", "DTypeLikeReals", "Index", "Mask", "Real", "Shape"]


@runtime_checkable
class ImplementsArray(Protocol):
    """An object that NumPy can turn into an array through ``__array__``."""

    def __array__(self, dtype=None):  # pragma: no cover - protocol
        ...


Real = Union[int, float]

_SequenceNDReals = Union[Sequence[Real], Sequence[Sequence[Real]],
                         Sequence[Sequence[Sequence[Real]]], Sequence[Sequence[Sequence[Sequence[Real]]]]]
_SequenceNDBools = Union[Sequence[bool], Sequence[Sequence[bool]],
                         Sequence[Sequence[Sequence[bool]]], Sequence[Sequence[Sequence[Sequence[bool]]]]]

DTypeLike = TypeVar("DTypeLike", bound=Union[np.dtype, None, type, str])
Mask = TypeVar("Mask", bound=Union[ImplementsArray, np.ndarray, "Tensor", bool, _SequenceNDBools])
Index = Union[int, None, slice, ImplementsArray, np.ndarray, type(Ellipsis), Sequence[int],
              "tuple[Index, ...]", "list[Index]"]

if TYPE_CHECKING:  # pragma: no cover
    from mygrad_c.tensor_base import Tensor

    ArrayLike = Union[Real, "Tensor", np.ndarray, ImplementsArray, _SequenceNDReals]
    DTypeLikeReals = Union[np.dtype, None, type]
    Shape = Sequence[int]
else:

    class ArrayLike:
        """Marker for anything convertible to a tensor (see the module docstring)."""

    class DTypeLikeReals:
        """Marker for a real-valued dtype specifier (``np.float32``, ``"float64"``, ...)."""

    class Shape:
        """Marker for a shape: a sequence of ints."""
