"""Reductions and sequential operations: sum, mean, var, std, prod, cumsum,
cumprod, max/min (amax/amin), plus the non-differentiable argmax, argmin, any
and the n-ary add_sequence / multiply_sequence.

Each operation is a small ``Operation`` whose forward pass is one NumPy call
(which also validates ``axis``, raising NumPy's AxisError/ValueError/TypeError)
and whose ``backward_var`` sits right below it.  A reduction's backward pass
first puts back the reduced axes as length-1 axes (``_keepdims_grad``) and then
lets broadcasting spread the gradient over them.
"""
from __future__ import annotations

from functools import reduce
from typing import Optional, Tuple, Union

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c._parallel import whole_sum
from mygrad_c.operation_base import Operation

__all__ = [   # (the op classes, Sequential and MaxMin among them, are reached by name)
    "sum", "mean", "var", "std", "amax", "amin", "max", "min", "prod", "cumprod", "cumsum",
    "argmax", "argmin", "any", "add_sequence", "multiply_sequence",
]

Axis = Union[None, int, Tuple[int, ...]]
_NoValue = np._NoValue  # "not given", as in NumPy's and MyGrad's signatures

_builtin_sum = sum
_SUMMED_AS_IS = (np.dtype(np.float32), np.dtype(np.float64))   # (np.mean sums others in another dtype)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _reduced_axes(axis: Axis, ndim: int) -> Tuple[int, ...]:
    """The reduced axes as sorted non-negative ints (``axis`` was validated by NumPy)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        return tuple(sorted(int(a) % ndim for a in axis)) if ndim else ()
    return (int(axis) % ndim,) if ndim else ()


def _keepdims_shape(shape: tuple, axes: Tuple[int, ...]) -> tuple:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _keepdims_grad(grad: np.ndarray, shape: tuple, axes: Tuple[int, ...]) -> np.ndarray:
    """``grad`` of a reduction over ``axes``, with those axes restored as length 1.

    Restored where they were in ``grad``'s own shape, as MyGrad restores them (and so not
    by reshaping to the input's shape with 1's): the same array, unless the input's
    ``.shape`` was set under ``no_autodiff`` since - then MyGrad's gradient follows (a
    sum's is right; other reductions then give MyGrad's numbers or its error)."""
    if grad.ndim == len(shape):     # (keepdims=True, or no axis reduced)
        return grad
    kshape = list(grad.shape)
    for axis in axes:               # (sorted: each 1 lands at its final position)
        kshape.insert(axis, 1)
    return grad.reshape(kshape)


def _drop_axes(kept: np.ndarray, axis: Axis) -> np.ndarray:
    """A keepdims=True reduction result without its reduced (length-1) axes: an array of
    its own, as NumPy's reduction gives (not a view of ``kept``: a view's ``.base`` shows,
    e.g. a squeeze of it is then a view in MyGrad's rules)."""
    axes = _reduced_axes(axis, kept.ndim)
    return kept.reshape([n for i, n in enumerate(kept.shape) if i not in axes]).copy()


def _broadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """``np.broadcast_to(g, shape)``; for a one-element ``g`` (a whole reduction's gradient)
    the read-only view that repeats it (all strides 0) is made directly, without
    broadcast_to's Python layer."""
    if g.size == 1:
        try:
            out = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
        except (TypeError, ValueError, BufferError):   # (a value whose buffer is not exported)
            return np.broadcast_to(g, shape)
        out.flags.writeable = False
        return out
    return np.broadcast_to(g, shape)


def _count(shape: tuple, axes: Tuple[int, ...]) -> int:
    """How many elements each output of a reduction over ``axes`` combines."""
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _reverse_cumsum(a: np.ndarray, axis: int) -> np.ndarray:
    """``out[i] = sum(a[i:])`` along ``axis``."""
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


