"""Elementwise activations: relu, leaky_relu, elu, selu, hard_tanh, sigmoid, soft_sign, tanh.

Each is one fused operation: ``__call__`` computes the activation in one pass
(keeping what the derivative needs) and ``backward_var`` right below it returns
``grad * df/dx``.  Output dtypes follow MyGrad's (e.g. ``soft_sign`` and
``leaky_relu`` compute with a float64 constant, so they return float64).
"""
from __future__ import annotations

from numbers import Real
from typing import Optional

import numpy as np

from mygrad_c._engine import TensorBase, execute_op, mem_guard_active
from mygrad_c._relu import relu_backward, relu_forward
from mygrad_c.math.arithmetic import abs_derivative
from mygrad_c.nnet._checks import real_scalar, scalar_item
from mygrad_c.operation_base import Operation

__all__ = ["relu", "leaky_relu", "elu", "selu", "hard_tanh", "sigmoid", "soft_sign", "tanh"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def exp_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype of ``numpy.exp``'s result for an array of ``dtype`` (int8 -> float16, int16 ->
    float32, other integers -> float64, native byte order): MyGrad's for exp-based results.
    Looked up once per dtype (finding it takes an exp, 2 us a call)."""
    found = _EXP_DTYPES.get(dtype)
    if found is None:
        found = _EXP_DTYPES[dtype] = np.exp(np.zeros(0, dtype)).dtype
    return found


_EXP_DTYPES: dict = {}


def _data(x):
    return x.data if isinstance(x, TensorBase) else np.asarray(x)


# ---------------------------------------------------------------------------
# operations
# ---------------------------------------------------------------------------
class ReLu(Operation):
    """f(x) = x * (x > 0), as MyGrad computes it (a negative input gives -0.0);
    df/dx = (x > 0): 1 where x > 0, else 0 (also at 0).  A bool input gives a bool
    result (x itself), as MyGrad's.  relu(-inf) is -0.0 (MyGrad: nan).
    C-contiguous float32/float64 arrays take the one-pass kernels of ``src/_relu.pyx``.

    The mask is the forward's, as MyGrad's: with the memory guard on, x is read-only
    until the backward, which reads it; a forward run under ``mem_guard_off`` keeps the
    mask ``x > 0`` (one byte an element), since x (or the result) may be written before
    the backward.

    ``_reuse_index = 0``: when the engine hands the backward a gradient buffer that nobody
    else can see (the result was not kept by anyone outside the graph), the masked
    gradient is written into that buffer instead of a new one - one activation-sized
    allocation less per relu in a training step's backward."""

    def __call__(self, x):
        self.variables = (x,)
        self._reuse_index = 0
        data = x.data
        self._mask = None if mem_guard_active() else np.asarray(data > 0)
        if data.dtype in _FLOATS and data.flags.c_contiguous:
            return relu_forward(data)
        if data.dtype == np.bool_:
            return data.copy()
        out = np.maximum(data, 0)
        if data.dtype.kind == "f":
            out = np.copysign(out, data)  # -0.0 for negative inputs, as x * (x > 0) gives
        return out

    @property
    def back(self) -> np.ndarray:
        """(x > 0) in x's dtype, MyGrad's attribute (computed when read)."""
        x = self.variables[0].data
        return (x > 0 if self._mask is None else self._mask).astype(x.dtype)

    def backward_var(self, grad, index, **kwargs):
        return self._backward(grad, in_place=False)

    def backward_var_reusing(self, grad, index):
        """backward_var, written into ``grad`` (the engine's own buffer) where the kernel applies."""
        return self._backward(grad, in_place=True)

    def _backward(self, grad, in_place):
        ref = self.variables[0].data if self._mask is None else self._mask
        if (grad.dtype in _FLOATS and grad.flags.c_contiguous and ref.flags.c_contiguous
                and grad.shape == ref.shape and ref.dtype in (grad.dtype, np.bool_)):
            return relu_backward(grad, ref, in_place)
        return np.multiply(grad, ref > 0)


