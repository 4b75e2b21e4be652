"""Vector norms: ``linalg.norm``.

As in MyGrad, only vector norms are differentiable (any real ``ord`` except 0,
including ``inf`` and ``-inf``, along one axis or over the flattened tensor when
``ord`` is None); matrix norms and ``ord=0`` raise ``NotImplementedError``.
The forward value and the validation of ``ord``/``axis`` are NumPy's.
"""
from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING, Optional, Union

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.operation_base import Operation

if TYPE_CHECKING:  # pragma: no cover
    from mygrad_c.tensor_base import Tensor
    from mygrad_c.typing import ArrayLike

__all__ = ["norm"]


def _normalize_axis(axis, ndim: int):
    """``axis`` as None or a tuple of non-negative ints (NumPy validates the values)."""
    if axis is None:
        return None
    if not isinstance(axis, tuple):
        axis = (axis,)
    return tuple(int(a) % ndim if ndim else int(a) for a in axis)


class Norm(Operation):
    """f(x) = ||x||_p along an axis (or over all of x when ord is None).

    For finite p: df/dx = sign(x) * (|x| / f) ** (p - 1), which is x / f for p = 2
    and sign(x) for p = 1.  ``sign`` at x == 0 is 0 when ``nan_to_num`` (else nan,
    the value of x / |x|).  For p = +-inf, f is the max/min of |x|, and the
    gradient is sign(x) at the first position that attains it, 0 elsewhere.
    """

    def __call__(self, x, ord=None, axis=None, keepdims=False, nan_to_num=True):
        self.variables = (x,)
        infinite = isinstance(ord, (int, float, np.number)) and not isinstance(ord, bool) and np.isinf(ord)
        if infinite:
            if not isinstance(keepdims, (bool, Integral)):  # (NumPy's error from MyGrad's max)
                raise TypeError(f"'{type(keepdims).__name__}' object cannot be interpreted as an integer")
            out = self._max_abs(x.data, ord, axis, keepdims)
        else:
            out = np.linalg.norm(x.data, ord=ord, axis=axis, keepdims=keepdims)  # validates ord/axis
        if isinstance(axis, np.ndarray) and axis.ndim == 0:
            raise TypeError("len() of unsized object")   # (MyGrad takes the length of an array axis)
        if ord is not None and not isinstance(ord, str) and ord == 0:
            raise NotImplementedError("mygrad_c.linalg.norm(..., ord=0) is not a differentiable operation")
        if not keepdims and axis is not None and not isinstance(axis, (tuple, Integral)):
            np.expand_dims(out, axis)   # MyGrad's step that needs a true integer: its TypeError
        ndim = x.data.ndim
        axes = _normalize_axis(axis, ndim)
        if not infinite and ((axes is not None and len(axes) == 2) or (axes is None and ord is not None and ndim == 2)):
            raise NotImplementedError("mygrad_c.linalg.norm does not support matrix norms")
        self.ord = 2.0 if ord is None else float(ord)
        self.axis, self.keepdims = axis, keepdims  # (MyGrad's attributes: ord, axis, keepdims)
        self._axes = tuple(range(ndim)) if axes is None or ndim == 0 else axes
        self._nan_to_num = nan_to_num
        self._norm = np.asarray(out)
        return out

    def _max_abs(self, data, ord, axis, keepdims):
        """max (min, for -inf) of |x| over ``axis`` - over all of x when it is None, whatever
        x's number of dimensions except 2 (a matrix norm), as MyGrad computes these norms
        (except that the max over an empty axis is NumPy's 0, where MyGrad raises) -
        and which element attains it (the first, in C order): the forward's pick, as
        MyGrad's max of |x| keeps it (the sign is read off x in backward, as its abs does)."""
        ndim = data.ndim
        absx = np.abs(data)
        if ord > 0:
            # (the max of no |x| is 0, NumPy's value for an empty vector: MyGrad raises there)
            extreme = np.max(absx, axis=axis, keepdims=True, initial=0.0)
        else:
            extreme = np.min(absx, axis=axis, keepdims=True)  # (of nothing: NumPy's ValueError)
        if (isinstance(axis, tuple) and len(axis) != 1) or (axis is None and ndim == 2):
            raise NotImplementedError("mygrad_c.linalg.norm does not support matrix norms")
        if isinstance(axis, tuple):
            axis = axis[0]
        # the first element attaining the extreme (a nan, if there is one), as MyGrad's max
        pick = np.argmax if ord > 0 else np.argmin
        self._picked = np.zeros(data.shape, dtype=bool)
        if (ndim == 0 or axis is None) and data.size:
            self._picked.flat[pick(absx)] = True
        elif data.size:
            axis = int(axis) % ndim
            np.put_along_axis(self._picked, np.expand_dims(pick(absx, axis=axis), axis), True, axis=axis)
        if keepdims:
            return extreme
        return extreme.reshape(()) if axis is None or ndim == 0 else np.squeeze(extreme, axis=axis)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[0].data
        grad, n = np.asarray(grad), self._norm
        if not self.keepdims:  # restore the reduced axes so that grad/norm broadcast against x
            shape = tuple(1 if i in self._axes else s for i, s in enumerate(x.shape))
            grad, n = grad.reshape(shape), n.reshape(shape)
        p = self.ord
        if x.size == 0:
            return np.zeros(x.shape, dtype=np.result_type(x.dtype, grad.dtype))
        if np.isinf(p):
            # MyGrad's max backward (the gradient to the picked element), then its abs
            # backward (times sign(x), 0 at nan: -0.0 for a negative element not picked)
            return np.where(self._picked, grad, 0) * np.nan_to_num(np.sign(x))
        if p not in (1, 2) and self.axis is not None and not isinstance(self.axis, tuple) \
                and (isinstance(self.axis, bool) or not isinstance(self.axis, Integral)):
            np.sum(x, axis=self.axis)   # MyGrad's backward sums over `axis` as given: NumPy's TypeError
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            absx = np.abs(x)
            sign = np.sign(x) if self._nan_to_num else x / absx
            if p == 1:
                return grad * sign
            if p == 2:
                return grad * sign * (absx / n)
            return grad * sign * (absx / n) ** (p - 1)