# ---------------------------------------------------------------------------
# the base class (MyGrad's ``operation_base.Sequential``)
# ---------------------------------------------------------------------------
class Sequential(Operation):
    """Base of the reductions and cumulative operations (``sum``, ``cumsum``, ...).

    Its instances carry MyGrad's attributes after the forward pass: ``axis`` (an
    int axis becomes a 1-tuple unless ``_integer_axis_only``), ``keepdims``,
    ``initial`` and ``ddof`` (``np._NoValue`` where not given) and
    ``out_shape``.  A user subclass sets ``numpy_func`` and writes
    ``backward_var``, as in MyGrad; mygrad_c's own subclasses write their own
    ``__call__`` and record the attributes with ``_record``.

    Examples
    --------
    >>> import numpy as np
    >>> import mygrad_c as mg
    >>> from mygrad_c.operation_base import Sequential
    >>> class Total(Sequential):
    ...     numpy_func = staticmethod(np.sum)
    ...     def backward_var(self, grad, index, **kwargs):
    ...         return np.broadcast_to(grad, self.variables[0].shape)
    >>> x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> y = mg.execute_op(Total, x, op_kwargs={"axis": 1})
    >>> y, y.creator.axis, y.creator.out_shape
    (Tensor([3., 7.]), (1,), (2,))
    """

    _integer_axis_only = False
    keepdims = initial = ddof = _NoValue  # (instances record what they were given)

    def __call__(self, a, axis=None, dtype=None, out=None, keepdims=_NoValue, initial=_NoValue, *,
                 where=_NoValue, ddof=_NoValue):
        self.variables = (a,)
        if where is not True and where is not _NoValue:
            self.where = where
        self._record(axis, keepdims, ddof)
        self.initial = initial
        given = dict(keepdims=keepdims, initial=initial, where=where, ddof=ddof)
        kwargs = {k: v for k, v in given.items() if v is not _NoValue}
        if dtype is not _NoValue:
            kwargs["dtype"] = dtype
        result = self.numpy_func(a.data, axis=axis, out=out, **kwargs)
        self.out_shape = np.shape(result)
        return result

    def _record(self, axis, keepdims=_NoValue, ddof=_NoValue):
        """Store ``axis`` (as MyGrad normalises it), ``keepdims`` and ``ddof``."""
        if not self._integer_axis_only and axis is not None and not hasattr(axis, "__iter__"):
            axis = (axis,)
        self.axis = axis
        self.keepdims = keepdims
        self.ddof = ddof


# ---------------------------------------------------------------------------
# reductions
# ---------------------------------------------------------------------------
class _Reduction(Sequential):
    """Base of the reductions: the reduced axes and ``grad`` shaped for broadcasting back."""

    def _grad_and_axes(self, grad):
        x = self.variables[0].data
        axes = _reduced_axes(self.axis, x.ndim)
        return x, axes, _keepdims_grad(np.asarray(grad), x.shape, axes)


class Sum(_Reduction):
    """f(x) = sum of x over ``axis``;  df/dx_i = 1 (the gradient is broadcast back)."""

    numpy_func = staticmethod(np.sum)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None, keepdims=False):
        self.variables = (x,)
        self._record(axis, keepdims)
        out = whole_sum(x.data) if axis is None and keepdims is False else None   # (large: threads)
        if out is None:
            out = np.add.reduce(x.data, axis=axis, keepdims=keepdims)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        x, _, g = self._grad_and_axes(grad)
        return _broadcast(g, x.shape)


class Mean(_Reduction):
    """f(x) = mean of x over ``axis``;  df/dx_i = 1 / N (N elements per mean)."""

    numpy_func = staticmethod(np.mean)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None, keepdims=False):
        self.variables = (x,)
        self._record(axis, keepdims)
        data = x.data
        if axis is None and keepdims is False and data.size and data.dtype in _SUMMED_AS_IS:
            # np.mean's own steps for a whole float32/float64 array (its sum, divided by
            # the count as an intp, in the sum's type), without its Python layer
            total = whole_sum(data)
            if total is None:
                total = np.add.reduce(data, axis=None)
            out = total.dtype.type(total / np.intp(data.size))
        else:
            out = np.mean(data, axis=axis, keepdims=keepdims)
        self.out_shape = np.shape(out)
        return out

    def backward_var(self, grad, index, **kwargs):
        x, axes, g = self._grad_and_axes(grad)
        n = _count(x.shape, axes)
        return _broadcast(g / n if n else g, x.shape)


