"""Changing a tensor's shape: reshape, ravel, flatten, squeeze, expand_dims,
broadcast_to, atleast_1d/2d/3d.

All but broadcast_to only rearrange the same elements into a new shape, so their
backward pass is the gradient reshaped to the input's shape (``_Reshaping``).
Where NumPy's forward returns a view, so do these ops (``can_return_view``).
"""
from __future__ import annotations

from typing import List, Optional, Tuple, Union

import numpy as np

from mygrad_c._engine import TensorBase, execute_op, run_op
from mygrad_c.operation_base import Operation

__all__ = [
    "reshape", "ravel", "squeeze", "expand_dims", "broadcast_to",
    "atleast_1d", "atleast_2d", "atleast_3d",
]

Shape = Union[int, Tuple[int, ...]]


class _Reshaping(Operation):
    """Base of the ops that keep the elements and change the shape: df/dx is grad reshaped."""

    can_return_view = True

    def backward_var(self, grad, index, **kwargs):
        return np.asarray(grad).reshape(self.variables[0].data.shape)

    def _view_if_reshaped(self, x, out: np.ndarray) -> np.ndarray:
        """As in MyGrad: an unchanged shape returns the input's own array, which makes a view
        only when that array is itself a NumPy view (of a base tensor's memory, or of an
        array the tensor was made on)."""
        self.is_view = out.shape != x.data.shape or x.data.base is not None
        return out


class Reshape(_Reshaping):
    """f(x) = x.reshape(newshape) (a view when possible);  df/dx = grad.reshape(x.shape)"""

    def __call__(self, x, newshape):
        self.variables = (x,)
        return x.data.reshape(newshape)   # (np.reshape's own call, without its Python layer)


class Ravel(_Reshaping):
    """f(x) = x flattened in C order (a view when possible);  df/dx = grad.reshape(x.shape)"""

    def __call__(self, x):
        self.variables = (x,)
        return np.ravel(x.data)


class Flatten(_Reshaping):
    """f(x) = a flattened copy of x;  df/dx = grad.reshape(x.shape)"""

    can_return_view = False

    def __call__(self, x):
        self.variables = (x,)
        return x.data.flatten()


class Squeeze(_Reshaping):
    """f(x) = x without (some of) its length-1 axes (a view);  df/dx = grad.reshape(x.shape)"""

    def __call__(self, x, axis=None):
        self.variables = (x,)
        return self._view_if_reshaped(x, np.squeeze(x.data, axis=axis))  # squeezing nothing: no view


class ExpandDims(_Reshaping):
    """f(x) = x with new length-1 axes at ``axis`` (a view);  df/dx = grad.reshape(x.shape)"""

    def __call__(self, x, axis):
        self.variables = (x,)
        return np.expand_dims(x.data, axis)


class AtLeast1D(_Reshaping):
    """f(x) = np.atleast_1d(x) (a view);  df/dx = grad.reshape(x.shape)"""

    numpy_func = staticmethod(np.atleast_1d)  # (MyGrad's attribute)

    def __call__(self, x):
        self.variables = (x,)
        return self._view_if_reshaped(x, np.atleast_1d(x.data))


class AtLeast2D(_Reshaping):
    """f(x) = np.atleast_2d(x) (a view);  df/dx = grad.reshape(x.shape)"""

    numpy_func = staticmethod(np.atleast_2d)  # (MyGrad's attribute)

    def __call__(self, x):
        self.variables = (x,)
        return self._view_if_reshaped(x, np.atleast_2d(x.data))


class AtLeast3D(_Reshaping):
    """f(x) = np.atleast_3d(x) (a view);  df/dx = grad.reshape(x.shape)"""

    numpy_func = staticmethod(np.atleast_3d)  # (MyGrad's attribute)

    def __call__(self, x):
        self.variables = (x,)
        return self._view_if_reshaped(x, np.atleast_3d(x.data))


class BroadcastTo(Operation):
    """f(x) = x broadcast to ``shape`` (a read-only view);
    df/dx = grad summed over the broadcast axes (done by the engine's broadcast reduction)."""

    can_return_view = True
    read_only_view = True  # in-place writes into it (or its views) are refused

    def __call__(self, x, shape):
        self.variables = (x,)
        return np.broadcast_to(x.data, shape)

    def backward_var(self, grad, index, **kwargs):
        return grad


def reshape(a, newshape: Shape, *, constant: Optional[bool] = None):
    """Give a tensor a new shape without changing its data.

    Parameters
    ----------
    a : ArrayLike
        The tensor to reshape.
    newshape : int | tuple[int, ...]
        The new shape, compatible with the original one; one entry may be -1 (inferred).
    constant : bool, optional (keyword-only)
        If True, the result is a constant (no gradient flows back through it).

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If the size of ``a`` does not fit ``newshape``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.reshape(mg.arange(6.0), (2, 3))
    Tensor([[0., 1., 2.],
            [3., 4., 5.]])
    """
    return execute_op(Reshape, a, op_args=(newshape,), constant=constant)


