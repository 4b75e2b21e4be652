"""Rearranging a tensor's axes or elements: transpose, moveaxis, swapaxes, roll.

Each backward pass applies the inverse rearrangement to the gradient.  The
first three return NumPy's views of the input (``can_return_view``).
"""
from __future__ import annotations

from typing import Optional, Tuple, Union

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.operation_base import Operation

__all__ = ["transpose", "moveaxis", "swapaxes", "roll"]

Axes = Union[int, Tuple[int, ...]]


class Transpose(Operation):
    """f(x) = x with its axes permuted by ``axes`` (reversed if None; a view);
    df/dx = grad permuted by the inverse permutation."""

    can_return_view = True

    def __call__(self, x, axes=None):
        self.variables = (x,)
        self.axes = tuple(range(x.ndim - 1, -1, -1)) if axes is None else axes  # (as MyGrad records it)
        return np.transpose(x.data, axes)

    def backward_var(self, grad, index, **kwargs):
        return np.transpose(grad, np.argsort([a % grad.ndim for a in self.axes]))


class Tensor_Transpose_Property(Operation):
    """f(x) = x.T, the axes reversed (a view); df/dx = grad.T.  (MyGrad records ``x.T``
    with this class of its own.)"""

    can_return_view = True

    def __call__(self, x):
        self.variables = (x,)
        return x.data.T

    def backward_var(self, grad, index, **kwargs):
        return grad.T


class MoveAxis(Operation):
    """f(x) = x with axes ``source`` moved to ``destination`` (a view);
    df/dx = grad with ``destination`` moved back to ``source``."""

    can_return_view = True

    def __call__(self, x, source, destination):
        self.variables = (x,)
        self.source, self.destination = source, destination
        return np.moveaxis(x.data, source, destination)

    def backward_var(self, grad, index, **kwargs):
        return np.moveaxis(grad, self.destination, self.source)


class SwapAxes(Operation):
    """f(x) = x with ``axis1`` and ``axis2`` interchanged (a view);  df/dx = grad swapped back."""

    can_return_view = True

    def __call__(self, x, axis1, axis2):
        self.variables = (x,)
        self.axis1, self.axis2 = axis1, axis2
        return np.swapaxes(x.data, axis1, axis2)

    def backward_var(self, grad, index, **kwargs):
        return np.swapaxes(grad, self.axis1, self.axis2)


class Roll(Operation):
    """f(x) = x with elements shifted by ``shift`` along ``axis`` (cyclically; a copy);
    df/dx = grad shifted by ``-shift``."""

    def __call__(self, x, shift, axis=None):
        self.variables = (x,)
        self.shift, self.axis = shift, axis
        return np.roll(x.data, shift, axis)

    def backward_var(self, grad, index, **kwargs):
        shift = np.asarray(self.shift)
        if shift.dtype == np.bool_:  # roll(x, True): a shift of 1 (bools have no negative)
            shift = shift.astype(np.int64)
        grad = np.roll(grad, np.negative(shift), self.axis)
        return grad.reshape(self.variables[0].data.shape)


def transpose(a, *axes: int, constant: Optional[bool] = None):
    """Permute the axes of a tensor (reverse them when no axes are given).

    Parameters
    ----------
    a : ArrayLike
        The input.
    *axes : int
        The permutation, given as separate ints or as one tuple/list.
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If ``axes`` is not a permutation of the tensor's axes.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 2.0, 3.0]])
    >>> mg.transpose(x).shape
    (3, 1)
    >>> mg.transpose(mg.zeros((2, 3, 4)), 1, 2, 0).shape
    (3, 4, 2)
    """
    if not axes or (len(axes) == 1 and axes[0] is None):
        perm = None
    elif len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        perm = tuple(axes[0])
    elif len(axes) == 1 and isinstance(axes[0], np.ndarray) and (axes[0].ndim == 1 or axes[0].size == 0):
        perm = tuple(axes[0].ravel().tolist())  # an array of axes (empty: none), as NumPy/MyGrad accept
    else:
        perm = axes
    return execute_op(Transpose, a, op_args=(perm,), constant=constant)


def moveaxis(a, source: Axes, destination: Axes, *, constant: Optional[bool] = None):
    """Move axes of a tensor to new positions; the other axes keep their order.

    Parameters
    ----------
    a : ArrayLike
        The input.
    source : int | tuple[int, ...]
        Original positions of the axes to move.
    destination : int | tuple[int, ...]
        Their positions in the result.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.moveaxis(mg.zeros((3, 4, 5)), 0, -1).shape
    (4, 5, 3)
    """
    return execute_op(MoveAxis, a, op_args=(source, destination), constant=constant)


def swapaxes(a, axis1: int, axis2: int, *, constant: Optional[bool] = None):
    """Interchange two axes of a tensor.

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis1, axis2 : int
        The axes to swap.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.swapaxes(mg.tensor([[1.0, 2.0, 3.0]]), 0, 1)
    Tensor([[1.],
            [2.],
            [3.]])
    """
    return execute_op(SwapAxes, a, op_args=(axis1, axis2), constant=constant)


def roll(a, shift: Axes, axis=None, *, constant: Optional[bool] = None):
    """Roll elements of a tensor along ``axis``: those shifted past the end reappear at the start.

    Parameters
    ----------
    a : ArrayLike
        The input.
    shift : int | tuple[int, ...]
        How many places to shift (one per axis for a tuple of axes).
    axis : int | tuple[int, ...] | None, optional
        The axis or axes to roll along; None (default) rolls the flattened tensor
        and restores the shape.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.roll(mg.tensor([1.0, 2.0, 3.0]), 1)
    Tensor([3., 1., 2.])
    """
    return execute_op(Roll, a, op_args=(shift, axis), constant=constant)
