"""Activations over an axis: softmax, logsoftmax, and the gated linear unit (glu).

softmax and logsoftmax subtract the maximum before exponentiating
(log-sum-exp), so logits of any magnitude give finite results.
"""
from __future__ import annotations

from typing import Optional, Tuple, Union

import numpy as np

from mygrad_c._engine import TensorBase, execute_op
from mygrad_c.math.arithmetic import multiply
from mygrad_c.nnet.activations.elementwise import exp_dtype, sigmoid
from mygrad_c.operation_base import Operation
from mygrad_c.tensor_base import Tensor
from mygrad_c.typing import ArrayLike

__all__ = ["softmax", "logsoftmax", "glu"]

Axis = Union[None, int, Tuple[int, ...]]


def _float(x: np.ndarray) -> np.ndarray:
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def exp_float(x: np.ndarray) -> np.ndarray:
    """``x`` in the float dtype ``numpy.exp(x)`` has (int8 -> float16, int16 -> float32, other
    integers -> float64; native byte order): the dtype of MyGrad's log-sum-exp results."""
    dtype = exp_dtype(x.dtype)
    return x if x.dtype == dtype else x.astype(dtype)


BOOL_SUBTRACT = ("numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, "
                  "the `^` operator, or the logical_xor function instead.")


def _shifted(x: np.ndarray, axis):
    """``x - max(x, axis)`` (a new array); if some slice's maximum is +inf, the limit of
    log-softmax on those slices as ``(mask, values)`` (else None); and ``max(x, axis)``.

    A slice with a single +inf logit tends to the one-hot softmax (log-softmax 0 there, -inf
    elsewhere); with several the split between them is undetermined: nan at the +inf entries.
    An all -inf slice stays undetermined too (0 / 0: nan, as in MyGrad).
    """
    m = np.max(x, axis=axis, keepdims=True)
    if np.isfinite(m).all():
        return np.asarray(x - m), None, m
    shifted = np.asarray(x - np.where(np.isfinite(m), m, 0))
    top = m == np.inf
    if not top.any():
        return shifted, None, m
    top = np.broadcast_to(top, x.shape)
    np.copyto(shifted, 0, where=top)  # placeholders (no inf - inf warnings), replaced by the limit
    hit = x == np.inf
    single = np.sum(hit, axis=axis, keepdims=True) == 1
    limit = np.where(hit, np.where(single, 0, np.nan), -np.inf).astype(x.dtype)
    return shifted, (top, limit), m


# Rows whose largest logit is at most this in magnitude take MyGrad's log-softmax formula.
MYGRAD_LSE_MAX = 64.0


def log_softmax_data(x: np.ndarray, axis, as_mygrad: bool = True) -> np.ndarray:
    """``log(softmax(x, axis))`` of a float array by log-sum-exp (a new array): MyGrad's values
    bit for bit for ordinary logits, exact for logits of any finite magnitude, and the limit for
    +inf logits (see ``_shifted``); with ``as_mygrad=False``, (x - m) - ls everywhere (for
    computations that need the small log-probabilities to their last digits).

    With m the largest logit and ls = log(sum(exp(x - m))), MyGrad computes x - (m + ls).
    Rounding m + ls changes it by up to half a unit in the last place of m: an absolute error
    in a log-probability, so a relative error in each probability, of at most |m| / 2 units in
    the last place of 1 - and for huge logits all of ls is lost (equal logits of 1e50 give
    log-probabilities 0 instead of log(1/2)).  (x - m) - ls keeps ls.  Slices whose largest
    logit is at most ``MYGRAD_LSE_MAX`` (64) in magnitude take MyGrad's formula (probabilities
    within 32 units in the last place), the others (x - m) - ls.
    """
    if as_mygrad:
        # the usual case first, in as few NumPy calls as it takes (a loss on a small batch is
        # mostly the cost of its calls): every slice's largest logit finite and ordinary
        m = np.maximum.reduce(x, axis=axis, keepdims=True)   # (np.max's result; C = 0: its error)
        if m.size == 0 or np.maximum.reduce(np.abs(m), axis=None) <= MYGRAD_LSE_MAX:   # (nan: no)
            ls = np.log(np.add.reduce(np.exp(x - m), axis=axis, keepdims=True))
            return np.asarray(x - (m + ls))
    y, at_inf, m = _shifted(x, axis)
    ls = np.log(np.sum(np.exp(y), axis=axis, keepdims=True))
    ordinary = None
    if as_mygrad and at_inf is None:
        ordinary = np.abs(m) <= MYGRAD_LSE_MAX
        if ordinary.all():
            return np.asarray(x - (m + ls))
    y -= ls
    if at_inf is not None:
        np.copyto(y, at_inf[1], where=at_inf[0])
    elif ordinary is not None and ordinary.any():
        np.copyto(y, x - (m + ls), where=np.broadcast_to(ordinary, y.shape))
    return y