def ravel(a, *, constant: Optional[bool] = None):
    """Flatten a tensor to 1-D (C order); a view of its data when possible.

    Parameters
    ----------
    a : ArrayLike
        The tensor to flatten.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.ravel(mg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    Tensor([1., 2., 3., 4.])
    """
    return execute_op(Ravel, a, constant=constant)


def flatten(a, *, constant: Optional[bool] = None):
    """A flattened (1-D, C order) copy of a tensor; used by ``Tensor.flatten``.

    Parameters
    ----------
    a : ArrayLike
        The tensor to flatten.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.tensor([[1.0, 2.0], [3.0, 4.0]]).flatten()
    Tensor([1., 2., 3., 4.])
    """
    return execute_op(Flatten, a, constant=constant)


def squeeze(a, axis: Union[None, int, Tuple[int, ...]] = None, *, constant: Optional[bool] = None):
    """Remove length-1 axes from a tensor.

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | tuple[int, ...] | None, optional
        The length-1 axes to remove; None (default) removes all of them.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If a selected axis does not have length 1.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.squeeze(mg.zeros((1, 3, 1))).shape
    (3,)
    """
    return execute_op(Squeeze, a, op_kwargs={"axis": axis}, constant=constant)


def expand_dims(a, axis: int, *, constant: Optional[bool] = None):
    """Insert a length-1 axis at position ``axis`` (a tuple inserts several).

    Parameters
    ----------
    a : ArrayLike
        The input.
    axis : int | tuple[int, ...]
        Where the new axis goes in the result's shape.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.expand_dims(mg.tensor([1.0, 2.0]), 0)
    Tensor([[1., 2.]])
    """
    return execute_op(ExpandDims, a, op_args=(axis,), constant=constant)


def broadcast_to(a, shape: Tuple[int, ...], *, constant: Optional[bool] = None):
    """Broadcast a tensor to ``shape`` (a read-only view); the gradient is summed back.

    Parameters
    ----------
    a : ArrayLike
        The input.
    shape : tuple[int, ...]
        The shape to broadcast to.
    constant : bool, optional (keyword-only)
        If True, the result is a constant.

    Returns
    -------
    Tensor

    Raises
    ------
    ValueError
        If ``a`` cannot be broadcast to ``shape``.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> x = mg.tensor([1.0, 2.0])
    >>> y = mg.broadcast_to(x, (3, 2))
    >>> y.backward()
    >>> x.grad
    array([3., 3.])
    """
    return execute_op(BroadcastTo, a, op_args=(shape,), constant=constant)


def _atleast(Op, ndim: int, tensors, constant) -> Union[TensorBase, List[TensorBase]]:
    out = []
    for t in tensors:
        if isinstance(t, TensorBase) and t.data.ndim >= ndim and (constant is None or constant == t.constant):
            out.append(t)  # nothing to do: MyGrad returns the tensor itself
        elif isinstance(t, TensorBase):
            out.append(run_op(Op, (t,), constant=constant))
        else:
            out.append(execute_op(Op, t, constant=constant))
    return out[0] if len(out) == 1 else out


def atleast_1d(*tensors, constant: Optional[bool] = None):
    """View each input as a tensor with at least one dimension.

    Parameters
    ----------
    *tensors : ArrayLike
        The inputs; a tensor that already has 1+ dimensions is returned as is.
    constant : bool, optional (keyword-only)
        If True, the results are constants.

    Returns
    -------
    Tensor | list[Tensor]
        One tensor for one input, else a list.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.atleast_1d(mg.tensor(3.0))
    Tensor([3.])
    """
    return _atleast(AtLeast1D, 1, tensors, constant)


def atleast_2d(*tensors, constant: Optional[bool] = None):
    """View each input as a tensor with at least two dimensions (1-D ``(N,)`` becomes ``(1, N)``).

    Parameters
    ----------
    *tensors : ArrayLike
        The inputs; a tensor that already has 2+ dimensions is returned as is.
    constant : bool, optional (keyword-only)
        If True, the results are constants.

    Returns
    -------
    Tensor | list[Tensor]
        One tensor for one input, else a list.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.atleast_2d(mg.tensor([1.0, 2.0]))
    Tensor([[1., 2.]])
    """
    return _atleast(AtLeast2D, 2, tensors, constant)


def atleast_3d(*tensors, constant: Optional[bool] = None):
    """View each input as a tensor with at least three dimensions
    (``(N,)`` becomes ``(1, N, 1)`` and ``(M, N)`` becomes ``(M, N, 1)``).

    Parameters
    ----------
    *tensors : ArrayLike
        The inputs; a tensor that already has 3+ dimensions is returned as is.
    constant : bool, optional (keyword-only)
        If True, the results are constants.

    Returns
    -------
    Tensor | list[Tensor]
        One tensor for one input, else a list.

    Examples
    --------
    >>> import mygrad_c as mg
    >>> mg.atleast_3d(mg.tensor([1.0, 2.0])).shape
    (1, 2, 1)
    """
    return _atleast(AtLeast3D, 3, tensors, constant)