class Variance(_Reduction):
    """f(x) = sum((x - mean(x))**2) / (N - ddof);  df/dx_i = 2 (x_i - mean(x)) / (N - ddof)"""

    numpy_func = staticmethod(np.var)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None, keepdims=False, ddof=0):
        self.variables = (x,)
        self._record(axis, keepdims, ddof)
        out = np.var(x.data, axis=axis, keepdims=keepdims, ddof=ddof)
        self.out_shape = np.shape(out)
        return out

    def _no_axes(self) -> bool:
        return isinstance(self.axis, (tuple, list)) and len(self.axis) == 0

    def _var_derivative(self, x, axes):
        """2 (x - mean(x)) / (N - ddof): var's derivative, the shared part of var's and
        std's backward (``axis=()``, where nothing varies, is handled by the callers).

        With N == ddof the scale is inf (so 0 * inf = nan), as in MyGrad, which raises
        ZeroDivisionError in that case when ``axis`` is None.  The scale is a Python float
        when ``axis`` is None and a float64 NumPy scalar otherwise, as MyGrad's is: with an
        axis, a float16/float32 gradient is computed in float64 and rounded once, at the
        end (bit for bit MyGrad's).
        """
        n = _count(x.shape, axes)
        if self.axis is None and n == self.ddof:
            raise ZeroDivisionError("float division by zero")
        if x.size == 0:
            return np.zeros(x.shape, dtype=x.dtype)
        scale = 2.0 / (n - self.ddof) if n != self.ddof else np.inf
        if self.axis is not None:
            scale = np.float64(scale)
        with np.errstate(invalid="ignore"):
            return scale * (x - np.mean(x, axis=axes, keepdims=True))

    def backward_var(self, grad, index, **kwargs):
        x, axes, g = self._grad_and_axes(grad)
        if self._no_axes():
            return np.zeros(x.shape, dtype=x.dtype)   # (+0 whatever grad is, as MyGrad)
        return g * self._var_derivative(x, axes)


class StdDev(Variance):
    """f(x) = sqrt(var(x));  df/dx_i = (x_i - mean(x)) / ((N - ddof) f(x))  (nan where f = 0)"""

    numpy_func = staticmethod(np.std)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None, keepdims=False, ddof=0):
        self.variables = (x,)
        self._record(axis, keepdims, ddof)
        std = np.std(x.data, axis=axis, keepdims=True, ddof=ddof)
        _check_keepdims(keepdims)  # (after NumPy's checks of axis and ddof, as in MyGrad)
        out = std if keepdims else _drop_axes(std, axis)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        x, axes, g = self._grad_and_axes(grad)
        if self._no_axes():
            return np.zeros(x.shape, dtype=x.dtype)   # (+0 whatever grad is, as MyGrad)
        # the standard deviation of x as it is now, as MyGrad's backward takes it (the
        # forward's unless x was written under mem_guard_off meanwhile)
        std = np.std(x, axis=axes, keepdims=True, ddof=self.ddof)
        with np.errstate(divide="ignore", invalid="ignore"):
            # g / (2 std) times var's derivative, in that order (MyGrad's rounding)
            return g / (2 * std) * self._var_derivative(x, axes)


class Prod(_Reduction):
    """f(x) = product of x over ``axis``;  df/dx_i = product of the other elements.

    Computed without dividing by zero: with no zero in a slice it is f / x_i; with
    one zero only that element gets a gradient (the product of the rest); with
    two or more zeros every derivative is 0.
    """

    numpy_func = staticmethod(np.prod)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None, keepdims=False):
        self.variables = (x,)
        self._record(axis, keepdims)
        prod = np.multiply.reduce(x.data, axis=axis, keepdims=True)
        out = prod if keepdims else _drop_axes(prod, axis)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        x, axes, g = self._grad_and_axes(grad)
        # MyGrad's prod puts the reduced axes back by reshaping to the input's shape with
        # them as 1's: after the input's .shape was set under no_autodiff that fails
        # (NumPy's ValueError) where the other reductions go on (a no-op otherwise)
        g = g.reshape(_keepdims_shape(x.shape, axes))
        # the product of the input as it is now (the same reduction as the forward's): an
        # input written in place under no_autodiff since then gets, as in MyGrad, the
        # product of its other elements as they are now, not a mix of old and new values
        prod = np.multiply.reduce(x, axis=axes, keepdims=True)   # (axes: () for a 0-d x)
        zero = x == 0
        if not zero.any():
            return g * (prod / x)  # (f / x_i first: g * f can underflow where f / x_i does not)
        n_zeros = np.add.reduce(zero, axis=axes, keepdims=True)
        prod_nonzero = np.multiply.reduce(np.where(zero, 1, x), axis=axes, keepdims=True)
        others = np.where(zero, np.where(n_zeros == 1, prod_nonzero, 0), prod / np.where(zero, 1, x))
        return g * others