class LeakyReLU(Operation):
    """f(x) = x if x > 0 else slope * x;  df/dx = 1 (x > 0), slope (x < 0), 0 at 0."""

    def __call__(self, x, slope):
        self.variables = (x,)
        self.slope = np.asarray(slope)
        x = x.data
        dtype = np.result_type(x, self.slope)
        # (+ 0.0: -0.0 gives +0.0, as MyGrad's maximum(x, 0) + slope * minimum(x, 0))
        return np.where(x > 0, x, x * self.slope + 0.0).astype(dtype, copy=False)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[0].data
        return grad * np.where(x > 0, 1, np.where(x < 0, self.slope, 0))


class ELU(Operation):
    """f(x) = x if x >= 0 else alpha * (exp(x) - 1);  df/dx = 1 (x >= 0), alpha * exp(x) (x < 0).

    Both computed as MyGrad computes them, bit for bit: the slope on the negative side is
    ``alpha * (exp(x) - 1) + alpha`` (the forward's ``exp`` attribute plus alpha)."""

    def __call__(self, x, alpha):
        self.variables = (x,)
        self.alpha = alpha
        x = x.data
        if x.dtype == np.bool_:
            x = x.view(np.int8)  # exp of a bool/int8 array is float16, MyGrad's result dtype
        with np.errstate(over="ignore", invalid="ignore"):
            self.exp = alpha * (np.exp(x) - 1)  # MyGrad's attribute: f(x) where x < 0
        return np.where(x < 0, self.exp, x)

    def backward_var(self, grad, index, **kwargs):
        # as in MyGrad, the side is read off x in backward and the slope kept from the
        # forward (they differ only if x was written under mem_guard_off meanwhile)
        x = self.variables[0].data
        with np.errstate(over="ignore", invalid="ignore"):
            return grad * np.where(x < 0, self.exp + self.alpha, 1)


class SELU(Operation):
    """f(x) = scale * elu(x, alpha) with SELU's fixed alpha and scale;
    df/dx = scale (x >= 0), scale * alpha * exp(x) (x < 0).

    Both computed as MyGrad computes them, bit for bit: ``scale * (alpha * (exp(x) - 1))``
    and ``(grad * scale) * (alpha * (exp(x) - 1) + alpha)`` on the negative side."""

    def __call__(self, x):
        self.variables = (x,)
        x = x.data
        if x.dtype.kind in "bui":
            x = x.astype(exp_dtype(x.dtype))  # MyGrad's dtype: that of exp(x)
        with np.errstate(over="ignore", invalid="ignore"):
            self.exp = _SELU_ALPHA * (np.exp(x) - 1)  # MyGrad's attribute
            return _SELU_SCALE * np.where(x < 0, self.exp, x)

    def backward_var(self, grad, index, **kwargs):
        # (as ELU's: the side read off x in backward, the slope kept from the forward)
        x = self.variables[0].data
        with np.errstate(over="ignore", invalid="ignore"):
            return (grad * _SELU_SCALE) * np.where(x < 0, self.exp + _SELU_ALPHA, 1)


class HardTanh(Operation):
    """f(x) = maximum(lower, minimum(x, upper)) (MyGrad's order: ``lower`` wins if lower > upper);
    df/dx = 1 where x < upper and not lower >= minimum(x, upper), else 0 (the product of
    minimum's and maximum's masks, so nan bounds give MyGrad's gradients)."""

    def __call__(self, x, lower_bound, upper_bound):
        self.variables = (x,)
        self.bounds = (lower_bound, upper_bound)
        self.m = np.minimum(x.data, upper_bound)
        return np.maximum(lower_bound, self.m)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[0].data
        lo, hi = self.bounds
        return grad * ((x < hi) & ~(lo >= self.m))


