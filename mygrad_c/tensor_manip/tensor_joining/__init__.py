"""Joining tensors: concatenate, stack.

The backward pass hands each input its own slice of the gradient (a view).
``out=`` accepts a NumPy array (written by NumPy) or a tensor (updated in place,
differentiably, through ``mygrad_c._in_place.write_into``).
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from mygrad_c._engine import TensorBase, check_constant, execute_op
from mygrad_c.operation_base import Operation
from mygrad_c._in_place import guard_out_array, prepare_out_target, write_into

__all__ = ["concatenate", "stack"]


class Concatenate(Operation):
    """f(x1, ..., xn) = the inputs joined along ``axis`` (flattened first if None);
    df/dxi = the slice of grad that holds xi."""

    def __call__(self, *tensors, axis=0, dtype=None, out=None):
        self.variables = tensors
        self.axis = axis
        kwargs = {} if dtype is None else {"dtype": dtype}
        result = np.concatenate([t.data for t in tensors], axis=axis, out=out, **kwargs)
        ax = 0 if axis is None else axis % result.ndim
        sizes = [t.data.size if axis is None else t.data.shape[ax] for t in tensors]
        self.indices = np.cumsum([0] + sizes).tolist()  # (MyGrad's attribute names: axis, indices)
        self._ax = ax
        return result

    def backward_var(self, grad, index, **kwargs):
        lo, hi = self.indices[index], self.indices[index + 1]
        g = grad[(slice(None),) * self._ax + (slice(lo, hi),)]
        return g.reshape(self.variables[index].data.shape) if self.axis is None else g


class Stack(Operation):
    """f(x1, ..., xn) = the inputs stacked along a new axis ``axis``;
    df/dxi = grad indexed at position i of that axis."""

    def __call__(self, *tensors, axis=0, out=None):
        self.variables = tensors
        result = np.stack([t.data for t in tensors], axis=axis, out=out)
        self.axis = axis % result.ndim
        return result

    def backward_var(self, grad, index, **kwargs):
        return grad[(slice(None),) * self.axis + (index,)]


def _join(Op, tensors, out, constant, **kwargs):
    if isinstance(tensors, (TensorBase, np.ndarray)):
        tensors = list(tensors)  # its sub-arrays, as NumPy iterates an array argument
    if isinstance(out, TensorBase):
        prepare_out_target(out)
        try:
            check_constant(constant)
        except TypeError:
            # MyGrad runs NumPy into the target's array before it checks `constant`: NumPy's
            # error for a target of the wrong shape comes first
            Op()(*[t if isinstance(t, TensorBase) else TensorBase(t) for t in tensors],
                 out=np.empty_like(out.data), **kwargs)
            raise
        return write_into(out, execute_op(Op, *tensors, op_kwargs=kwargs, constant=constant))
    if out is not None:
        # (anything but an array goes to NumPy as it is: its TypeError, after its checks of
        # the shapes, the axis and the dtype, as in MyGrad)
        if isinstance(out, np.ndarray):
            tensors = guard_out_array(out, tensors, "assignment destination is read-only")
        kwargs["out"] = out
    return execute_op(Op, *tensors, op_kwargs=kwargs, constant=constant)


def concatenate(tensors: Sequence, axis: Optional[int] = 0, out=None, dtype=None, *,
                constant: Optional[bool] = None):
    """Join a sequence of tensors along an existing axis.

    Parameters
    ----------
    tensors : Sequence[ArrayLike]
        The tensors; their shapes must agree except along ``axis``.
    axis : int | None, optional
        The axis to join along (default 0); None flattens every input first.
    out : numpy.ndarray | Tensor, optional
        Where to write the result; a tensor target is updated in place (differentiably).
    dtype : DTypeLikeReals, optional
        The dtype of the result.
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If the sequence is empty, holds 0-d inputs, or the shapes disagree.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([[1.0, 2.0]])
    >>> y = mg.tensor([[3.0, 4.0]])
    >>> mg.concatenate([x, y], axis=0)
    Tensor([[1., 2.],
            [3., 4.]])
    """
    return _join(Concatenate, tensors, out, constant, axis=axis, dtype=dtype)


def stack(tensors: Sequence, axis: int = 0, out=None, *, constant: Optional[bool] = None):
    """Join a sequence of same-shaped tensors along a new axis.

    Parameters
    ----------
    tensors : Sequence[ArrayLike]
        The tensors, all of the same shape.
    axis : int, optional
        The position of the new axis in the result (default 0).
    out : numpy.ndarray | Tensor, optional
        Where to write the result; a tensor target is updated in place (differentiably).
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If the sequence is empty or the shapes differ.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> mg.stack([x, x], axis=1)
    Tensor([[1., 1.],
            [2., 2.]])
    """
    return _join(Stack, tensors, out, constant, axis=axis)