class MaxMin(_Reduction):
    """max/min over ``axis``; the gradient goes to the *first* extremal element of each
    slice (in C order over the reduced axes), ties are not split - as MyGrad does.

    The operation class behind ``max``/``amax`` and ``min``/``amin``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    >>> y = mg.max(x, axis=1)
    >>> isinstance(y.creator, mg.math.sequential.ops.MaxMin)
    True
    >>> y.backward()
    >>> x.grad
    array([[0., 1., 0.],
           [1., 0., 0.]])
    """

    _reduce: np.ufunc
    _arg: staticmethod

    def __call__(self, x, axis=None, keepdims=False):
        self.variables = (x,)
        self._record(axis, keepdims)
        out = self._reduce.reduce(x.data, axis=axis, keepdims=keepdims)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        x, axes, g = self._grad_and_axes(grad)
        out = np.zeros(x.shape, dtype=g.dtype)
        if not axes:
            return g
        if len(axes) == x.ndim:  # one winner in the whole array
            out.flat[self._arg(x)] = g.flat[0]
            return out
        if len(axes) == 1:
            idx = self._arg(x, axis=axes[0], keepdims=True)
            np.put_along_axis(out, idx, g, axis=axes[0])
            return out
        # several (not all) axes: move them to the end and flatten them into one
        kept = [i for i in range(x.ndim) if i not in axes]
        moved = np.moveaxis(x, axes, range(-len(axes), 0))
        kept_shape = moved.shape[:len(kept)]
        flat = moved.reshape(kept_shape + (_count(x.shape, axes),))
        idx = self._arg(flat, axis=-1, keepdims=True)
        flat_out = np.zeros(flat.shape, dtype=g.dtype)
        np.put_along_axis(flat_out, idx, g.reshape(kept_shape + (1,)), axis=-1)
        return np.moveaxis(flat_out.reshape(moved.shape), range(-len(axes), 0), axes)


class Max(MaxMin):
    """f(x) = max of x over ``axis``;  df/dx = 1 at the first maximum, 0 elsewhere."""

    numpy_func = staticmethod(np.max)  # (MyGrad's attribute: the NumPy function)
    _reduce = np.maximum
    _arg = staticmethod(np.argmax)


class Min(MaxMin):
    """f(x) = min of x over ``axis``;  df/dx = 1 at the first minimum, 0 elsewhere."""

    numpy_func = staticmethod(np.min)  # (MyGrad's attribute: the NumPy function)
    _reduce = np.minimum
    _arg = staticmethod(np.argmin)


# ---------------------------------------------------------------------------
# cumulative operations
# ---------------------------------------------------------------------------
class _Cumulative(Sequential):
    """Base of cumsum/cumprod: ``axis=None`` works on the flattened input."""

    _integer_axis_only = True

    def _flat_input(self):
        x = self.variables[0].data
        return (x.ravel(), 0) if self.axis is None else (x, self.axis)


class CumSum(_Cumulative):
    """f(x)_i = sum(x[:i+1]) along ``axis``;  the gradient is the reversed cumulative sum of grad."""

    numpy_func = staticmethod(np.cumsum)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None):
        self.variables = (x,)
        self.axis = axis
        out = np.cumsum(x.data, axis=axis)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        x, axis = self._flat_input()
        return _reverse_cumsum(grad, axis).reshape(self.variables[0].shape)


def _cumprod_grad_exact(x, grad, axis):
    """The gradient of cumprod without any division (for inputs with inf/nan, where
    dividing by x_i would turn finite derivatives into nan):
    df/dx_i = prod(x[:i]) * r_i with r_i = grad_i + x_{i+1} * r_{i+1} (r_{n-1} = grad_{n-1})."""
    x = np.moveaxis(x, axis, -1)
    grad = np.moveaxis(np.asarray(grad), axis, -1)
    n = x.shape[-1]
    dtype = np.result_type(x, grad)
    if n == 0:
        return np.moveaxis(np.zeros(x.shape, dtype), -1, axis)
    prefix = np.empty(x.shape, dtype)
    prefix[..., 0] = 1
    with np.errstate(invalid="ignore", over="ignore"):
        if n > 1:
            np.cumprod(x[..., :-1], axis=-1, out=prefix[..., 1:])
        r = np.empty(x.shape, dtype)
        r[..., n - 1] = grad[..., n - 1]
        for i in range(n - 2, -1, -1):
            r[..., i] = grad[..., i] + x[..., i + 1] * r[..., i + 1]
        out = prefix * r
    return np.moveaxis(out, -1, axis)