def integer_softmax_data(x: np.ndarray, axis) -> np.ndarray:
    """MyGrad's softmax of integer logits (non-empty, n-d): ``exp(x - max(x))`` by NumPy's exp
    loop for x's integer type (int8 -> float16, int16 -> float32, wider -> float64) written
    into a float64 array, normalised in float64 - the NumPy call MyGrad makes, so MyGrad's
    bits (int8 logits: probabilities to float16 precision, in a float64 array).  Where
    MyGrad's ``x - max(x)`` wraps around in x's type (unsigned logits, or signed ones spanning
    more than the type holds) the exact difference goes to the same exp loop instead."""
    m = np.max(x, axis=axis, keepdims=True)
    if x.dtype.kind == "i" and int(np.min(x)) - int(m.max()) >= np.iinfo(x.dtype).min:
        shifted = x - m                                    # (MyGrad's array: no wrap-around)
    else:
        exact = x.astype(np.float64) - m.astype(np.float64)   # (exact below 2**53)
        shifted = exact.astype(exp_dtype(x.dtype))
    y = np.empty(x.shape, dtype=np.float64)
    np.exp(shifted, out=y)
    y /= np.sum(y, axis=axis, keepdims=True)
    return y


def softmax_data(x: np.ndarray, axis) -> np.ndarray:
    """``softmax(x, axis)`` of a float array (a new array), stable for logits of any
    finite magnitude and the limit for +inf logits (see ``_shifted``)."""
    if x.size == 0 or x.ndim == 0:
        return np.ones_like(x)
    y, at_inf, _ = _shifted(x, axis)
    np.exp(y, out=y)
    y /= np.sum(y, axis=axis, keepdims=True)
    if at_inf is not None:
        np.copyto(y, np.exp(at_inf[1]), where=at_inf[0])
    return y


class Softmax(Operation):
    """f(x) = exp(x) / sum(exp(x), axis);  df/dx . g = f * (g - sum(g * f, axis))."""

    def __call__(self, x, axis=-1):
        self.variables = (x,)
        if x.data.dtype == np.bool_:
            # MyGrad: a 0-d or empty bool gives True's; other bool arrays fail in x - max(x)
            # (NumPy's TypeError), after max(x) has checked the axis
            if x.ndim and x.size:
                np.max(x.data, axis=axis, keepdims=True)
                raise TypeError(BOOL_SUBTRACT)
            self.axis, self.y = None, np.ones_like(x.data, dtype=np.float64)
            return np.ones_like(x.data)
        x = x.data
        self.axis = None if x.ndim == 0 else axis
        if x.dtype.kind in "iu" and x.ndim and x.size:
            self.y = integer_softmax_data(x, self.axis)
        else:   # (nothing to normalise: ones, in x's float dtype as MyGrad)
            self.y = softmax_data(_float(x), self.axis)
        return self.y

    def backward_var(self, grad, index, **kwargs):
        y = self.y
        gy = grad * y
        gy -= y * np.sum(gy, axis=self.axis, keepdims=True)
        return gy


class LogSoftmax(Operation):
    """f(x) = x - logsumexp(x, axis);  df/dx . g = g - softmax(x) * sum(g, axis)."""

    def __call__(self, x, axis=-1):
        self.variables = (x,)
        if x.data.dtype == np.bool_ or x.ndim == 0:
            # MyGrad takes max(x) over `axis` first: NumPy's AxisError for an axis x lacks
            # (1 or (0,) of a 0-d x); then, for booleans, NumPy's TypeError of x - max(x)
            np.max(x.data, axis=axis, keepdims=True)
            if x.data.dtype == np.bool_:
                raise TypeError(BOOL_SUBTRACT)
        x = exp_float(x.data)
        self.axis = None if x.ndim == 0 else axis
        return log_softmax_data(x, self.axis)

    def backward_var(self, grad, index, **kwargs):
        # the softmax of x as it is now, as MyGrad computes it in backward (the forward's
        # unless x was written under mem_guard_off meanwhile)
        x = exp_float(self.variables[index].data)
        return grad - softmax_data(x, self.axis) * np.sum(grad, axis=self.axis, keepdims=True)


