"""Functions that create new tensors (leaves of a graph) from shapes and values.

Each mirrors the NumPy function of the same name and adds ``constant=``.  None
of them is differentiable: a created tensor starts a graph, it does not extend
one (tensor arguments such as ``linspace``'s endpoints are read as values).
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from mygrad_c._engine import TensorBase
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike, DTypeLikeReals
from mygrad_c._numpy_protocols import implements_numpy_override  # noqa: F401 (as in MyGrad's module)

__all__ = [
    "arange", "empty", "empty_like", "eye", "full", "full_like", "geomspace", "identity",
    "linspace", "logspace", "ones", "ones_like", "zeros", "zeros_like",
]

Shape = Union[int, Sequence[int]]


def _wrap(arr: np.ndarray, constant: Optional[bool]) -> Tensor:
    return Tensor(arr, constant=constant, copy=False)


def _values(x):
    """Tensors given as values (shapes, endpoints, fill values) are read as arrays."""
    return x.data if isinstance(x, TensorBase) else x


def _like_dtype(other, dtype):
    if dtype is not None:
        return dtype
    return np.asarray(_values(other)).dtype


def _like_array(other):
    """What NumPy's ``*_like`` takes after: also its memory layout (a transposed or broadcast
    input gives a result laid out like it, as in MyGrad)."""
    return np.asarray(_values(other))


def _like_constant(other, dtype, constant):
    """As in MyGrad: a ``*_like`` float tensor inherits a tensor's constant flag; arrays give constants."""
    if constant is not None or np.dtype(dtype).kind != "f":
        return constant
    return other.constant if isinstance(other, TensorBase) else True


def empty(shape: Shape, dtype=np.float32, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of the given shape and dtype (default float32) with uninitialised data.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.empty((2, 3)).shape
    (2, 3)
    """
    return _wrap(np.empty(shape, dtype=dtype), constant)


def empty_like(other, dtype=None, shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """An uninitialised tensor with the shape and dtype of ``other`` (or those given).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.empty_like(mg.tensor([1.0, 2.0])).shape
    (2,)
    """
    return _wrap(np.empty_like(_like_array(other), dtype=_like_dtype(other, dtype), shape=shape),
                 _like_constant(other, _like_dtype(other, dtype), constant))


def ones(shape: Shape, dtype=np.float32, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of ones (default dtype float32).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.ones(2)
    Tensor([1., 1.], dtype=float32)
    """
    return _wrap(np.ones(shape, dtype=dtype), constant)


def ones_like(other, dtype=None, shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of ones with the shape and dtype of ``other`` (or those given).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.ones_like([1.0, 2.0])
    Tensor([1., 1.])
    """
    return _wrap(np.ones_like(_like_array(other), dtype=_like_dtype(other, dtype), shape=shape),
                 _like_constant(other, _like_dtype(other, dtype), constant))


def zeros(shape: Shape, dtype=np.float32, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of zeros (default dtype float32).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.zeros((1, 2))
    Tensor([[0., 0.]], dtype=float32)
    """
    return _wrap(np.zeros(shape, dtype=dtype), constant)


def zeros_like(other, dtype=None, shape: Optional[Shape] = None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor of zeros with the shape and dtype of ``other`` (or those given).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.zeros_like(mg.tensor([1.0, 2.0]))
    Tensor([0., 0.])
    """
    return _wrap(np.zeros_like(_like_array(other), dtype=_like_dtype(other, dtype), shape=shape),
                 _like_constant(other, _like_dtype(other, dtype), constant))


def full(shape: Shape, fill_value, dtype=None, *, constant: Optional[bool] = None) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from it by default).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.full((2,), 3.0)
    Tensor([3., 3.])
    """
    return _wrap(np.full(shape, _values(fill_value), dtype=dtype), constant)


def full_like(other, fill_value, dtype=None, shape: Optional[Shape] = None,
              constant: Optional[bool] = None) -> Tensor:
    """A tensor like ``other`` filled with ``fill_value`` (cast to ``other``'s dtype).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.full_like([1, 2], 2.5)
    Tensor([2, 2])
    """
    return _wrap(np.full_like(_like_array(other), _values(fill_value), dtype=_like_dtype(other, dtype),
                              shape=shape),
                 _like_constant(other, _like_dtype(other, dtype), constant))


def eye(N: int, M: Optional[int] = None, k: int = 0, dtype=float, *, constant: Optional[bool] = None) -> Tensor:
    """A 2-D tensor with ones on the ``k``-th diagonal and zeros elsewhere.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.eye(2)
    Tensor([[1., 0.],
            [0., 1.]])
    """
    return _wrap(np.eye(N, M, k=k, dtype=dtype), constant)


def identity(n: int, dtype=float, *, constant: Optional[bool] = None) -> Tensor:
    """The ``n`` x ``n`` identity tensor.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.identity(2)
    Tensor([[1., 0.],
            [0., 1.]])
    """
    return _wrap(np.identity(n, dtype=dtype), constant)


def arange(*args, constant: Optional[bool] = None, **kwargs) -> Tensor:
    """Evenly spaced values in a half-open interval, as ``numpy.arange``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.arange(3)
    Tensor([0, 1, 2])
    >>> mg.arange(0.0, 1.0, 0.5)
    Tensor([0. , 0.5])
    """
    args = tuple(_values(a) for a in args)
    kwargs = {k: _values(v) for k, v in kwargs.items()}
    return _wrap(np.arange(*args, **kwargs), constant)


def linspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0, *,
             constant: Optional[bool] = None) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop``, as ``numpy.linspace``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.linspace(0, 1, 3)
    Tensor([0. , 0.5, 1. ])

    As MyGrad's, it takes numbers and arrays as ``start`` and ``stop``, not tensors
    (NumPy raises its TypeError: no implementation of ``numpy.linspace`` for tensors);
    so do ``logspace`` and ``geomspace``.
    """
    return _wrap(np.linspace(start, stop, num=num, endpoint=endpoint, dtype=dtype,
                             axis=axis), constant)


def logspace(start, stop, num: int = 50, endpoint: bool = True, base: float = 10, dtype=None, axis: int = 0,
             *, constant: Optional[bool] = None) -> Tensor:
    """Values evenly spaced on a log scale: ``base ** linspace(start, stop)``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.logspace(0, 2, 3)
    Tensor([  1.,  10., 100.])
    """
    return _wrap(np.logspace(start, stop, num=num, endpoint=endpoint, base=base,
                             dtype=dtype, axis=axis), constant)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0, *,
              constant: Optional[bool] = None) -> Tensor:
    """A geometric progression from ``start`` to ``stop``, as ``numpy.geomspace``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.geomspace(1, 100, 3)
    Tensor([  1.,  10., 100.])
    """
    return _wrap(np.geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype,
                              axis=axis), constant)