class CumProd(_Cumulative):
    """f(x)_j = prod(x[:j+1]) along ``axis``;
    df/dx_i = sum_{j >= i} grad_j * prod_{k <= j, k != i} x_k.

    Where x_i != 0 this is ``revcumsum(grad * f)_i / x_i`` (exact: every f_j with
    j >= i contains x_i).  At the first zero z of a slice it is
    ``revcumsum(grad * cumprod(x with x_z := 1))_z``; at later zeros it is 0.
    """

    numpy_func = staticmethod(np.cumprod)  # (MyGrad's attribute: the NumPy function)

    def __call__(self, x, axis=None):
        self.variables = (x,)
        self.axis = axis
        out = np.cumprod(x.data, axis=axis)
        self.out_shape = out.shape
        return out

    def backward_var(self, grad, index, **kwargs):
        # the products are taken afresh from x, as MyGrad's backward does (the forward's
        # unless x - or the result - was written under mem_guard_off meanwhile)
        x, axis = self._flat_input()
        if x.dtype.kind in "fc" and not np.isfinite(x).all():
            return _cumprod_grad_exact(x, grad, axis).reshape(self.variables[0].shape)
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.cumprod(x, axis=axis)
        if x.dtype.kind == "f" and not np.isfinite(out).all():
            # the products overflowed x's dtype: computed in float64 and rounded, the
            # gradient is +-inf where it overflows too, and exact elsewhere (dividing by x
            # would give nan, and MyGrad gives wrong finite numbers)
            g = _cumprod_grad_exact(x.astype(np.float64), np.asarray(grad, np.float64), axis)
            with np.errstate(over="ignore"):
                return g.astype(np.result_type(x, grad)).reshape(self.variables[0].shape)
        zero = x == 0
        if not zero.any():
            g = _reverse_cumsum(grad * out, axis) / x
        else:
            first = zero & (np.cumsum(zero, axis=axis) == 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                g = _reverse_cumsum(grad * out, axis) / np.where(zero, 1, x)
            at_first = _reverse_cumsum(grad * np.cumprod(np.where(first, 1, x), axis=axis), axis)
            g = np.where(first, at_first, np.where(zero, 0, g))
        return g.reshape(self.variables[0].shape)


# ---------------------------------------------------------------------------
# n-ary sums and products
# ---------------------------------------------------------------------------
class AddSequence(Operation):
    """f(x1, ..., xn) = x1 + ... + xn;  df/dxi = 1

    As MyGrad, the sum starts from the Python integer ``0``: so boolean inputs add up
    as integers (``[True] + [True]`` is ``[2]``, not NumPy's logical or) and a sum of
    ``-0.`` values is ``+0.``.
    """

    def __call__(self, *tensors):
        self.variables = tensors
        return reduce(np.add, (t.data for t in tensors), 0)

    def backward_var(self, grad, index, **kwargs):
        return grad


class MultiplySequence(Operation):
    """f(x1, ..., xn) = x1 * ... * xn;  df/dxi = product of the other inputs.

    As MyGrad: if the forward's product has an element within 1e-8 of zero
    (``np.isclose(f, 0)``), every gradient is ``grad * (product of the others)``; else it
    is ``(grad * f) / xi``, ``grad * f`` computed once per backward pass - MyGrad's bits.
    Where that division is wrong (xi infinite, or written to 0 after the forward; f
    overflowed where the product of the others did not: MyGrad gives nan or inf) the
    gradient is the product of the others.
    """

    def __call__(self, *tensors):
        self.variables = tensors
        out = reduce(np.multiply, (t.data for t in tensors))
        self._near_zero = bool(np.any(np.isclose(out, 0, 1e-25)))   # MyGrad's switch
        self._scaled = None   # (grad, grad * f) of the backward pass under way
        return out

    def _others(self, grad, index):
        return grad * reduce(np.multiply, [t.data for i, t in enumerate(self.variables) if i != index])

    def backward_var(self, grad, index, **kwargs):
        if self._near_zero:
            return self._others(grad, index)
        if self._scaled is None or self._scaled[0] is not grad:
            self._scaled = (grad, grad * reduce(np.multiply, (t.data for t in self.variables)))
        scaled = self._scaled[1]
        if index == len(self.variables) - 1:
            self._scaled = None   # (the engine passes one gradient to each input in turn)
        with np.errstate(all="ignore"):
            g = scaled / self.variables[index].data
        suspect = ~np.isfinite(g) | (g == 0)
        if not suspect.any():
            return g
        others = self._others(grad, index)
        return np.where(suspect & ~((g == 0) & (others == 0)), others, g)


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def _check_keepdims(keepdims):
    """MyGrad's prod/std read ``keepdims`` as an integer: bool/int only (TypeError otherwise)."""
    if not isinstance(keepdims, (bool, int)):
        raise TypeError(f"`keepdims` must be a bool, got {keepdims!r} "
                        f"('{type(keepdims).__name__}' object cannot be interpreted as an integer)")


def _reduce(Op, x, axis, keepdims, constant, **extra) -> TensorBase:
    kwargs = {"axis": axis, "keepdims": keepdims}
    kwargs.update(extra)
    return execute_op(Op, x, op_kwargs=kwargs, constant=constant)


def sum(x, axis: Axis = None, keepdims: bool = False, *, constant: Optional[bool] = None):
    """Sum of the elements of ``x`` over ``axis``.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to sum over; None (default) sums over all of them.
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mg.sum(x, axis=0)
    Tensor([4., 6.])
    >>> mg.sum(x).backward()
    >>> x.grad
    array([[1., 1.],
           [1., 1.]])
    """
    return _reduce(Sum, x, axis, keepdims, constant)


def mean(x, axis: Axis = None, keepdims: bool = False, *, constant: Optional[bool] = None):
    """Arithmetic mean of the elements of ``x`` over ``axis``.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to average over; None (default) averages over all of them.
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0, 4.0])
    >>> mg.mean(x)
    Tensor(2.5)
    >>> mg.mean(x).backward()
    >>> x.grad
    array([0.25, 0.25, 0.25, 0.25])
    """
    return _reduce(Mean, x, axis, keepdims, constant)


def var(x, axis: Axis = None, ddof: int = 0, keepdims: bool = False, *,
        constant: Optional[bool] = None):
    """Variance of the elements of ``x`` over ``axis``: ``sum((x - x.mean())**2) / (N - ddof)``.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes over which to compute the variance (default: all).
    ddof : int, optional
        "Delta degrees of freedom": the divisor is ``N - ddof``.
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> mg.var(x)
    Tensor(0.66666667)
    >>> mg.var(x).backward()
    >>> x.grad
    array([-0.66666667,  0.        ,  0.66666667])
    """
    return _reduce(Variance, x, axis, keepdims, constant, ddof=ddof)


def std(x, axis: Axis = None, ddof: int = 0, keepdims: bool = False, *,
        constant: Optional[bool] = None):
    """Standard deviation of the elements of ``x`` over ``axis``: ``sqrt(var(x, axis, ddof))``.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes over which to compute it (default: all).
    ddof : int, optional
        "Delta degrees of freedom": the variance's divisor is ``N - ddof``.
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 3.0])
    >>> mg.std(x)
    Tensor(1.)
    >>> mg.std(x).backward()
    >>> x.grad
    array([-0.5,  0.5])
    """
    return _reduce(StdDev, x, axis, keepdims, constant, ddof=ddof)


def prod(a, axis: Axis = None, keepdims: bool = False, *, constant: Optional[bool] = None):
    """Product of the elements of ``a`` over ``axis``.

    The gradient is exact also when the input contains zeros.

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to multiply over (default: all).
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([2.0, 0.0, 3.0])
    >>> mg.prod(x)
    Tensor(0.)
    >>> mg.prod(x).backward()
    >>> x.grad
    array([0., 6., 0.])
    """
    _check_keepdims(keepdims)
    return _reduce(Prod, a, axis, keepdims, constant)


def amax(x, axis: Axis = None, keepdims: bool = False, *, constant: Optional[bool] = None):
    """Maximum of the elements of ``x`` over ``axis``.

    The gradient flows to the first maximal element of each reduced slice (in
    C order); tied elements get none.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to reduce over (default: all).
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 5.0], [5.0, 2.0]])
    >>> mg.max(x, axis=1)
    Tensor([5., 5.])
    >>> mg.max(x).backward()
    >>> x.grad
    array([[0., 1.],
           [0., 0.]])
    """
    return _reduce(Max, x, axis, keepdims, constant)


def amin(x, axis: Axis = None, keepdims: bool = False, *, constant: Optional[bool] = None):
    """Minimum of the elements of ``x`` over ``axis``.

    The gradient flows to the first minimal element of each reduced slice (in
    C order); tied elements get none.

    Parameters
    ----------
    x : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to reduce over (default: all).
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 5.0], [1.0, 2.0]])
    >>> mg.min(x, axis=0)
    Tensor([1., 2.])
    >>> mg.min(x).backward()
    >>> x.grad
    array([[1., 0.],
           [0., 0.]])
    """
    return _reduce(Min, x, axis, keepdims, constant)


max = amax
min = amin


def cumsum(a, axis: Axis = None, *, constant: Optional[bool] = None):
    """Cumulative sum of the elements of ``a`` along ``axis`` (None: of the flattened input).

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | None, optional
        The axis along which to accumulate; None (default) flattens first.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0])
    >>> mg.cumsum(x)
    Tensor([1., 3., 6.])
    >>> mg.cumsum(x).backward()
    >>> x.grad
    array([3., 2., 1.])
    """
    return execute_op(CumSum, a, op_kwargs={"axis": axis}, constant=constant)


def cumprod(a, axis: Axis = None, *, constant: Optional[bool] = None):
    """Cumulative product of the elements of ``a`` along ``axis`` (None: of the flattened input).

    The gradient is exact also when the input contains zeros.

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | None, optional
        The axis along which to accumulate; None (default) flattens first.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([2.0, 0.0, 3.0])
    >>> mg.cumprod(x)
    Tensor([2., 0., 0.])
    >>> mg.cumprod(x).backward()
    >>> x.grad
    array([1., 8., 0.])
    """
    return execute_op(CumProd, a, op_kwargs={"axis": axis}, constant=constant)


def _data(a):
    return a.data if isinstance(a, TensorBase) else a


def argmax(a, axis: Optional[int] = None, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Indices of the maximum values along ``axis`` (a plain NumPy array; not differentiable).

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int, optional
        The axis to search along; None (default) searches the flattened input.
    out : numpy.ndarray, optional
        Where to write the result.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.argmax(mg.tensor([[1.0, 3.0], [4.0, 2.0]]), axis=1)
    array([1, 0])
    """
    return np.argmax(_data(a), axis=axis, out=out)


def argmin(a, axis: Optional[int] = None, out: Optional[np.ndarray] = None) -> np.ndarray:
    """Indices of the minimum values along ``axis`` (a plain NumPy array; not differentiable).

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int, optional
        The axis to search along; None (default) searches the flattened input.
    out : numpy.ndarray, optional
        Where to write the result.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.argmin(mg.tensor([[1.0, 3.0], [4.0, 2.0]]), axis=1)
    array([0, 1])
    """
    return np.argmin(_data(a), axis=axis, out=out)


def any(a, axis: Axis = None, out: Optional[np.ndarray] = None, keepdims: bool = False) -> np.ndarray:
    """Whether any element along ``axis`` is true (a plain NumPy array; not differentiable).

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to test along (default: all).
    out : numpy.ndarray, optional
        Where to write the result.
    keepdims : bool, optional
        Keep the reduced axes as length-1 axes.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.any(mg.tensor([[0, 1], [0, 0]]), axis=1)
    array([ True, False])
    """
    return np.any(_data(a), axis=axis, out=out, keepdims=keepdims)


def _sequence_op(Op, name: str, variables, constant):
    if len(variables) < 2:
        raise ValueError(f"`{name}` requires at least two inputs, got {len(variables)} inputs")
    return execute_op(Op, *variables, constant=constant)


def add_sequence(*variables, constant: Optional[bool] = None):
    """Sum of all the inputs, ``x1 + x2 + ... + xn`` (broadcast together), as one operation.

    Parameters
    ----------
    *variables : ArrayLike
        Two or more operands.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If fewer than two inputs are given.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.add_sequence(x, x, 1.0)
    Tensor([3., 5.])
    """
    return _sequence_op(AddSequence, "add_sequence", variables, constant)


def multiply_sequence(*variables, constant: Optional[bool] = None):
    """Product of all the inputs, ``x1 * x2 * ... * xn`` (broadcast together), as one operation.

    Parameters
    ----------
    *variables : ArrayLike
        Two or more operands.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If fewer than two inputs are given.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.multiply_sequence(x, x, 3.0)
    Tensor([ 3., 12.])
    """
    return _sequence_op(MultiplySequence, "multiply_sequence", variables, constant)
