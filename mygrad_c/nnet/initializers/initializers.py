"""The initializers.  Fan sizes follow MyGrad: for a shape ``(out, in, *k)``,
``fan_in = in * prod(k)`` and ``fan_out = out * prod(k)``."""
from __future__ import annotations

from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase
from mygrad_c.tensor_base import Tensor

__all__ = ["constant", "dirac", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "normal",
           "uniform"]


class ZeroFanError(ValueError, OverflowError, ZeroDivisionError):
    """A weight shape whose fan sizes are 0: the bound/std would be infinite.  MyGrad raises
    OverflowError or ZeroDivisionError here, so this is both (and a ValueError)."""


def _check_bound(lo, hi):
    """MyGrad's check, with Python truth semantics (an array of several bounds is ambiguous)."""
    if lo >= hi:
        raise ValueError("Uniform lower bound cannot be greater than upper bound")


def _check_std(std):
    if std < 0:
        raise ValueError("Standard deviation must be non-negative")


def _shape(shape: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` mean the same shape; ``f(None)`` is a 0-d shape (as NumPy's size=None)."""
    if len(shape) == 1 and shape[0] is None:
        return ()
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) else shape


def _value(x):
    return x.data if isinstance(x, TensorBase) else x


def _require_float(dtype, name: str) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{name} initialization requires a floating-point dtype")
    return dtype


def _weight_shape(shape: tuple, name: str) -> tuple:
    """Shapes of weights: at least 2-D (MyGrad fails on ``len()`` of a single int)."""
    if len(shape) == 1:
        shape = shape[0]
        if isinstance(shape, (int, np.integer)):
            raise TypeError("object of type 'int' has no len()")
        shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(f"{name} initialization requires at least two dimensions")
    return shape


def _fans(shape: tuple):
    rf = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * rf, shape[0] * rf, rf


def _tensor(data: np.ndarray, dtype, constant) -> Tensor:
    return Tensor(np.asarray(data, dtype=dtype), constant=constant, copy=False)


def constant(*shape, value=0.0, dtype=None, constant=None) -> Tensor:
    """A tensor of the given shape filled with ``value``.

    Parameters
    ----------
    *shape : int | tuple[int, ...]
        The shape (``constant(2, 3)`` or ``constant((2, 3))``).
    value : Real, default 0.0
        The fill value.
    dtype : DTypeLikeReals, optional
        Default: inferred from ``value`` (float64 for 0.0).
    constant : bool, optional
        If True, the tensor is a constant (integer tensors always are).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import constant
    >>> constant(2, 3, value=1.5)
    Tensor([[1.5, 1.5, 1.5],
            [1.5, 1.5, 1.5]])
    """
    if len(shape) == 1 and shape[0] is None:
        raise TypeError("Use () not None as shape arguments")
    return Tensor(np.full(_shape(shape), _value(value), dtype=dtype), constant=constant, copy=False)


def dirac(*shape: int, dtype=np.float32, constant: Optional[bool] = None) -> Tensor:
    """A Dirac-delta filter bank: convolving with it preserves the input channels.

    For shape ``(out, in, *k)``, entry ``[i, i, center]`` is 1 for
    ``i < min(out, in)`` (``center = k // 2`` in each spatial dimension), all else 0.

    Parameters
    ----------
    *shape : int
        At least two dimensions.
    dtype : DTypeLikeReals, default float32
    constant : bool, optional

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If fewer than two dimensions are given.

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import dirac
    >>> dirac(2, 3)
    Tensor([[1., 0., 0.],
            [0., 1., 0.]], dtype=float32)
    """
    shape = _weight_shape(shape, "Dirac")
    out = np.zeros(shape, dtype=dtype)
    m = min(shape[0], shape[1])
    center = tuple(k // 2 for k in shape[2:])
    idx = np.arange(m)
    out[(idx, idx) + center] = 1
    return Tensor(out, constant=constant, copy=False)


def normal(*shape, mean=0, std=1, dtype=np.float32, constant=None) -> Tensor:
    """A tensor drawn from the normal distribution ``N(mean, std**2)``.

    Parameters
    ----------
    *shape : int | tuple[int, ...]
    mean : Real, default 0
    std : Real, default 1 (non-negative)
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import normal
    >>> normal(2, 3, std=0.1).shape
    (2, 3)
    """
    dtype = _require_float(dtype, "Normal")
    std = _value(std)
    _check_std(std)
    return _tensor(np.random.normal(_value(mean), std, _shape(shape)), dtype, constant)


def uniform(*shape, lower_bound=0, upper_bound=1, dtype=np.float32, constant=None) -> Tensor:
    """A tensor drawn uniformly from ``[lower_bound, upper_bound)``.

    Parameters
    ----------
    *shape : int | tuple[int, ...]
    lower_bound, upper_bound : Real, default 0 and 1
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import uniform
    >>> w = uniform(100, lower_bound=-1, upper_bound=1)
    >>> bool((w.data >= -1).all() and (w.data < 1).all())
    True
    """
    dtype = _require_float(dtype, "Uniform")
    lo, hi = _value(lower_bound), _value(upper_bound)
    _check_bound(lo, hi)
    return _tensor(np.random.uniform(lo, hi, _shape(shape)), dtype, constant)


def glorot_normal(*shape, gain=1, dtype=np.float32, constant=None) -> Tensor:
    """Glorot (Xavier) normal initialization: ``N(0, std**2)``.

    ``std = gain * sqrt(2 / ((shape[0] + shape[1]) * r))`` where ``r`` is the size
    of the last dimension for weights of more than two dimensions (as in MyGrad).

    Parameters
    ----------
    *shape : int | tuple[int, ...]
        At least two dimensions.
    gain : Real, default 1
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import glorot_normal
    >>> glorot_normal(3, 4).dtype
    dtype('float32')
    """
    dtype = _require_float(dtype, "Glorot Normal")
    shape = _weight_shape(shape, "Glorot Normal")
    r = shape[-1] if len(shape) > 2 else 1
    std = _value(gain) * np.sqrt(2 / ((shape[0] + shape[1]) * r))
    return _tensor(np.random.normal(0, std, shape), dtype, constant)


def glorot_uniform(*shape, gain=1, dtype=np.float32, constant=None) -> Tensor:
    """Glorot (Xavier) uniform initialization: ``U(-b, b)``, ``b = gain * sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    *shape : int | tuple[int, ...]
        At least two dimensions.
    gain : Real, default 1
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import glorot_uniform
    >>> glorot_uniform(3, 4).shape
    (3, 4)
    """
    dtype = _require_float(dtype, "Glorot Uniform")
    shape = _weight_shape(shape, "Glorot Uniform")
    fan_in, fan_out, _ = _fans(shape)
    if fan_in + fan_out == 0:
        raise ZeroFanError(f"Range exceeds valid bounds: fan_in + fan_out is 0 for the shape {shape}")
    bound = _value(gain) * np.sqrt(6 / (fan_in + fan_out))
    _check_bound(-bound, bound)
    return _tensor(np.random.uniform(-bound, bound, shape), dtype, constant)


def he_normal(*shape, gain=1, dtype=np.float32, constant=None) -> Tensor:
    """He (Kaiming) normal initialization: ``N(0, std**2)``, ``std = gain / sqrt(fan_in)``.

    Parameters
    ----------
    *shape : int | tuple[int, ...]
        At least two dimensions.
    gain : Real, default 1
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import he_normal
    >>> he_normal(16, 3, 3, 3).shape
    (16, 3, 3, 3)
    """
    dtype = _require_float(dtype, "He Normal")
    shape = _weight_shape(shape, "He Normal")
    fan_in, _, _ = _fans(shape)
    with np.errstate(divide="ignore"):
        std = _value(gain) / np.sqrt(fan_in)
    _check_std(std)
    return _tensor(np.random.normal(0, std, shape), dtype, constant)


def he_uniform(*shape, gain=1, dtype=np.float32, constant=None) -> Tensor:
    """He (Kaiming) uniform initialization, with MyGrad's bound:
    ``U(-b, b)``, ``b = gain * sqrt(shape[1] / (3 * r))`` where ``r`` is the product of
    the spatial dimensions (this reproduces MyGrad 2.5 exactly, including its scale).

    Parameters
    ----------
    *shape : int | tuple[int, ...]
        At least two dimensions.
    gain : Real, default 1
    dtype : DTypeLikeReals, default float32 (must be floating)
    constant : bool, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> from mygrad_c.nnet.initializers import he_uniform
    >>> he_uniform(4, 3).shape
    (4, 3)
    """
    dtype = _require_float(dtype, "He Uniform")
    shape = _weight_shape(shape, "He Uniform")
    _, _, rf = _fans(shape)
    if rf == 0:
        raise ZeroFanError(f"Range exceeds valid bounds: the receptive field is empty for the shape {shape}")
    bound = _value(gain) * np.sqrt(shape[1] / (3 * rf))
    _check_bound(-bound, bound)
    return _tensor(np.random.uniform(-bound, bound, shape), dtype, constant)
