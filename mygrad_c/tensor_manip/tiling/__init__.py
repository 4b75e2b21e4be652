"""Repeating elements: repeat.

The backward pass sums the gradient of each group of copies back onto the
element they were copied from.
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

import numpy as np

from mygrad_c._engine import execute_op
from mygrad_c.operation_base import Operation

__all__ = ["repeat"]


class Repeat(Operation):
    """f(x) = np.repeat(x, repeats, axis) (``axis=None``: of the flattened x);
    df/dx_i = sum of grad over the copies of x_i."""

    def __call__(self, x, repeats, axis=None):
        self.variables = (x,)
        self._repeats, self._axis = repeats, axis
        return np.repeat(x.data, repeats, axis=axis)

    def backward_var(self, grad, index, **kwargs):
        x = self.variables[0].data
        if self._axis is None or x.ndim == 0:  # (numpy repeats a 0-d x along any axis as 1-d)
            axis, n, shape = 0, x.size, (x.size,)
        else:
            axis = self._axis % x.ndim
            n, shape = x.shape[axis], x.shape
        reps = np.asarray(self._repeats)
        if reps.size == 1:
            # equal repeats: split the axis into (n, r) and sum over the copies
            r = int(reps.reshape(()))
            g = grad.reshape(shape[:axis] + (n, r) + shape[axis + 1:]).sum(axis=axis + 1)
            return g.reshape(x.shape)
        reps = np.broadcast_to(reps, (n,))
        out = np.zeros(shape, dtype=grad.dtype)
        kept = np.flatnonzero(reps)
        if kept.size:
            starts = np.concatenate(([0], np.cumsum(reps)[:-1]))[kept]
            # reduceat over the non-empty groups only: an empty group has no slice to sum
            sums = np.add.reduceat(grad, starts, axis=axis)
            out[(slice(None),) * axis + (kept,)] = sums
        return out.reshape(x.shape)


def repeat(a, repeats: Union[int, Sequence[int]], axis: Optional[int] = None, *,
           constant: Optional[bool] = None):
    """Repeat each element of a tensor ``repeats`` times along ``axis``.

    Parameters
    ----------
    a : ArrayLike
        The input.
    repeats : int | Sequence[int]
        The number of copies of each element (broadcast along ``axis``).
    axis : int, optional
        The axis along which to repeat; None (default) flattens the input first.
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> y = mg.repeat(x, [1, 3])
    >>> y
    Tensor([1., 2., 2., 2.])
    >>> y.backward()
    >>> x.grad
    array([1., 3.])
    """
    return execute_op(Repeat, a, op_args=(repeats, axis), constant=constant)