class Sigmoid(Operation):
    """f(x) = 1 / (1 + exp(-x));  df/dx = f(x) * (1 - f(x)).

    Computed as MyGrad computes it (non-float inputs as float64), so the values and gradients
    are MyGrad's bit for bit - except where ``exp(-x)`` overflows although f(x) is representable
    (x below about -709 in float64, -88 in float32, -11 in float16): MyGrad gives 0 there, and
    this gives ``exp(x) / (1 + exp(x))``, the value rounded (``sigmoid(float16(-12))`` is
    6.1e-6, not 0).
    """

    def __call__(self, x):
        self.variables = (x,)
        x = x.data
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        with np.errstate(over="ignore"):
            y = np.asarray(1 / (1 + np.exp(-x)))
            under = y == 0  # exp(-x) overflowed (or x is -inf: there 0 is exact)
            if under.any():
                under &= x > -np.inf
                e = np.exp(x[under])
                y[under] = e / (1 + e)
        self.y = y
        return y

    def backward_var(self, grad, index, **kwargs):
        y = self.y
        return grad * y * (1.0 - y)

    @property
    def sigmoid(self):
        """The result, under MyGrad's attribute name."""
        return self.y


class SoftSign(Operation):
    """f(x) = x / (1 + |x|);  df/dx = 1 / (1 + |x|)**2  (float64, as in MyGrad).

    The gradient is MyGrad's bit for bit: MyGrad's soft_sign is a chain of elementary
    operations, ``x / (1 + |x|)``, so its gradient is the sum of the quotient's two paths,
    each in x's dtype: ``grad / b`` and ``(-grad * x / b**2) * sign(x)`` with ``b = 1 + |x|``
    from the forward and ``x`` read again in backward (as MyGrad's divide and abs read it:
    different only if x was written under ``mem_guard_off`` after the forward).  At +-inf
    the value is the limit +-1 and the gradient 0 (MyGrad: nan).
    """

    def __call__(self, x):
        self.variables = (x,)
        self.abs_x = np.abs(x.data.astype(np.float64))
        inf = np.isinf(self.abs_x)
        if inf.any():
            # the limit +-1 (MyGrad: inf / inf = nan); the gradient there is 0
            with np.errstate(invalid="ignore"):
                return np.where(inf, np.sign(x.data), x.data / (1 + self.abs_x))
        return x.data / (1 + self.abs_x)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[index].data
        b = 1 + self.abs_x
        with np.errstate(invalid="ignore"):
            through_b = np.asarray((-grad * x / b ** 2) * abs_derivative(x))
        inf = np.isinf(self.abs_x)
        if inf.any():
            through_b[inf] = 0   # the gradient at +-inf is 0 (MyGrad: nan)
        return (grad / b).astype(x.dtype, copy=False) + through_b.astype(x.dtype, copy=False)


class Tanh(Operation):
    """f(x) = tanh(x);  df/dx = 1 - tanh(x)**2 (only used if mygrad_c.tanh is unavailable)."""

    def __call__(self, x):
        self.variables = (x,)
        self.y = np.tanh(x.data)
        return self.y

    def backward_var(self, grad, index, **kwargs):
        return grad * (1 - self.y ** 2)


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def relu(x, *, constant: Optional[bool] = None):
    """Apply the rectified linear unit, ``max(x, 0)``, elementwise.

    Parameters
    ----------
    x : ArrayLike
        The input; a non-tensor is a constant.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        Same shape and dtype as ``x``. The derivative at 0 is taken to be 0.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import relu
    >>> x = mg.tensor([-1.0, 0.0, 2.0])
    >>> relu(x).backward()
    >>> x.grad
    array([0., 0., 1.])
    """
    return execute_op(ReLu, x, constant=constant)


def leaky_relu(x, slope: float, *, constant: Optional[bool] = None):
    """Apply the leaky ReLu: ``x`` where ``x > 0``, ``slope * x`` elsewhere.

    Parameters
    ----------
    x : ArrayLike
        The input.
    slope : float
        The slope of the negative part.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        The dtype is that of ``x`` combined with ``numpy.asarray(slope)`` (as in MyGrad).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import leaky_relu
    >>> leaky_relu(mg.tensor([-2.0, 3.0]), slope=0.1)
    Tensor([-0.2,  3. ])
    """
    slope = real_scalar(slope, "slope")
    return execute_op(LeakyReLU, x, op_args=(slope,), constant=constant)