def softmax(x, axis: Axis = -1, *, constant: Optional[bool] = None):
    """The softmax over ``axis``: ``exp(x) / sum(exp(x), axis)``, computed stably.

    Parameters
    ----------
    x : ArrayLike
        The logits.
    axis : None | int | tuple[int, ...], default -1
        The axis (or axes; ``None`` for all) to normalise over.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        Same shape as ``x``; entries along ``axis`` sum to 1.

    Notes
    -----
    A slice with one ``+inf`` logit gives its limit, 1 there and 0 elsewhere (gradient 0),
    where MyGrad gives nan for the whole slice. With several ``+inf`` logits the split between
    them is undetermined: nan there, 0 at the finite logits.
    Unsigned integer logits are not wrapped around (MyGrad computes ``x - max(x)`` in the
    unsigned type and gives nan). Integer logits are exponentiated as NumPy exponentiates
    their type, as in MyGrad: int8 logits give float64 probabilities good to float16 precision.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import softmax
    >>> softmax(mg.tensor([0.0, 0.0]))
    Tensor([0.5, 0.5])
    """
    return execute_op(Softmax, x, op_args=(axis,), constant=constant)


def logsoftmax(x, axis: Axis = -1, *, constant: Optional[bool] = None):
    """The log of the softmax over ``axis``: ``x - logsumexp(x, axis)``, computed stably.

    Parameters
    ----------
    x : ArrayLike
        The logits.
    axis : None | int | tuple[int, ...], default -1
        The axis (or axes; ``None`` for all) to normalise over.
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Notes
    -----
    Exact for logits of any magnitude. MyGrad loses the log-sum-exp correction once the largest
    logit is about 1e10 or more: ``logsoftmax([1e50, 1e50, 0.])`` is ``[-log(2), -log(2), -1e50]``
    here, ``[0., 0., -1e50]`` in MyGrad. A slice with one ``+inf`` logit gives its limit, 0 there
    and ``-inf`` elsewhere (MyGrad: nan there); several ``+inf`` logits give nan at those.
    Unsigned integer logits are not wrapped around (MyGrad computes ``x - max(x)`` in the
    unsigned type and gives -inf).

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import logsoftmax
    >>> logsoftmax(mg.tensor([1e4, -1e4]))
    Tensor([     0., -20000.])
    """
    return execute_op(LogSoftmax, x, op_args=(axis,), constant=constant)


def glu(x, axis: int = -1, *, constant: Optional[bool] = None):
    """The gated linear unit: split ``x`` in halves ``a, b`` along ``axis``, return ``a * sigmoid(b)``.

    Parameters
    ----------
    x : ArrayLike
        The input; its length along ``axis`` must be even.
    axis : int, default -1
        The axis to split; a size-1 integer array or tensor gives its item (as in MyGrad).
    constant : bool, optional
        If True, the result is a constant.

    Returns
    -------
    Tensor
        Half the size of ``x`` along ``axis``.

    Raises
    ------
    ValueError
        If the two halves differ in shape.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> from mygrad_c.nnet import glu
    >>> glu(mg.tensor([2.0, 0.0]))
    Tensor([1.])
    """
    if isinstance(axis, (np.ndarray, TensorBase)):  # MyGrad reads a 1-element array's/tensor's item
        if axis.size != 1:
            kind = "a tensor" if isinstance(axis, TensorBase) and axis.size > 1 else "an array"
            raise ValueError(f"`axis`: can only convert {kind} of size 1 to a Python scalar, got {axis}")
        axis = axis.item()
    if not isinstance(axis, int):  # a bool is an int here (True: axis 1), numpy integers are not
        raise TypeError(f"`axis` must be an integer-valued scalar, got {axis} (type {type(axis)})")
    axis = int(axis)
    if not isinstance(x, (np.ndarray, TensorBase)):
        x = np.asarray(x)   # (MyGrad needs x.shape: it fails on a list)
    # built from views of x, as in MyGrad: taking them leaves x's gradient in place (using
    # x itself in an operation would null it), and the creator is the product's
    n = x.shape[axis]
    ax = axis % x.ndim
    first = x[(slice(None),) * ax + (slice(0, n // 2),)]
    second = x[(slice(None),) * ax + (slice(n // 2, None),)]
    if first.shape != second.shape:
        raise ValueError(f"The shapes after splitting must be the same but got {first.shape} "
                         f"and {second.shape}")
    return multiply(first, sigmoid(second), constant=constant)