def norm(x: "ArrayLike", ord: Optional[Union[int, float]] = None,
         axis: Optional[Union[int, tuple[int]]] = None, keepdims: bool = False, *,
         nan_to_num: bool = True, constant: Optional[bool] = None) -> "Tensor":
    """Vector norm of a tensor, differentiable (like ``numpy.linalg.norm``).

    Parameters
    ----------
    x : ArrayLike
        The input.  With ``axis=None`` it must be 1-D, unless ``ord`` is None (the
        2-norm of the flattened tensor).
    ord : int | float, optional
        The order of the norm: ``sum(abs(x)**ord)**(1/ord)`` for finite nonzero
        ``ord`` (including fractional and negative values); ``inf``/``-inf`` give
        ``max(abs(x))``/``min(abs(x))``.  Default: the 2-norm.  ``ord=0`` and matrix
        norms (two axes, or a 2-D ``x`` with ``axis=None`` and an explicit ``ord``)
        raise ``NotImplementedError``.
    axis : int | tuple[int], optional
        The axis along which to compute vector norms.
    keepdims : bool, default False
        Keep the reduced axis with length 1.
    nan_to_num : bool, default True (keyword-only)
        Where an element of ``x`` is 0, the sign factor ``x / |x|`` of the derivative
        is taken as 0 instead of nan.
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([3.0, -4.0, 0.0])
    >>> n = mg.linalg.norm(x)
    >>> n
    Tensor(5.)
    >>> n.backward()
    >>> x.grad
    array([ 0.6, -0.8,  0. ])
    >>> mg.linalg.norm([[1.0, -2.0], [3.0, 4.0]], ord=1, axis=1)
    Tensor([3., 7.])
    """
    if axis is not None and not isinstance(axis, (tuple, Integral)):
        # NumPy's norm reads a single axis with int(): 1.5 or "1" is axis 1 (MyGrad's value
        # where keepdims is true; without it, its TypeError - see Norm.__call__)
        try:
            int(axis)
        except (TypeError, ValueError):
            raise TypeError("'axis' must be None, an integer or a tuple of integers") from None
    return execute_op(Norm, x, op_kwargs=dict(ord=ord, axis=axis, keepdims=keepdims, nan_to_num=nan_to_num),
                      constant=constant)