def elu(x, alpha: Real, *, constant: Optional[bool] = None):
    """Apply the exponential linear unit: ``x`` where ``x >= 0``, ``alpha * (exp(x) - 1)`` elsewhere.

    Parameters
    ----------
    x : ArrayLike
        The input.
    alpha : Real
        The scale of the negative part.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import elu
    >>> elu(mg.tensor([-1.0, 2.0]), alpha=1.0)
    Tensor([-0.63212056,  2.        ])
    """
    alpha = real_scalar(alpha, "alpha")
    return execute_op(ELU, x, op_args=(alpha,), constant=constant)


def selu(x, *, constant: Optional[bool] = None):
    """Apply the scaled exponential linear unit (Klambauer et al., 2017).

    ``selu(x) = scale * (x if x >= 0 else alpha * (exp(x) - 1))`` with
    ``alpha ~ 1.6733`` and ``scale ~ 1.0507``.

    Parameters
    ----------
    x : ArrayLike
        The input.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import selu
    >>> selu(mg.tensor([0.0, 1.0]))
    Tensor([0.        , 1.05070099])
    """
    return execute_op(SELU, x, constant=constant)


def hard_tanh(x, *, lower_bound: Real = -1, upper_bound: Real = 1, constant: Optional[bool] = None):
    """Clip ``x`` to ``[lower_bound, upper_bound]`` elementwise.

    Parameters
    ----------
    x : ArrayLike
        The input.
    lower_bound, upper_bound : Real
        The bounds (default -1 and 1).
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        The derivative is 1 strictly inside the bounds and 0 elsewhere.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import hard_tanh
    >>> hard_tanh(mg.tensor([-3.0, 0.5, 3.0]))
    Tensor([-1. ,  0.5,  1. ])
    """
    # numpy scalars (not Python numbers) take part in the dtype promotion, as in MyGrad
    # both items first, then both types: MyGrad's order of errors
    lower_bound, upper_bound = scalar_item(lower_bound, "lower_bound"), scalar_item(upper_bound, "upper_bound")
    lower_bound = np.asarray(real_scalar(lower_bound, "lower_bound"))[()]
    upper_bound = np.asarray(real_scalar(upper_bound, "upper_bound"))[()]
    return execute_op(HardTanh, x, op_args=(lower_bound, upper_bound), constant=constant)


def sigmoid(x, *, constant: Optional[bool] = None):
    """Apply the logistic sigmoid, ``1 / (1 + exp(-x))``, elementwise (stable for any ``x``).

    Parameters
    ----------
    x : ArrayLike
        The input.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import sigmoid
    >>> x = mg.tensor([0.0])
    >>> sigmoid(x).backward()
    >>> x.grad
    array([0.25])
    """
    return execute_op(Sigmoid, x, constant=constant)


def soft_sign(x, *, constant: Optional[bool] = None):
    """Apply the soft-sign function, ``x / (1 + |x|)``, elementwise.

    Parameters
    ----------
    x : ArrayLike
        The input.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        float64, as MyGrad returns.

    Notes
    -----
    ``soft_sign(+-inf)`` is its limit ``+-1`` with gradient 0 (MyGrad: nan). An integer input
    is computed in float64, so its dtype's most negative value gives about -1 (MyGrad computes
    ``|x|`` in the integer dtype, which overflows there: ``soft_sign(int8(-128))`` is 1.008 in
    MyGrad, -0.992 here). The gradient
    ``1 / (1 + |x|)**2`` is computed in float64 and rounded once, so float16 gradients are
    correctly rounded (MyGrad's lose digits for large ``|x|``: 1.9e-06 instead of 1.55e-06 at 800).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import soft_sign
    >>> soft_sign(mg.tensor([-1.0, 3.0]))
    Tensor([-0.5 ,  0.75])
    """
    return execute_op(SoftSign, x, constant=constant)


try:  # the ufunc-like ``mygrad_c.tanh`` (MyGrad's activations.tanh *is* mygrad.tanh)
    from mygrad_c.math.elementwise import tanh  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while math.elementwise lacks tanh
    def tanh(x, *, constant: Optional[bool] = None):
        """Hyperbolic tangent, elementwise (fallback until ``mygrad_c.tanh`` exists)."""
        return execute_op(Tanh, x, constant=constant)
