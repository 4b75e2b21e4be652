"""Miscellaneous math: maximum, minimum, clip, and NumPy's non-differentiable ufuncs.

``maximum`` and ``minimum`` are ufunc-like ops.  At a tie neither input gets a
gradient, and where an input is nan the gradient goes to the second input (as
in MyGrad).  ``clip(a, lo, hi)`` is ``minimum(hi, maximum(lo, a))``, so the
bounds receive gradient where they are selected and ``a`` gets none at a bound.

Functions without a useful derivative (``sign``, ``floor``, comparisons, logical
ops, ...) are NumPy's ufuncs themselves, as in MyGrad (``mg.ceil is np.ceil``):
applied to tensors they return plain arrays.
"""
from __future__ import annotations

from typing import Optional, Union

import numpy as np

from mygrad_c._engine import check_constant
from mygrad_c.math.arithmetic import _X1X2, _doc
from mygrad_c.tensor_base import Tensor, tensor
from mygrad_c.typing import ArrayLike
from mygrad_c.ufuncs import BinaryUfunc, make_ufunc

# NumPy's own ufuncs, re-exported unchanged (not differentiable)
from numpy import (  # noqa: F401
    ceil, divmod, equal, floor, floor_divide, fmod, greater, greater_equal, isfinite, isinf, isnan,
    isnat, less, less_equal, logical_and, logical_not, logical_or, logical_xor, mod, not_equal,
    remainder, rint, sign, signbit, trunc,
)

_NUMPY_UFUNCS = [
    "ceil", "divmod", "equal", "floor", "floor_divide", "fmod", "greater", "greater_equal", "isfinite",
    "isinf", "isnan", "isnat", "less", "less_equal", "logical_and", "logical_not", "logical_or",
    "logical_xor", "mod", "not_equal", "remainder", "rint", "sign", "signbit", "trunc",
]

__all__ = ["maximum", "minimum", "clip"] + _NUMPY_UFUNCS


class Maximum(BinaryUfunc):
    """f(a, b) = max(a, b);  df/da = [a > b], df/db = [not a >= b]  (ties: 0 to both; nan: to b)"""

    numpy_ufunc = np.maximum

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        return grad * (np.greater(a, b) if index == 0 else np.logical_not(np.greater_equal(a, b)))


class Minimum(BinaryUfunc):
    """f(a, b) = min(a, b);  df/da = [a < b], df/db = [not a <= b]  (ties: 0 to both; nan: to b)"""

    numpy_ufunc = np.minimum

    def _derivative(self, grad, index):
        a, b = (v.data for v in self.variables)
        return grad * (np.less(a, b) if index == 0 else np.logical_not(np.less_equal(a, b)))


maximum = make_ufunc("maximum", Maximum, _doc(
    "The elementwise maximum of two tensors (nan if either is nan).\n\n"
    "Where ``x1 == x2`` neither input receives a gradient.", _X1X2,
    ">>> x = mg.tensor([1.0, 5.0])\n>>> y = mg.maximum(x, 2.0)\n>>> y\nTensor([2., 5.])\n"
    ">>> y.backward()\n>>> x.grad\narray([0., 1.])"))
minimum = make_ufunc("minimum", Minimum, _doc(
    "The elementwise minimum of two tensors (nan if either is nan).\n\n"
    "Where ``x1 == x2`` neither input receives a gradient.", _X1X2,
    ">>> x = mg.tensor([1.0, 5.0])\n>>> y = mg.minimum(x, 2.0)\n>>> y\nTensor([1., 2.])\n"
    ">>> y.backward()\n>>> x.grad\narray([1., 0.])"))


def _check_first_step(a, a_min, out, constant) -> None:
    """MyGrad's clip computes ``maximum(a_min, a)`` into ``out`` too (and then fails on the
    locked result, see docs/bugs-bad-input.md): the errors of that first step come first -
    an ``a_min`` that is no tensor data, a target it does not fit, an invalid ``constant`` -
    before anything about ``a_max``.  Checked here on scratch memory."""
    target = out.data if isinstance(out, Tensor) else out
    if not isinstance(target, np.ndarray):
        return
    lo, x = ((v if isinstance(v, Tensor) else tensor(v, copy=False)).data for v in (a_min, a))
    scratch = np.empty_like(target)
    scratch.flags.writeable = target.flags.writeable   # (NumPy's read-only error, too)
    np.maximum(lo, x, out=scratch)
    check_constant(constant)


def clip(a: ArrayLike, a_min: Optional[ArrayLike], a_max: Optional[ArrayLike],
         out: Union[np.ndarray, Tensor, None] = None, *, constant: Optional[bool] = None) -> Tensor:
    """Clip (limit) the values of a tensor to the interval ``[a_min, a_max]``.

    Computed as ``minimum(a_max, maximum(a_min, a))``: values of ``a`` outside
    the interval become the nearest bound.  ``a`` receives gradient only where
    it lies strictly inside the interval (or is nan); a bound that is a tensor
    receives gradient where it was selected.  If ``a_min > a_max`` every value
    becomes ``a_max``.

    Parameters
    ----------
    a : ArrayLike
        The values to clip.
    a_min, a_max : ArrayLike | None
        The lower and upper bounds (broadcast against ``a``); ``None`` means no
        bound on that side.  If both are None, ``a`` is returned as a tensor,
        unchanged (MyGrad behaves so; ``out`` and ``constant`` are then ignored).
    out : numpy.ndarray | Tensor, optional
        Where to write the result; a tensor target is updated in place (differentiably).
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([-2.0, 0.5, 3.0])
    >>> y = mg.clip(x, -1, 1)
    >>> y
    Tensor([-1. ,  0.5,  1. ])
    >>> y.backward()
    >>> x.grad
    array([0., 1., 0.])
    """
    if a_min is None and a_max is None:
        return a if isinstance(a, Tensor) else tensor(a, copy=False)
    result = a
    if a_min is not None and a_max is not None and out is not None:
        _check_first_step(a, a_min, out, constant)
    if a_min is not None:
        result = maximum(a_min, result, out=out if a_max is None else None, constant=constant)
    if a_max is not None:
        result = minimum(a_max, result, out=out, constant=constant)
    return result
